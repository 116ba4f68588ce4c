import { type Kysely, type Migration, sql } from "kysely";
import { dialectOf } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The /portal-api change feed is written by the records module's own transaction (portal-api/change-feed.ts),
    // from what each change wrote, instead of a SQLite trigger that read the latest step back and so depended on the
    // order of the writes (and on SQLite). Rows already in portal_api_changes stay as they are.
    if (dialectOf(db) === "sqlite") await sql`DROP TRIGGER IF EXISTS portal_api_changes_record`.execute(db);
  },
};
