import { PickupRequest, type PostalTariff, STATE } from "@qn/shared";
import type { Transaction } from "kysely";
import type { Database } from "../../db/schema";
import type { RecordedChange } from "../records/embedded-portal";
import { insertOrder, tariffOf } from "./postal-orders";

type Trx = Transaction<Database>;

/** States that end a dossier before its result: the post has nothing more to pick up for it. */
const ENDED: ReadonlySet<number> = new Set([STATE.REJECTED, STATE.WITHDRAWN, STATE.STOPPED]);

/**
 * What a dossier's steps mean for the post (issue 15) — the one place, run in the transaction of every recorded step
 * whoever made it:
 * - the filing: its pick-up request becomes a waiting order; a dossier received on the postal channel (an HCC officer
 *   recorded that it came by post) counts as received by post from its filing (indicator 5);
 * - the result handed over by the post (the postal service's `deliver`, naming its order) counts as returned by post
 *   (indicator 6) — a tracking number typed by an official does not;
 * - a dossier refused, withdrawn or stopped: an order not yet picked up is cancelled (at the post, if it was sent).
 */
export function postalEffects(defaultTariff: PostalTariff) {
  return async function recordPostalEffects(trx: Trx, change: RecordedChange): Promise<void> {
    const { step } = change;
    if (step.from === null) {
      const row = await trx
        .selectFrom("dossiers")
        .select(["channel", "pickup_request", "unit_code", "citizen_id"])
        .where("id", "=", change.dossierId)
        .executeTakeFirstOrThrow();
      if (row.channel === "postal") {
        await trx
          .updateTable("dossiers")
          .set({ postal_received_at: step.at })
          .where("id", "=", change.dossierId)
          .execute();
      }
      if (row.pickup_request) {
        const pickup = PickupRequest.parse(JSON.parse(row.pickup_request));
        await insertOrder(
          trx,
          {
            dossierId: change.dossierId,
            dossierCode: change.code,
            unitCode: row.unit_code,
            citizenId: row.citizen_id,
            kind: "pickup",
            contact: { name: pickup.name, phone: pickup.phone, address: pickup.address },
            pickup: { date: pickup.date, slot: pickup.slot },
            note: pickup.note ?? null,
            requestedBy: "citizen",
            at: new Date(step.at),
          },
          await tariffOf(trx, row.unit_code, defaultTariff),
        );
      }
      return;
    }
    if (step.action === "deliver" && typeof step.details?.postalOrder === "string") {
      await trx
        .updateTable("dossiers")
        .set({ postal_delivered_at: step.at })
        .where("id", "=", change.dossierId)
        .where("postal_delivered_at", "is", null)
        .execute();
      return;
    }
    if (ENDED.has(step.to)) {
      // Not yet sent: nothing to tell the post. Sent, not yet picked up: the queue cancels it there.
      await trx
        .updateTable("postal_orders")
        .set({ instruction: JSON.stringify({ op: "cancel" }), next_attempt_at: step.at, updated_at: step.at })
        .where("dossier_id", "=", change.dossierId)
        .where("status", "in", ["waiting", "created"])
        .execute();
    }
  };
}
