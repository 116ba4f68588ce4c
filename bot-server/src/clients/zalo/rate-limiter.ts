/** Spaces calls out to at most `perSecond`, in arrival order (a leaky bucket without bursts). */
export class RateLimiter {
  private next = 0;
  private readonly interval: number;

  constructor(perSecond: number) {
    this.interval = 1000 / perSecond;
  }

  async take(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.interval;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
