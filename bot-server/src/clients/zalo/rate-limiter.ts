/**
 * Where the limiter's schedule is kept: the theoretical arrival time (TAT) of the next call, in microseconds since
 * 1970. This process's memory by default; the database to share one rate among every instance (shared-send-rate.ts).
 */
export interface SlotStore {
  /** Moves the TAT on by `intervalUs` from itself or from `nowUs`, whichever is later, in one step; answers the new TAT. */
  advance(nowUs: number, intervalUs: number): Promise<number>;
}

/** The schedule in this process only. */
export class MemorySlots implements SlotStore {
  private tat = 0;

  async advance(nowUs: number, intervalUs: number): Promise<number> {
    this.tat = Math.max(this.tat, nowUs) + intervalUs;
    return this.tat;
  }
}

/**
 * At most `perSecond` calls per second on average, in arrival order. Calls may run ahead of the rate by up to
 * `burstSeconds` worth (at least one), so that a short pause (the outbox claiming its next batch) is made up for
 * instead of lowering the achieved rate; the average never exceeds the configured rate: in any span of D seconds at
 * most burst + D × perSecond calls go.
 *
 * A generic cell rate algorithm (the token bucket's equivalent as a schedule): each call moves the TAT on by one
 * interval and waits until TAT − burst × interval. The TAT is the only state, and moving it is one atomic step, so
 * with a SlotStore in the database every instance draws on one rate (issue 16, decision 0020).
 */
export class RateLimiter {
  /** Reservations are made one after another, in the order of `take`. */
  private reserving: Promise<unknown> = Promise.resolve();
  /** And the waits end in that order too. */
  private waiting: Promise<void> = Promise.resolve();
  private readonly intervalUs: number;
  private readonly capacity: number;

  constructor(
    perSecond: number,
    burstSeconds = 0.1,
    private readonly slots: SlotStore = new MemorySlots(),
  ) {
    this.capacity = Math.max(1, Math.floor(perSecond * burstSeconds));
    // Rounded up: never faster than the rate.
    this.intervalUs = Math.ceil(1_000_000 / perSecond);
  }

  /** Resolves when this call may go; rejects if the schedule could not be read (the database unreachable). */
  take(): Promise<void> {
    const reserved = this.reserving.then(() => this.slots.advance(Date.now() * 1000, this.intervalUs));
    this.reserving = reserved.catch(() => {});
    const turn = Promise.all([reserved, this.waiting]).then(([tat]) => {
      const at = (tat - this.capacity * this.intervalUs) / 1000;
      const wait = at - Date.now();
      return wait > 0 ? new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(wait))) : undefined;
    });
    this.waiting = turn.catch(() => {});
    return turn;
  }
}
