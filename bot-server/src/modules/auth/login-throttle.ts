import type { Db } from "../../db/database";

export type LoginThrottleSettings = {
  /** Wrong passwords for one name from one address before that pair waits. */
  perName: number;
  /** Wrong passwords from one address, for any names, before the address waits (a password spray). */
  perAddress: number;
  /** The longest wait; each such quiet span after a key's last failure (or its wait's end) takes one failure off. */
  maxWaitMs: number;
  /** The first wait, doubled after each further failure. */
  firstWaitMs?: number;
};

export type Attempt =
  | { admitted: true; succeeded: () => Promise<void>; failed: () => Promise<void> }
  | { admitted: false; retryAfterMs: number };

export type Entry = { failures: number; threshold: number; last: number; blockedUntil: number };

/**
 * Where the entries live: the database (every instance sees one address's failures, issue 16), or memory in unit tests.
 * A write names the version it read, so that two instances changing one entry at once cannot lose a failure.
 */
export interface ThrottleEntries {
  read(key: string): Promise<{ entry: Entry; version: number } | undefined>;
  /**
   * Writes `entry` (undefined: deletes it) if the key is still at `version` (undefined: absent). False when another
   * write came first: read again.
   */
  write(key: string, entry: Entry | undefined, version: number | undefined): Promise<boolean>;
}

/** A change of one entry: the new entry (undefined: delete), or `keep` to write nothing. */
type Change<T> = (entry: Entry | undefined) => { entry: Entry | undefined; result: T } | { keep: true; result: T };

/**
 * Sign-in throttling by source instead of an account lock (issue 13, finding 7): a lock let anyone shut an official out
 * with five wrong passwords, and its 423 said that the name existed. Here wrong passwords slow down only the address
 * they come from — for the name it tried, and for all names — with a wait that doubles after each further failure. The
 * answer does not depend on whether the name exists. Kept in the database, so that every instance behind the load
 * balancer counts one address's failures together (issue 16, decision 0020).
 *
 * An attempt is counted as a failure when it is admitted, not when its password has been checked, so that many
 * attempts sent at once cannot all slip in before the first failure is recorded; a success takes it back. Each entry
 * changes by compare-and-set, so attempts arriving together at two instances are counted one after the other.
 */
export class LoginThrottle {
  private readonly firstWaitMs: number;

  constructor(
    private readonly settings: LoginThrottleSettings,
    private readonly entries: ThrottleEntries,
    private readonly now: () => number = Date.now,
  ) {
    this.firstWaitMs = settings.firstWaitMs ?? 1000;
  }

  /** `address` is the limiter's address key; `name` the user name as typed (folded here). */
  async attempt(address: string, name: string): Promise<Attempt> {
    const nameKey = `name:${name.trim().toLowerCase()}|${address}`;
    const keys = [
      { key: nameKey, threshold: this.settings.perName },
      { key: `addr:${address}`, threshold: this.settings.perAddress },
    ];
    // Most attempts held back are answered from one read of each entry, without a write.
    const now = this.now();
    const current = await Promise.all(keys.map(({ key }) => this.entries.read(key)));
    const waits = current.map((read, i) => this.waitOf(this.faded(read?.entry, keys[i]?.threshold ?? 0, now), now));
    const wait = Math.max(...waits);
    if (wait > 0) return { admitted: false, retryAfterMs: wait };
    // Then each entry takes the failure only if it is still open; one found closed meanwhile gives back the others'.
    const taken: string[] = [];
    for (const { key, threshold } of keys) {
      const refused = await this.change(key, (stored) => {
        const at = this.now();
        const entry = this.faded(stored, threshold, at) ?? { failures: 0, threshold, last: at, blockedUntil: 0 };
        const waitMs = this.waitOf(entry, at);
        if (waitMs > 0) return { keep: true, result: waitMs };
        return { entry: this.fail(entry, at), result: 0 };
      });
      if (refused > 0) {
        for (const back of taken) await this.change(back, (stored) => ({ entry: this.takeBack(stored), result: 0 }));
        return { admitted: false, retryAfterMs: refused };
      }
      taken.push(key);
    }
    const addressKey = keys[1]?.key ?? "";
    let settled = false;
    return {
      admitted: true,
      succeeded: async () => {
        if (settled) return;
        settled = true;
        await this.change(nameKey, () => ({ entry: undefined, result: 0 }));
        // Only this attempt is taken back: signing in to one's own account between guesses must not clear the address.
        await this.change(addressKey, (stored) => ({ entry: this.takeBack(stored), result: 0 }));
      },
      failed: async () => {
        if (settled) return;
        settled = true;
        // The wait runs from the answer, not from the start of a slow password check.
        const at = this.now();
        for (const { key } of keys) {
          await this.change(key, (stored) => {
            if (!stored) return { keep: true, result: 0 };
            const entry = { ...stored, last: at };
            if (entry.blockedUntil > 0) entry.blockedUntil = at + this.waitAfter(entry);
            return { entry, result: 0 };
          });
        }
      },
    };
  }

