import { sql } from "kysely";
import type { Db } from "../../db/database";
import type { SlotStore } from "./rate-limiter";

/**
 * The send rate's schedule in the database (table send_slots, migration 0020), so that N instances together stay
 * within ZALO_SEND_RATE_PER_SECOND (issue 16, decision 0020). Each call is one upsert that moves the row's next
 * arrival time on by one interval and returns it: SQLite runs it under its write lock, PostgreSQL under the row's lock,
 * so two instances never get the same slot. Plain SQL on both.
 *
 * The time is each instance's own clock: instances whose clocks disagree by d can together run ahead of the rate by
 * about d × rate calls at most, once (keep them on NTP, as a load-balanced deployment must anyway).
 */
export class DatabaseSlots implements SlotStore {
  constructor(
    private readonly db: Db,
    /** One row per rate: `zalo-oa` for the Open API and ZNS together. */
    private readonly name: string,
  ) {}

  async advance(nowUs: number, intervalUs: number): Promise<number> {
    const now = Math.floor(nowUs);
    const row = await this.db
      .insertInto("send_slots")
      .values({ name: this.name, next_at: now + intervalUs })
      .onConflict((oc) =>
        oc.column("name").doUpdateSet({
          next_at: sql<number>`(CASE WHEN send_slots.next_at > ${now} THEN send_slots.next_at ELSE ${now} END) + ${intervalUs}`,
        }),
      )
      .returning("next_at")
      .executeTakeFirstOrThrow();
    return Number(row.next_at);
  }
}
