/**
 * A consecutive-failures circuit breaker. Closed: requests go through; after `failureThreshold` failures in a row it
 * opens and requests fail fast without touching the network. After `coolDownMs` the next request is let through as
 * the one probe (half-open) while the others still fail fast: success closes the breaker, failure opens it again.
 * The clock is injected so tests move time instead of waiting.
 */
export type CircuitState = "closed" | "open" | "half-open";

export type CircuitBreakerOptions = {
  failureThreshold: number;
  coolDownMs: number;
  now: () => number;
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
};

/** Permission to send one request; hand it back with `success` or `failure`. */
export type CircuitTicket = { readonly probe: boolean };

export class CircuitBreaker {
  private current: CircuitState = "closed";
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): CircuitState {
    return this.current;
  }

  /** A ticket when a request may go out now, undefined when it must fail fast. */
  tryAcquire(): CircuitTicket | undefined {
    if (this.current === "closed") return { probe: false };
    if (this.current === "open" && this.options.now() - this.openedAt >= this.options.coolDownMs) {
      this.set("half-open");
      this.probing = false;
    }
    if (this.current === "half-open" && !this.probing) {
      this.probing = true;
      return { probe: true };
    }
    return undefined;
  }

  /** When the circuit may let a request through again (for "try again after" hints). */
  retryAt(): number | undefined {
    return this.current === "open" ? this.openedAt + this.options.coolDownMs : undefined;
  }

  /** The portal answered (any answer but 5xx/429 counts: it is up). */
  success(ticket: CircuitTicket): void {
    if (ticket.probe) this.probing = false;
    this.failures = 0;
    // A late success of a request sent before the breaker opened is also proof of life.
    if (this.current !== "closed") this.set("closed");
  }

  /** The request ended without telling anything about the portal (a bug on this side): just free the probe slot. */
  release(ticket: CircuitTicket): void {
    if (ticket.probe) this.probing = false;
  }

  failure(ticket: CircuitTicket): void {
    if (ticket.probe) {
      this.probing = false;
      if (this.current === "half-open") this.open();
      return;
    }
    if (this.current !== "closed") return; // late failures of requests sent before opening change nothing
    this.failures++;
    if (this.failures >= this.options.failureThreshold) this.open();
  }

  private open(): void {
    this.openedAt = this.options.now();
    this.failures = 0;
    this.set("open");
  }

  private set(state: CircuitState): void {
    const previous = this.current;
    if (previous === state) return;
    this.current = state;
    this.options.onStateChange?.(state, previous);
  }
}
