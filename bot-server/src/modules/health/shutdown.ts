import type { Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Lifecycle } from "./lifecycle";

export type Stoppable = {
  lifecycle: Lifecycle;
  /** Stops claiming background work; resolves when the passes under way are done (bootstrap's `stop`). */
  stop: () => Promise<void>;
  /** Closes what is left (the database); called once no request is in flight any more (bootstrap's `close`). */
  close: () => Promise<void>;
};

/**
 * A graceful shutdown (SIGTERM, decision 0018), in this order:
 * 1. `/readyz` answers 503 and the background queues claim nothing more (what they hold is finished);
 * 2. after `delayMs` (SHUTDOWN_DELAY_SECONDS: the time a load balancer needs to see the 503), the server stops
 *    accepting connections; the requests in flight are answered, and each keep-alive connection is closed as soon as
 *    it has nothing in flight;
 * 3. once both are done, the database is closed. The caller bounds the whole (SHUTDOWN_GRACE_SECONDS) and exits.
 */
export async function shutDown(server: Server, app: Stoppable, delayMs = 0): Promise<void> {
  app.lifecycle.beginShutdown();
  const background = app.stop();
  if (delayMs > 0) await sleep(delayMs);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A connection whose request was in flight becomes idle when it is answered: closed then, not at its keep-alive end.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  try {
    await Promise.all([closed, background]);
  } finally {
    clearInterval(sweeper);
  }
  await app.close();
}
