import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../../db/database";
import {
  type Attempt,
  DatabaseThrottleEntries,
  type Entry,
  LoginThrottle,
  type ThrottleEntries,
} from "./login-throttle";

/** The entries in a map, with the database's compare-and-set: the throttle's rules alone, and fast. */
class MemoryEntries implements ThrottleEntries {
  private readonly map = new Map<string, { entry: Entry; version: number }>();

  async read(key: string) {
    const held = this.map.get(key);
    return held ? { entry: { ...held.entry }, version: held.version } : undefined;
  }

  async write(key: string, entry: Entry | undefined, version: number | undefined) {
    if (this.map.get(key)?.version !== version) return false;
    if (entry) this.map.set(key, { entry: { ...entry }, version: (version ?? 0) + 1 });
    else this.map.delete(key);
    return true;
  }
}

const databases: Db[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.destroy()));
});

async function sqliteEntries(): Promise<ThrottleEntries> {
  const db = await openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), "qn-throttle-")));
  databases.push(db);
  return new DatabaseThrottleEntries(db, 60_000);
}

const failed = async (pending: Promise<Attempt>) => {
  const a = await pending;
  if (!a.admitted) throw new Error("refused");
  await a.failed();
};

const admitted = async (pending: Promise<Attempt>) => (await pending).admitted;

describe.each([
  ["in memory", async () => new MemoryEntries() as ThrottleEntries],
  ["in the database", sqliteEntries],
])("sign-in throttling, entries %s", (_where, entries) => {
  async function throttle() {
    let now = 1_000_000;
    const t = new LoginThrottle(
      { perName: 3, perAddress: 5, maxWaitMs: 60_000, firstWaitMs: 1000 },
      await entries(),
      () => now,
    );
    return { t, tick: (ms: number) => (now += ms) };
  }

  it("when a name fails from one address, then after the allowed failures it waits 1 s, then 2 s, 4 s… up to the longest", async () => {
    const { t, tick } = await throttle();
    for (let i = 0; i < 3; i++) await failed(t.attempt("ip:a", "an"));
    expect(await t.attempt("ip:a", "an")).toEqual({ admitted: false, retryAfterMs: 1000 });
    tick(1000);
    await failed(t.attempt("ip:a", "an"));
    expect(await t.attempt("ip:a", "an")).toMatchObject({ retryAfterMs: 2000 });
    // Another address trying the same name is not held back.
    expect(await admitted(t.attempt("ip:b", "an"))).toBe(true);
  });

  it("when an address tries many names, then it waits once it reaches its own limit", async () => {
    const { t } = await throttle();
    for (let i = 0; i < 5; i++) await failed(t.attempt("ip:a", `name-${i}`));
    expect(await t.attempt("ip:a", "someone-else")).toMatchObject({ admitted: false });
  });

  it("when attempts arrive together, then each counts before its password is checked", async () => {
    const { t } = await throttle();
    const attempts = await Promise.all(Array.from({ length: 6 }, () => t.attempt("ip:a", "an")));
    expect(attempts.filter((a) => a.admitted)).toHaveLength(3);
  });

  it("when the right password follows a typo, then the name starts again but the address keeps its count", async () => {
    const { t } = await throttle();
    await failed(t.attempt("ip:a", "an"));
    await failed(t.attempt("ip:a", "an"));
    const right = await t.attempt("ip:a", "an");
    if (!right.admitted) throw new Error("refused");
    await right.succeeded();
    await failed(t.attempt("ip:a", "an"));
    await failed(t.attempt("ip:a", "an"));
    expect(await admitted(t.attempt("ip:a", "an"))).toBe(true);
    // 2 + 2 + 1 failures (the admitted attempt above) from this address: its limit of 5 is reached.
    expect(await admitted(t.attempt("ip:a", "binh"))).toBe(false);
  });

  it("when the name differs only in case or spaces, then it is the same name", async () => {
    const { t } = await throttle();
    for (const name of ["An", " an", "AN "]) await failed(t.attempt("ip:a", name));
    expect(await admitted(t.attempt("ip:a", "an"))).toBe(false);
  });

  it("when failures stop, then they fade one per longest wait, so an office's scattered typos clear", async () => {
    const { t, tick } = await throttle();
    for (let i = 0; i < 3; i++) await failed(t.attempt("ip:a", "an"));
    expect(await admitted(t.attempt("ip:a", "an"))).toBe(false);
    tick(60_000 + 1000);
    // One failure has faded: below the threshold again, so this try is let in; a wrong one blocks again at once.
    await failed(t.attempt("ip:a", "an"));
    expect(await admitted(t.attempt("ip:a", "an"))).toBe(false);
    tick(4 * 61_000);
    expect(await admitted(t.attempt("ip:a", "an"))).toBe(true);
  });
});

describe("sign-in throttling over hours", () => {
  it("when a guesser tries every second for six hours, then after the ramp they get one try per longest wait", async () => {
    let now = 1_000_000;
    const t = new LoginThrottle(
      { perName: 3, perAddress: 5, maxWaitMs: 60_000, firstWaitMs: 1000 },
      new MemoryEntries(),
      () => now,
    );
    let count = 0;
    for (let second = 0; second < 6 * 3600; second++) {
      const attempt = await t.attempt("ip:a", "an");
      if (attempt.admitted) {
        count++;
        await attempt.failed();
      }
      now += 1000;
    }
    // 3 free tries and the ramp (1 s … 32 s), then one per 60 s wait. Forgetting the key when its wait ended gave the
    // free tries and the ramp back every two minutes: about 1,600 tries here.
    expect(count).toBeLessThanOrEqual(6 * 60 + 15);
  });
});

describe("sign-in throttling across instances", () => {
  it("when two instances on one database take attempts for one name at once, then only the allowed number are let in", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-throttle-"));
    const [a, b] = [await openDatabase(dir), await openDatabase(dir)];
    databases.push(a, b);
    const settings = { perName: 3, perAddress: 50, maxWaitMs: 60_000 };
    const first = new LoginThrottle(settings, new DatabaseThrottleEntries(a, 60_000));
    const second = new LoginThrottle(settings, new DatabaseThrottleEntries(b, 60_000));
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : second).attempt("ip:x", "an")),
    );
    expect(attempts.filter((t) => t.admitted)).toHaveLength(3);
    for (const attempt of attempts) if (attempt.admitted) await attempt.failed();
    const rows = await a.selectFrom("login_throttle").select(["key", "failures"]).orderBy("key").execute();
    expect(rows).toEqual([
      { key: "addr:ip:x", failures: 3 },
      { key: "name:an|ip:x", failures: 3 },
    ]);
  });
});
