import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LeasedTimer, PeriodicLease } from "../../bot-server/src/background/lease";
import { type Db, openDatabase, openPostgres } from "../../bot-server/src/db/database";
import { createLogger } from "../../bot-server/src/logger";
import { CalendarService } from "../../bot-server/src/modules/calendar/calendar.service";
import { DeadlineScanner } from "../../bot-server/src/modules/notifications/deadline-scanner";
import { NotificationPlanner } from "../../bot-server/src/modules/notifications/notification-planner";
import {
  type EventHandler,
  type InboundEvent,
  WebhookInbox,
  type WebhookInboxOptions,
} from "../../bot-server/src/modules/webhook/webhook-inbox";
import { postgresFor, startTestServer, type TestServer, tempDataDir } from "../helpers/test-server";

/**
 * Several bot-server instances on one database (issue 16, decision 0021): the webhook inbox's claims and the leases
 * on periodic work. Each "instance" is a database handle of its own on one DATA_DIR (two SQLite connections to one
 * file, or two PostgreSQL pools to one database in the api-postgres project), or a whole test server on it.
 */

const logger = createLogger("silent");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A database handle of its own on the database of `dataDir`, as another instance has. */
async function instanceDb(dataDir: string): Promise<Db> {
  const url = await postgresFor(dataDir);
  return url ? openPostgres(url, { poolSize: 4 }) : openDatabase(dataDir);
}

const handles: Db[] = [];
async function twoInstances(): Promise<[Db, Db]> {
  const dataDir = tempDataDir();
  const a = await instanceDb(dataDir);
  const b = await instanceDb(dataDir);
  handles.push(a, b);
  return [a, b];
}
afterAll(async () => {
  for (const db of handles) await db.destroy();
});

function textEvent(userId: string, text: string) {
  const body = {
    event_name: "user_send_text",
    timestamp: String(Date.now()),
    sender: { id: userId },
    recipient: { id: "oa-1" },
    message: { msg_id: randomUUID(), text },
  };
  return { key: `msg:${body.message.msg_id}`, body, raw: JSON.stringify(body) };
}

async function store(inbox: WebhookInbox, userId: string, text: string): Promise<void> {
  const event = textEvent(userId, text);
  expect(await inbox.store(event.key, event.body, event.raw)).toBe(true);
}

const textOf = (event: InboundEvent) => String((event.body.message as { text: string }).text);

async function rows(db: Db) {
  return db
    .selectFrom("webhook_events")
    .select(["id", "user_id", "status", "attempts", "claimed_by", "claimed_until", "error"])
    .orderBy("id")
    .execute();
}

