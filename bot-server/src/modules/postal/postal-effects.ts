import { PickupRequest, type PostalTariff, STATE } from "@qn/shared";
import type { Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { AppError } from "../../errors/app-error";
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
 * - a result handed over by hand: refused while the post carries it; an order not yet at the post is cancelled;
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
    if (step.action === "deliver") {
      // Handed over by hand (at the counter): not while the post carries it — that would tell the citizen too early
      // and lose the postal record — unless the citizen chose the counter after a failed delivery.
      const carried = await trx
        .selectFrom("postal_orders")
        .select(["waybill", "status", "chosen"])
        .where("dossier_id", "=", change.dossierId)
        .where("kind", "=", "delivery")
        .where("status", "in", ["picked-up", "in-transit", "failed"])
        .execute();
      const atPost = carried.find((o) => !(o.status === "failed" && o.chosen === "counter"));
      if (atPost && step.actor.kind === "official") {
        throw new AppError(
          "POSTAL_NOT_ALLOWED",
          `Kết quả đang được bưu điện chuyển phát (mã vận đơn ${atPost.waybill}): hồ sơ tự chuyển sang "Đã trả kết quả" khi bưu điện giao xong.`,
        );
      }
      // Not yet at the post: it need not go any more.
      await trx
        .updateTable("postal_orders")
        .set({ instruction: JSON.stringify({ op: "cancel" }), next_attempt_at: step.at, updated_at: step.at })
        .where("dossier_id", "=", change.dossierId)
        .where("kind", "=", "delivery")
        .where("status", "in", ["waiting", "created"])
        .execute();
      return;
    }
    if (ENDED.has(step.to)) {
      // Not yet sent: nothing to tell the post. Sent, not yet picked up: the queue cancels it there.
      await trx
        .updateTable("postal_orders")
        .set({ instruction: JSON.stringify({ op: "cancel" }), next_attempt_at: step.at, updated_at: step.at })
        .where("dossier_id", "=", change.dossierId)
        .where("status", "in", ["waiting", "created", "failed"])
        .execute();
    }
  };
}
