import type { Kysely, Migration } from "kysely";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // Budgets shared by every instance on this database (issue 16, decision 0020), instead of each process's memory.
    // Times are milliseconds since 1970 (send slots: microseconds), as bigint: PostgreSQL's integer has 32 bits.
    //
    // A counter per key (the API's and sign-in's limits, the public lookup's): its window starts at the key's first
    // hit and ends `window_end`; a hit after the end starts a new window (one upsert, http/shared-limits.ts).
    await db.schema
      .createTable("limit_counters")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("window_start", "bigint", (c) => c.notNull())
      .addColumn("window_end", "bigint", (c) => c.notNull())
      .addColumn("hits", "integer", (c) => c.notNull())
      .execute();
    // The cleanup deletes ended windows.
    await db.schema.createIndex("limit_counters_window_end").on("limit_counters").column("window_end").execute();

    // Officials' sign-in throttle (login-throttle.ts): one row per address and per address and name, changed only by
    // a compare-and-set on `version`; `forget_at` is when every failure will have faded (then the row is deleted).
    await db.schema
      .createTable("login_throttle")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("failures", "integer", (c) => c.notNull())
      .addColumn("threshold", "integer", (c) => c.notNull())
      .addColumn("last_at", "bigint", (c) => c.notNull())
      .addColumn("blocked_until", "bigint", (c) => c.notNull())
      .addColumn("forget_at", "bigint", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("login_throttle_forget_at").on("login_throttle").column("forget_at").execute();

    // A send rate shared by the instances (clients/zalo/shared-send-rate.ts): the theoretical arrival time of the next
    // call (GCRA), in microseconds; each call moves it on by one interval and sleeps until its own slot.
    await db.schema
      .createTable("send_slots")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("next_at", "bigint", (c) => c.notNull())
      .execute();
  },
};