  /** Reads the entry, applies `change`, writes it if no other write came between; else again. */
  private async change<T>(key: string, change: Change<T>): Promise<T> {
    for (;;) {
      const read = await this.entries.read(key);
      const outcome = change(read?.entry);
      if ("keep" in outcome) return outcome.result;
      if (!read && !outcome.entry) return outcome.result;
      if (await this.entries.write(key, outcome.entry, read?.version)) return outcome.result;
    }
  }

  /**
   * The entry as it stands at `now`: failures fade, one for each longest wait that passes quietly after the last
   * failure or the end of its wait. Forgetting the whole entry when the wait ended gave a patient guesser the free
   * tries and the ramp again every time (675 guesses a day instead of about 96); a slow fade still clears an office's
   * scattered typos. Undefined when nothing is left of it.
   */
  private faded(stored: Entry | undefined, threshold: number, now: number): Entry | undefined {
    if (!stored) return undefined;
    const entry = { ...stored, threshold: stored.threshold || threshold };
    const since = Math.max(entry.last, entry.blockedUntil);
    const faded = Math.floor((now - since) / this.settings.maxWaitMs);
    if (faded > 0) {
      entry.failures = Math.max(0, entry.failures - faded);
      entry.last = since + faded * this.settings.maxWaitMs;
      if (entry.failures < entry.threshold) entry.blockedUntil = 0;
    }
    return entry.failures === 0 && entry.blockedUntil <= now ? undefined : entry;
  }

  private waitOf(entry: Entry | undefined, now: number): number {
    return entry ? Math.max(0, entry.blockedUntil - now) : 0;
  }

  private fail(entry: Entry, now: number): Entry {
    const failed = { ...entry, failures: entry.failures + 1, last: now };
    if (failed.failures >= failed.threshold) failed.blockedUntil = now + this.waitAfter(failed);
    return failed;
  }

  /** One failure fewer (an attempt that succeeded, or one given back); the wait ends below the threshold. */
  private takeBack(stored: Entry | undefined): Entry | undefined {
    if (!stored) return undefined;
    const entry = { ...stored, failures: Math.max(0, stored.failures - 1) };
    if (entry.failures < entry.threshold) entry.blockedUntil = 0;
    return entry;
  }

  private waitAfter(entry: Entry): number {
    const doublings = Math.min(30, entry.failures - entry.threshold);
    return Math.min(this.settings.maxWaitMs, this.firstWaitMs * 2 ** doublings);
  }
}

/**
 * The entries in table login_throttle (migration 0020). `forget_at` is when all of an entry's failures will have faded
 * (one per `maxWaitMs` after its last failure or wait): SharedLimits' sweep deletes it then.
 */
export class DatabaseThrottleEntries implements ThrottleEntries {
  constructor(
    private readonly db: Db,
    private readonly maxWaitMs: number,
  ) {}

  async read(key: string): Promise<{ entry: Entry; version: number } | undefined> {
    const row = await this.db.selectFrom("login_throttle").selectAll().where("key", "=", key).executeTakeFirst();
    if (!row) return undefined;
    return {
      entry: {
        failures: row.failures,
        threshold: row.threshold,
        last: Number(row.last_at),
        blockedUntil: Number(row.blocked_until),
      },
      version: row.version,
    };
  }

  async write(key: string, entry: Entry | undefined, version: number | undefined): Promise<boolean> {
    if (!entry) {
      if (version === undefined) return true;
      const deleted = await this.db
        .deleteFrom("login_throttle")
        .where("key", "=", key)
        .where("version", "=", version)
        .executeTakeFirst();
      return Number(deleted.numDeletedRows) === 1;
    }
    const values = {
      failures: entry.failures,
      threshold: entry.threshold,
      last_at: entry.last,
      blocked_until: entry.blockedUntil,
      forget_at: Math.max(entry.last, entry.blockedUntil) + entry.failures * this.maxWaitMs,
    };
    if (version === undefined) {
      const inserted = await this.db
        .insertInto("login_throttle")
        .values({ key, ...values, version: 1 })
        .onConflict((oc) => oc.column("key").doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const updated = await this.db
      .updateTable("login_throttle")
      .set({ ...values, version: version + 1 })
      .where("key", "=", key)
      .where("version", "=", version)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }
}
