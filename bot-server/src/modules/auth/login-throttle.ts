export type LoginThrottleSettings = {
  /** Wrong passwords for one name from one address before that pair waits. */
  perName: number;
  /** Wrong passwords from one address, for any names, before the address waits (a password spray). */
  perAddress: number;
  /** The longest wait; each such quiet span after a key's last failure (or its wait's end) takes one failure off. */
  maxWaitMs: number;
  /** The first wait, doubled after each further failure. */
  firstWaitMs?: number;
};

export type Attempt =
  | { admitted: true; succeeded: () => void; failed: () => void }
  | { admitted: false; retryAfterMs: number };

type Entry = { failures: number; threshold: number; last: number; blockedUntil: number };

/** Enough for any real office, few enough that a flood of addresses cannot grow the process without end. */
const MAX_ENTRIES = 50_000;

/**
 * Sign-in throttling by source instead of an account lock (issue 13, finding 7): a lock let anyone shut an official out
 * with five wrong passwords, and its 423 said that the name existed. Here wrong passwords slow down only the address
 * they come from — for the name it tried, and for all names — with a wait that doubles after each further failure. The
 * answer does not depend on whether the name exists. In this process's memory, like the other limiters for now.
 *
 * An attempt is counted as a failure when it is admitted, not when its password has been checked, so that many
 * attempts sent at once cannot all slip in before the first failure is recorded; a success takes it back.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly firstWaitMs: number;

  constructor(
    private readonly settings: LoginThrottleSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.firstWaitMs = settings.firstWaitMs ?? 1000;
  }

  /** `address` is the limiter's address key; `name` the user name as typed (folded here). */
  attempt(address: string, name: string): Attempt {
    const now = this.now();
    const nameKey = `name:${name.trim().toLowerCase()}|${address}`;
    const entries = [
      this.entry(nameKey, this.settings.perName, now),
      this.entry(`addr:${address}`, this.settings.perAddress, now),
    ];
    const wait = Math.max(...entries.map((e) => e.blockedUntil - now));
    if (wait > 0) return { admitted: false, retryAfterMs: wait };
    for (const entry of entries) this.fail(entry, now);
    const [byName, byAddress] = entries as [Entry, Entry];
    let settled = false;
    return {
      admitted: true,
      succeeded: () => {
        if (settled) return;
        settled = true;
        this.entries.delete(nameKey);
        // Only this attempt is taken back: signing in to one's own account between guesses must not clear the address.
        byAddress.failures -= 1;
        if (byAddress.failures < byAddress.threshold) byAddress.blockedUntil = 0;
      },
      failed: () => {
        if (settled) return;
        settled = true;
        // The wait runs from the answer, not from the start of a slow password check.
        const at = this.now();
        for (const entry of [byName, byAddress]) {
          entry.last = at;
          if (entry.blockedUntil > 0) entry.blockedUntil = at + this.waitAfter(entry);
        }
      },
    };
  }

  private entry(key: string, threshold: number, now: number): Entry {
    let entry = this.entries.get(key);
    if (entry) {
      // Failures fade, one for each longest wait that passes quietly after the last failure or the end of its wait.
      // Forgetting the whole entry when the wait ended gave a patient guesser the free tries and the ramp again every
      // time (675 guesses a day instead of about 96); a slow fade still clears an office's scattered typos.
      const since = Math.max(entry.last, entry.blockedUntil);
      const faded = Math.floor((now - since) / this.settings.maxWaitMs);
      if (faded > 0) {
        entry.failures = Math.max(0, entry.failures - faded);
        entry.last = since + faded * this.settings.maxWaitMs;
        if (entry.failures < entry.threshold) entry.blockedUntil = 0;
      }
      if (entry.failures === 0 && entry.blockedUntil <= now) {
        this.entries.delete(key);
        entry = undefined;
      }
    }
    if (!entry) {
      entry = { failures: 0, threshold, last: now, blockedUntil: 0 };
      if (this.entries.size >= MAX_ENTRIES) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    } else {
      // Most recently used last, so that the oldest is the first dropped.
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    return entry;
  }

  private fail(entry: Entry, now: number): void {
    entry.failures += 1;
    entry.last = now;
    if (entry.failures >= entry.threshold) entry.blockedUntil = now + this.waitAfter(entry);
  }

  private waitAfter(entry: Entry): number {
    const doublings = Math.min(30, entry.failures - entry.threshold);
    return Math.min(this.settings.maxWaitMs, this.firstWaitMs * 2 ** doublings);
  }
}