describe("the webhook inbox on several instances", () => {
  it("when two inboxes on one database drain the interleaved events of two citizens, then each event is handled once, and each citizen's one at a time and in order", async () => {
    const [dbA, dbB] = await twoInstances();
    const handled: { inbox: string; user: string; text: string }[] = [];
    const busy = new Set<string>();
    let overlaps = 0;
    const recorder =
      (inbox: string): EventHandler =>
      async (event) => {
        const user = event.userId as string;
        if (busy.has(user)) overlaps++;
        busy.add(user);
        handled.push({ inbox, user, text: textOf(event) });
        await sleep(Math.random() * 4);
        busy.delete(user);
        return "processed";
      };
    const options: Partial<WebhookInboxOptions> = { batch: 4 };
    const a = new WebhookInbox(dbA, recorder("a"), logger, options);
    const b = new WebhookInbox(dbB, recorder("b"), logger, options);
    const users = ["citizen-1", "citizen-2", "citizen-3", "citizen-4"];
    const PER_USER = 20;
    // Stored through either instance while both drain, as a load balancer spreads Zalo's deliveries; in bursts, so
    // that a citizen often has several events waiting when an instance claims.
    for (let n = 0; n < PER_USER; n++) {
      for (const [i, user] of users.entries()) {
        const via = (n + i) % 2 === 0 ? a : b;
        await store(via, user, String(n));
        if (n % 4 === 3) via.kick();
      }
    }
    a.kick();
    b.kick();
    await Promise.all([a.idle(), b.idle()]);
    await Promise.all([a.idle(), b.idle()]);

    expect(handled).toHaveLength(users.length * PER_USER);
    for (const user of users) {
      expect(handled.filter((h) => h.user === user).map((h) => h.text)).toEqual(
        Array.from({ length: PER_USER }, (_, n) => String(n)),
      );
    }
    expect(overlaps).toBe(0);
    const stored = await rows(dbA);
    expect(stored.every((r) => r.status === "processed" && Number(r.attempts) === 1 && r.claimed_by === null)).toBe(
      true,
    );
  });

  it("when an instance dies holding a citizen's event, then that citizen's next events wait, others' go on, and once the lease has run out another instance takes it over and keeps the order", async () => {
    const [dbA, dbB] = await twoInstances();
    const handled: string[] = [];
    let crash: (error: Error) => void = () => {};
    const hung = new Promise<never>((_, reject) => {
      crash = reject;
    });
    // A's handler never finishes (the process was killed mid-event); its late end must change nothing.
    const a = new WebhookInbox(dbA, () => hung, logger, { leaseSeconds: 60 });
    const record: EventHandler = async (event) => {
      handled.push(`${event.userId}:${textOf(event)}`);
      return "processed";
    };
    await store(a, "u-stuck", "1");
    a.kick();
    await vi.waitFor(async () => expect((await rows(dbA))[0]?.status).toBe("in_flight"));
    a.stop();
    await store(a, "u-stuck", "2");
    await store(a, "u-other", "1");

    // Within the lease: B leaves the stuck citizen's events alone and answers the other one.
    const b = new WebhookInbox(dbB, record, logger, { leaseSeconds: 60 });
    await b.drain();
    expect(handled).toEqual(["u-other:1"]);
    expect((await rows(dbB)).map((r) => [r.user_id, r.status])).toEqual([
      ["u-stuck", "in_flight"],
      ["u-stuck", "pending"],
      ["u-other", "processed"],
    ]);

    // After it: an instance whose clock is past A's lease takes the event over, then the next one, in order.
    const later = new WebhookInbox(dbB, record, logger, { now: () => new Date(Date.now() + 61_000) });
    await later.drain();
    expect(handled).toEqual(["u-other:1", "u-stuck:1", "u-stuck:2"]);
    crash(new Error("the dead instance's handler ends after all"));
    await a.idle();
    const after = await rows(dbB);
    expect(after.map((r) => [r.user_id, r.status, Number(r.attempts), r.claimed_by, r.error])).toEqual([
      ["u-stuck", "processed", 2, null, null],
      ["u-stuck", "processed", 1, null, null],
      ["u-other", "processed", 1, null, null],
    ]);
  });

  it("when a citizen's event keeps failing, then it is tried again after a growing wait and ends as failed; the citizen's next event waits behind it, then goes", async () => {
    const [db] = await twoInstances();
    let t = Date.now();
    const tries: string[] = [];
    const inbox = new WebhookInbox(
      db,
      async (event) => {
        tries.push(textOf(event));
        if (textOf(event) === "bad") throw new Error("Zalo không trả lời");
        return "processed";
      },
      logger,
      { maxAttempts: 3, retryBaseMs: 1000, retryMaxMs: 60_000, now: () => new Date(t), random: () => 1 },
    );
    await store(inbox, "u-retry", "bad");
    await store(inbox, "u-retry", "next");
    await inbox.drain();
    expect(tries).toEqual(["bad"]);
    t += 999;
    await inbox.drain();
    expect(tries).toEqual(["bad"]);
    t += 1;
    await inbox.drain();
    expect(tries).toEqual(["bad", "bad"]);
    // The second wait is twice the first.
    t += 1999;
    await inbox.drain();
    expect(tries).toEqual(["bad", "bad"]);
    t += 1;
    await inbox.drain();
    expect(tries).toEqual(["bad", "bad", "bad", "next"]);
    expect((await rows(db)).map((r) => [r.status, Number(r.attempts), r.error])).toEqual([
      ["failed", 3, "Zalo không trả lời"],
      ["processed", 1, null],
    ]);
    // The dead letter stays: never tried again.
    t += 3_600_000;
    await inbox.drain();
    expect(tries).toHaveLength(4);
  });

  it("when instances keep dying on one event, then it is left failed after the tries allowed instead of being claimed for ever", async () => {
    const [db] = await twoInstances();
    const handle = vi.fn(async () => "processed" as const);
    let t = Date.now();
    for (let i = 0; i < 2; i++) {
      // An instance that claims the event and dies on it.
      const dying = new WebhookInbox(db, () => new Promise<never>(() => {}), logger, {
        maxAttempts: 2,
        leaseSeconds: 1,
        now: () => new Date(t),
      });
      if (i === 0) await store(dying, "u-poison", "crash me");
      dying.kick();
      await vi.waitFor(async () => expect(Number((await rows(db))[0]?.attempts)).toBe(i + 1));
      dying.stop();
      t += 1001;
    }
    const next = new WebhookInbox(db, handle, logger, { maxAttempts: 2, now: () => new Date(t) });
    await next.drain();
    expect(handle).not.toHaveBeenCalled();
    expect((await rows(db)).map((r) => [r.status, Number(r.attempts)])).toEqual([["failed", 3]]);
  });
});

