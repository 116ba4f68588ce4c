/**
 * At most `perSecond` calls per second on average, in arrival order (a token bucket). The bucket holds up to
 * `burstSeconds` worth of calls, so that a short pause (the outbox claiming its next batch) is made up for instead
 * of lowering the achieved rate; the average never exceeds the configured rate.
 */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private queue: Promise<void> = Promise.resolve();
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    burstSeconds = 0.1,
  ) {
    this.capacity = Math.max(1, Math.floor(perSecond * burstSeconds));
    this.tokens = 1;
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) * 1000) / this.perSecond)));
    }
  }
}
