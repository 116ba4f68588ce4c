import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../db/database";
import { createLogger } from "../../logger";
import { type DeliveryOutcome, type NotificationDelivery, type OutboxRow, RetryLater } from "./delivery";
import { OutboxWorker } from "./outbox-worker";

async function withRows(n: number) {
  const db = await openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), "qn-outbox-")));
  const at = new Date().toISOString();
  for (let i = 0; i < n; i += 100) {
    await db
      .insertInto("outbox")
      .values(
        Array.from({ length: Math.min(100, n - i) }, (_, k) => ({
          idempotency_key: `row-${i + k}`,
          kind: "announcement",
          citizen_id: null,
          zalo_user_id: `u${i + k}`,
          announcement_id: 1,
          payload: "{}",
          status: "pending",
          next_attempt_at: at,
          claimed_by: null,
          claimed_until: null,
          channel: null,
          provider_message_id: null,
          last_error: null,
          created_at: at,
          sent_at: null,
        })),
      )
      .execute();
  }
  return db;
}

/** A delivery that takes a little while and counts what it was asked to deliver. */
function countingDelivery(seen: Map<string, number>, fail?: (row: OutboxRow) => Error | undefined) {
  return {
    async deliver(row: OutboxRow): Promise<DeliveryOutcome> {
      seen.set(row.idempotency_key, (seen.get(row.idempotency_key) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      const error = fail?.(row);
      if (error) throw error;
      return { status: "sent", channel: "test", messageId: row.idempotency_key };
    },
  } as unknown as NotificationDelivery;
}

const options = { batch: 20, concurrency: 4, leaseSeconds: 60, maxAttempts: 3, pollMs: 20 };

describe("the outbox worker", () => {
  it("when two workers drain the same outbox at once, then every row is delivered exactly once", async () => {
    const db = await withRows(400);
    const seen = new Map<string, number>();
    const a = new OutboxWorker(db, countingDelivery(seen), options, createLogger("silent"));
    const b = new OutboxWorker(db, countingDelivery(seen), options, createLogger("silent"));
    a.kick();
    b.kick();
    await Promise.all([a.idle(), b.idle()]);
    expect(seen.size).toBe(400);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const statuses = await db.selectFrom("outbox").select("status").distinct().execute();
    expect(statuses).toEqual([{ status: "sent" }]);
    await db.destroy();
  });

  it("when a row fails for good, then it is marked failed with the reason; transient failures wait to be retried", async () => {
    const db = await withRows(3);
    const seen = new Map<string, number>();
    const worker = new OutboxWorker(
      db,
      countingDelivery(seen, (row) =>
        row.idempotency_key === "row-0"
          ? new Error("Zalo báo lỗi -124")
          : row.idempotency_key === "row-1"
            ? new RetryLater("HTTP 503")
            : undefined,
      ),
      options,
      createLogger("silent"),
    );
    worker.kick();
    await worker.idle();
    const rows = await db
      .selectFrom("outbox")
      .select(["idempotency_key", "status", "last_error", "attempts", "next_attempt_at"])
      .orderBy("id")
      .execute();
    expect(rows.map((r) => [r.idempotency_key, r.status, r.last_error])).toEqual([
      ["row-0", "failed", "Zalo báo lỗi -124"],
      ["row-1", "pending", "HTTP 503"],
      ["row-2", "sent", null],
    ]);
    expect(Date.parse(rows[1]?.next_attempt_at ?? "")).toBeGreaterThan(Date.now());
    await db.destroy();
  });

  it("when a worker died holding rows, then another takes them after the lease; rows marked sent are never taken again", async () => {
    const db = await withRows(5);
    await db
      .updateTable("outbox")
      .set({ status: "in_flight", claimed_by: "dead-worker", claimed_until: "2020-01-01T00:00:00.000Z" })
      .where("idempotency_key", "in", ["row-0", "row-1"])
      .execute();
    await db.updateTable("outbox").set({ status: "sent" }).where("idempotency_key", "=", "row-2").execute();
    const seen = new Map<string, number>();
    const worker = new OutboxWorker(db, countingDelivery(seen), options, createLogger("silent"));
    worker.kick();
    await worker.idle();
    expect([...seen.keys()].sort()).toEqual(["row-0", "row-1", "row-3", "row-4"]);
    await db.destroy();
  });
});