describe("two bot-server instances on one database", () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer();
    b = await startTestServer({ dataDir: a.dataDir });
  });
  afterAll(async () => {
    await b?.close();
  });

  it("when Zalo redelivers an event to the other instance, then it is acknowledged as a duplicate and answered once", async () => {
    const { appId, oaSecretKey } = a.deps.webhook;
    const event = {
      app_id: appId,
      timestamp: String(Date.now()),
      event_name: "user_send_text",
      sender: { id: "redelivered-elsewhere" },
      recipient: { id: "oa-1" },
      message: { msg_id: randomUUID(), text: "hướng dẫn" },
    };
    const raw = JSON.stringify(event);
    const mac = createHash("sha256")
      .update(appId + raw + event.timestamp + oaSecretKey)
      .digest("hex");
    const deliver = async (to: TestServer) => {
      const res = await fetch(`${to.url}/webhooks/zalo`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-ZEvent-Signature": `mac=${mac}` },
        body: raw,
      });
      return { status: res.status, body: (await res.json()) as { duplicate: boolean } };
    };
    const [first, second] = await Promise.all([deliver(a), deliver(b)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.duplicate, second.body.duplicate].sort()).toEqual([false, true]);
    await Promise.all([a.deps.inbox.idle(), b.deps.inbox.idle()]);
    const replies = await a.deps.db
      .selectFrom("dev_outbox")
      .select("id")
      .where("recipient", "=", "redelivered-elsewhere")
      .execute();
    expect(replies).toHaveLength(1);
  });

  it("when both run the periodic work, then the first to start holds the leases and the other's ticks do nothing; once it stops, the other takes over", async () => {
    const leases = await a.deps.db.selectFrom("leases").select(["name", "holder"]).orderBy("name").execute();
    expect(leases.map((l) => l.name)).toEqual(["announcements", "deadline-scanner"]);
    const scanA = vi.spyOn(a.deps.deadlines, "scan");
    const scanB = vi.spyOn(b.deps.deadlines, "scan");
    expect(await b.deps.deadlines.tick()).toBe(false);
    expect(await a.deps.deadlines.tick()).toBe(true);
    expect([scanA.mock.calls.length, scanB.mock.calls.length]).toEqual([1, 0]);
    // A stops (SIGTERM, a deploy): it gives its leases back, and B's next tick runs the work.
    await a.close();
    expect(await b.deps.deadlines.tick()).toBe(true);
    expect(scanB).toHaveBeenCalledTimes(1);
    const held = await b.deps.db.selectFrom("leases").select(["name", "holder"]).execute();
    expect(held.find((l) => l.name === "deadline-scanner")?.holder).not.toBe(
      leases.find((l) => l.name === "deadline-scanner")?.holder,
    );
  });
});

