/**
 * Whether this process is shutting down (SIGTERM, decision 0018). From the first moment `/readyz` answers 503, so a
 * load balancer stops sending new requests here while the ones in flight finish.
 */
export class Lifecycle {
  #shuttingDown = false;

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  beginShutdown(): void {
    this.#shuttingDown = true;
  }
}
