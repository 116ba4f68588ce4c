import type { ClientRateLimitInfo, Options, Store } from "express-rate-limit";
import { sql } from "kysely";
import type { Db } from "../db/database";

/** One counted hit: the key's hits in its current window, and when that window ends (ms since 1970). */
export type Hit = { hits: number; resetAt: number };

/** How often ended windows and faded sign-in entries are deleted. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Counters shared by every instance on one database (issue 16, decision 0020): the API's, sign-in's, the callbacks'
 * and /portal-api's per-minute limits, and the public lookup's. A key's window starts at its first hit and lasts
 * `windowMs`, as express-rate-limit's MemoryStore counted before; a hit after the end starts a new window.
 *
 * A hit is one statement, an upsert whose update restarts an ended window, so two instances counting the same key at
 * once both count: SQLite runs it under its write lock, PostgreSQL under the row's lock (ON CONFLICT DO UPDATE).
 * Plain SQL on both (no dialect seam needed). Ended windows are deleted every minute by every instance (idempotent).
 */
export class SharedLimits {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit of `key` and answers its count in the window (this hit included). */
  async hit(key: string, windowMs: number): Promise<Hit> {
    const now = this.now();
    const end = now + windowMs;
    // Every right-hand side reads the row as it was before this update (SQL's UPDATE semantics, both databases).
    const ended = sql<boolean>`limit_counters.window_end <= ${now}`;
    const row = await this.db
      .insertInto("limit_counters")
      .values({ key, window_start: now, window_end: end, hits: 1 })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          hits: sql<number>`CASE WHEN ${ended} THEN 1 ELSE limit_counters.hits + 1 END`,
          window_start: sql<number>`CASE WHEN ${ended} THEN ${now} ELSE limit_counters.window_start END`,
          window_end: sql<number>`CASE WHEN ${ended} THEN ${end} ELSE limit_counters.window_end END`,
        }),
      )
      .returning(["hits", "window_end"])
      .executeTakeFirstOrThrow();
    return { hits: row.hits, resetAt: Number(row.window_end) };
  }

  /** Takes one hit back from the key's current window (a request that is not to count after all). */
  async takeBack(key: string): Promise<void> {
    await this.db
      .updateTable("limit_counters")
      .set({ hits: sql<number>`hits - 1` })
      .where("key", "=", key)
      .where("hits", ">", 0)
      .where("window_end", ">", this.now())
      .execute();
  }

  /** The key's count in its current window, or undefined when it has none. */
  async get(key: string): Promise<Hit | undefined> {
    const row = await this.db
      .selectFrom("limit_counters")
      .select(["hits", "window_end"])
      .where("key", "=", key)
      .where("window_end", ">", this.now())
      .executeTakeFirst();
    return row ? { hits: row.hits, resetAt: Number(row.window_end) } : undefined;
  }

  async reset(key: string): Promise<void> {
    await this.db.deleteFrom("limit_counters").where("key", "=", key).execute();
  }

  /**
   * An express-rate-limit store over these counters. `name` is prepended to every key (each limiter its own, so that
   * one address's API calls and its sign-ins are separate budgets).
   */
  store(name: string): Store {
    return new SharedStore(this, `${name}:`);
  }

  /** Deletes ended windows and sign-in entries whose failures have all faded; answers how many rows went. */
  async sweep(): Promise<number> {
    const now = this.now();
    const counters = await this.db.deleteFrom("limit_counters").where("window_end", "<=", now).executeTakeFirst();
    const throttle = await this.db.deleteFrom("login_throttle").where("forget_at", "<=", now).executeTakeFirst();
    return Number(counters.numDeletedRows) + Number(throttle.numDeletedRows);
  }

  /** Sweeps now and every minute, until `stop`. A failed sweep (the database busy) is reported and tried next time. */
  start(onError: (error: unknown) => void = () => {}, everyMs = SWEEP_EVERY_MS): void {
    if (this.timer) return;
    const sweep = () => {
      this.sweep().catch(onError);
    };
    sweep();
    this.timer = setInterval(sweep, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

class SharedStore implements Store {
  /** Counted in the database: a key counted by one instance is counted for all (express-rate-limit's checks). */
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly limits: SharedLimits,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const hit = await this.limits.get(this.prefix + key);
    return hit ? { totalHits: hit.hits, resetTime: new Date(hit.resetAt) } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const hit = await this.limits.hit(this.prefix + key, this.windowMs);
    return { totalHits: hit.hits, resetTime: new Date(hit.resetAt) };
  }

  async decrement(key: string): Promise<void> {
    await this.limits.takeBack(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.limits.reset(this.prefix + key);
  }
}
