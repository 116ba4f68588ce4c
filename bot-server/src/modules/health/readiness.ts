import { sql } from "kysely";
import type { Db } from "../../db/database";
import { QUEUES, readQueueTable } from "../metrics/queues";
import type { Lifecycle } from "./lifecycle";

/** A check that does not answer within this is failed: a load balancer's probe must get an answer, not a hang. */
const CHECK_TIMEOUT_MS = 2_000;

export type Readiness = { ready: true } | { ready: false; failed: { check: string; reason: string }[] };

/**
 * Whether this instance should receive traffic (decision 0018): not shutting down, the database answers a trivial
 * query, and each background queue's table can be read. The reasons name the check only (never a query, a value or
 * a connection string).
 */
export async function readiness(db: Db, lifecycle: Lifecycle): Promise<Readiness> {
  if (lifecycle.shuttingDown) return { ready: false, failed: [{ check: "shutdown", reason: "shutting down" }] };
  const checks: [string, () => Promise<unknown>][] = [
    ["database", () => sql`SELECT 1`.execute(db)],
    ...QUEUES.map((queue): [string, () => Promise<unknown>] => [
      `queue:${queue.name}`,
      () => readQueueTable(db, queue),
    ]),
  ];
  const results = await Promise.all(checks.map(async ([check, run]) => ({ check, reason: await failure(run) })));
  const failed = results.filter((r): r is { check: string; reason: string } => r.reason !== null);
  return failed.length === 0 ? { ready: true } : { ready: false, failed };
}

async function failure(run: () => Promise<unknown>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("timed out"), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([run().then(() => null), timeout]);
  } catch {
    return "not answering";
  } finally {
    clearTimeout(timer);
  }
}