describe("periodic work runs once across instances (PeriodicLease)", () => {
  const TEN_MINUTES = 10 * 60_000;

  function scanner(db: Db, now: () => Date) {
    const s = new DeadlineScanner(db, new CalendarService(db), new NotificationPlanner("app"), () => {}, logger, {
      now,
    });
    const scan = vi.spyOn(s, "scan").mockResolvedValue(0);
    return { s, scan };
  }

  it("when two scanners on one database tick every period, then one scan per period; when its holder dies, the other takes over once the lease has run out", async () => {
    const [dbA, dbB] = await twoInstances();
    let t = Date.parse("2026-03-02T01:00:00.000Z");
    const now = () => new Date(t);
    const a = scanner(dbA, now);
    const b = scanner(dbB, now);
    for (let period = 0; period < 6; period++) {
      // In either order: whoever ticks first in a period takes it the first time, and keeps it.
      const first = period % 2 === 0 ? b : a;
      const second = first === a ? b : a;
      await first.s.tick();
      await second.s.tick();
      t += TEN_MINUTES;
    }
    expect(a.scan.mock.calls.length + b.scan.mock.calls.length).toBe(6);
    expect([a.scan.mock.calls.length, b.scan.mock.calls.length]).toEqual([0, 6]);

    // B dies (no release): its lease (twice the period) runs 20 minutes from its last tick.
    expect(await a.s.tick()).toBe(false);
    t += TEN_MINUTES;
    expect(await a.s.tick()).toBe(false); // the lease's last instant
    t += 1;
    expect(await a.s.tick()).toBe(true);
    expect(a.scan).toHaveBeenCalledTimes(1);
    // B comes back (a paused process, not dead after all): A has it.
    expect(await b.s.tick()).toBe(false);
    expect(b.scan).toHaveBeenCalledTimes(6);
  });

  it("when many instances race for a free or an expired lease, then exactly one gets it", async () => {
    const [dbA, dbB] = await twoInstances();
    let t = Date.now();
    const contenders = Array.from(
      { length: 8 },
      (_, i) => new PeriodicLease(i % 2 ? dbA : dbB, "race", { ttlMs: 1000, now: () => new Date(t) }),
    );
    const free = await Promise.all(contenders.map((l) => l.acquire()));
    expect(free.filter(Boolean)).toHaveLength(1);
    t += 1001;
    const expired = await Promise.all(contenders.map((l) => l.acquire()));
    expect(expired.filter(Boolean)).toHaveLength(1);
    // The holder renews it; the others still cannot.
    const holder = contenders[expired.indexOf(true)] as PeriodicLease;
    t += 900;
    expect(await holder.acquire()).toBe(true);
    t += 900;
    const others = await Promise.all(contenders.filter((l) => l !== holder).map((l) => l.acquire()));
    expect(others.some(Boolean)).toBe(false);
  });

  it("when a pass runs longer than the lease, then it is renewed meanwhile and no other instance starts one", async () => {
    const [dbA, dbB] = await twoInstances();
    let release: () => void = () => {};
    const long = new Promise<void>((resolve) => {
      release = resolve;
    });
    const passes = { a: 0, b: 0 };
    const errors: unknown[] = [];
    const a = new LeasedTimer(
      dbA,
      "long",
      async () => {
        passes.a++;
        await long;
      },
      { everyMs: 10, ttlMs: 600 },
      (e) => errors.push(e),
    );
    const b = new LeasedTimer(
      dbB,
      "long",
      async () => {
        passes.b++;
      },
      { everyMs: 10, ttlMs: 600 },
      (e) => errors.push(e),
    );
    a.kick();
    await vi.waitFor(() => expect(passes.a).toBe(1));
    // Twice the lease's length.
    for (let i = 0; i < 12; i++) {
      expect(await b.tick()).toBe(false);
      await sleep(100);
    }
    release();
    await a.stop();
    expect(await b.tick()).toBe(true);
    await b.stop();
    expect(passes).toEqual({ a: 1, b: 1 });
    expect(errors).toEqual([]);
  });
});
