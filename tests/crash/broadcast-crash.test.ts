import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeZalo } from "../../bot-server/bench/fake-zalo";
import { ROOT } from "../helpers/run";
import { databaseEnv, openTestDatabase, postgresFor, startTestServer, tempDataDir } from "../helpers/test-server";

const FOLLOWERS = 3000;
const BATCH = 20;
const CONCURRENCY = 8;
const KEY = Buffer.alloc(32, 9).toString("base64");

function serverProcess(dataDir: string, zaloUrl: string): ChildProcess {
  // Node itself with tsx as a loader, not the `tsx` launcher: SIGKILL to the launcher would leave the server it started
  // running (an orphan that keeps sending), and the "crash" would be no crash at all.
  return spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bot-server/src/server.ts")], {
    cwd: ROOT,
    stdio: "ignore",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATA_DIR: dataDir,
      ...databaseEnv(dataDir),
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      ZALO_APP_ID: "4291763606161179100",
      ZALO_APP_SECRET: "app-secret",
      ZALO_OA_SECRET_KEY: "oa-secret",
      ZALO_OA_ACCESS_TOKEN: "seed-access",
      ZALO_OA_REFRESH_TOKEN: "seed-refresh",
      ZALO_TOKEN_ENCRYPTION_KEY: KEY,
      ZALO_OPENAPI_URL: zaloUrl,
      ZALO_OAUTH_URL: zaloUrl,
      ZALO_ZNS_URL: zaloUrl,
      ZALO_SEND_RATE_PER_SECOND: "300",
      OUTBOX_BATCH: String(BATCH),
      OUTBOX_CONCURRENCY: String(CONCURRENCY),
      OUTBOX_LEASE_SECONDS: "5",
    },
  });
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

describe("a broadcast survives kill -9", () => {
  it("when the server is killed mid-broadcast and restarted, then every follower gets it, duplicates only within the in-flight window, and counts add up", async () => {
    // Arrange: a database with followers and an approved announcement due now (prepared by the app itself).
    const dataDir = tempDataDir();
    await postgresFor(dataDir);
    const prepared = await startTestServer({
      dataDir,
      outbox: { workers: 0, batch: BATCH, concurrency: CONCURRENCY, leaseSeconds: 5, maxAttempts: 8 },
    });
    const now = new Date().toISOString();
    for (let i = 0; i < FOLLOWERS; i += 500) {
      await prepared.deps.db
        .insertInto("zalo_users")
        .values(
          Array.from({ length: 500 }, (_, k) => ({
            user_id: `f${String(i + k).padStart(5, "0")}`,
            followed: 1,
            last_interaction_at: now,
          })),
        )
        .execute();
    }
    await prepared.deps.db
      .insertInto("announcements")
      .values({
        title: "Thông báo thử nghiệm chịu lỗi",
        body: "Nội dung gửi tới mọi người quan tâm OA.",
        image_url: null,
        link: null,
        audience: JSON.stringify({ kind: "all" }),
        status: "scheduled",
        created_by: 1,
        approved_by: 2,
        scheduled_at: now,
        published_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await prepared.close();

    const zalo = await startFakeZalo();
    try {
      // Act: start, kill -9 once a third has gone out, start again.
      const first = serverProcess(dataDir, zalo.url);
      children.push(first);
      await vi.waitFor(
        () => expect(zalo.total(), "the first third of the broadcast").toBeGreaterThanOrEqual(FOLLOWERS / 3),
        { timeout: 60_000, interval: 100 },
      );
      first.kill("SIGKILL");
      await new Promise((r) => first.once("exit", r));
      const atCrash = zalo.total();
      expect(atCrash).toBeLessThan(FOLLOWERS);
      // Nothing is sending any more: the server really died (at 300 messages/s an orphan would show within a second).
      await new Promise((r) => setTimeout(r, 1500));
      expect(zalo.total()).toBe(atCrash);

      const second = serverProcess(dataDir, zalo.url);
      children.push(second);
      const db = await openTestDatabase(dataDir);
      await vi.waitFor(
        async () => {
          const open = await db
            .selectFrom("outbox")
            .select("id")
            .where("status", "in", ["pending", "in_flight"])
            .limit(1)
            .executeTakeFirst();
          const all = await db
            .selectFrom("outbox")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow();
          expect({ open: Boolean(open), rows: Number(all.n) }, "the broadcast to finish after the restart").toEqual({
            open: false,
            rows: FOLLOWERS,
          });
        },
        { timeout: 90_000, interval: 100 },
      );
      second.kill("SIGKILL");

      // Assert: everybody got it; duplicates at most the rows that were in flight at the crash; the counts add up.
      const missing = Array.from({ length: FOLLOWERS }, (_, i) => `f${String(i).padStart(5, "0")}`).filter(
        (u) => !zalo.received.has(u),
      );
      expect(missing).toEqual([]);
      const duplicates = [...zalo.received.values()].reduce((sum, n) => sum + (n - 1), 0);
      if (process.env.REPORT)
        console.info(`sent before the crash: ${atCrash}; duplicates after restart: ${duplicates}`);
      expect(duplicates).toBeLessThanOrEqual(BATCH);
      const statuses = await db
        .selectFrom("outbox")
        .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy("status")
        .execute();
      expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([["sent", FOLLOWERS]]);
      expect(zalo.total()).toBe(FOLLOWERS + duplicates);
      const announcement = await db.selectFrom("announcements").select("status").executeTakeFirstOrThrow();
      expect(["sending", "completed"]).toContain(announcement.status);
      await db.destroy();
    } finally {
      await zalo.close();
    }
  }, 180_000);
});
