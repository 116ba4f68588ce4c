import type { Audience } from "@qn/shared";
import type { Db } from "../../db/database";

/**
 * Who an announcement reaches: the OA's current followers, all of them or those subscribed to one of the values
 * (communes, topics). One query serves the fan-out's pages and the preview's count.
 */
export function audienceQuery(db: Db, audience: Audience) {
  const base = db.selectFrom("zalo_users").select("zalo_users.user_id").where("zalo_users.followed", "=", 1);
  if (audience.kind === "all") return base;
  return base.where((eb) =>
    eb.exists(
      eb
        .selectFrom("subscriptions")
        .select("subscriptions.user_id")
        .whereRef("subscriptions.user_id", "=", "zalo_users.user_id")
        .where("subscriptions.kind", "=", audience.kind)
        .where("subscriptions.value", "in", audience.values),
    ),
  );
}

/** How many followers an announcement would reach, counted by the database (not by loading them). */
export async function countAudience(db: Db, audience: Audience): Promise<number> {
  const row = await db
    .selectFrom(audienceQuery(db, audience).as("recipients"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
