/**
 * Runs a drain one pass at a time: a kick while a pass runs asks for exactly one more pass after it, so work that
 * arrives mid-pass is never missed and passes never overlap. The outbox worker, the portal forwarding worker and the
 * webhook inbox all drain this way.
 */
export class SingleFlight {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly drain: () => Promise<void>,
    /** Where a failed pass is reported; without it the failure stays on the pass's promise. */
    private readonly onError?: (error: unknown) => void,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    const pass = this.onError ? this.drain().catch(this.onError) : this.drain();
    this.running = pass.finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when no pass is running and none is asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
