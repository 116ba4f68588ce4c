import { randomInt } from "node:crypto";
import {
  findUnit,
  type PickupRequest,
  type PostalContact,
  type PostalKind,
  type PostalSender,
  PostalTariff,
  quotePostal,
} from "@qn/shared";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../../db/schema";

type Q = Kysely<Database> | Transaction<Database>;

/**
 * The postal orders' rows (issue 15): how one is recorded, whoever asks for it — the filing's own pick-up request (in
 * the filing's transaction, postal-effects.ts), the citizen later, an official's dispatch. Recorded as `waiting`
 * with `next_attempt_at` now: the postal queue (postal-queue.ts) sends it; nothing here talks to the post.
 */

/**
 * Ours, unique per order: `BC` + 12 digits of the time (UTC, yyMMddHHmmss) + 8 random digits. The post's idempotency
 * key. A bulk dispatch records hundreds in one second: with eight random digits a clash is about one in two thousand
 * for a thousand orders in one second, and the insert draws again when the reference is taken.
 */
export function newPostalReference(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:TZ.]/g, "")
    .slice(2, 14);
  return `BC${stamp}${String(randomInt(0, 100_000_000)).padStart(8, "0")}`;
}

/** The unit's sender details, or null when an administrator has not entered them. */
export async function senderOf(db: Q, unitCode: string): Promise<PostalSender | null> {
  const row = await db.selectFrom("postal_senders").selectAll().where("unit_code", "=", unitCode).executeTakeFirst();
  if (!row) return null;
  return {
    name: row.name,
    phone: row.phone,
    address: { communeCode: row.commune_code, street: row.street },
    customerCode: row.customer_code,
    tariff: PostalTariff.parse(JSON.parse(row.tariff)),
  };
}

/** What the post charges for this unit: its own tariff, else the deployment's default (POSTAL_DEFAULT_TARIFF). */
export async function tariffOf(db: Q, unitCode: string, fallback: PostalTariff): Promise<PostalTariff> {
  return (await senderOf(db, unitCode))?.tariff ?? fallback;
}

/** "Phường Hồng Gai" for a commune code (the current units, or history), as an address line prints it. */
export function communeName(code: string): string {
  const unit = findUnit(code);
  if (!unit) return code;
  const kind = { phuong: "Phường", xa: "Xã", "dac-khu": "Đặc khu" }[unit.type as string];
  return kind ? `${kind} ${unit.name}` : unit.name;
}

export type NewOrder = {
  dossierId: number;
  dossierCode: string;
  unitCode: string;
  citizenId: number | null;
  kind: PostalKind;
  contact: PostalContact;
  pickup: Pick<PickupRequest, "date" | "slot"> | null;
  note: string | null;
  requestedBy: "citizen" | "official";
  at: Date;
};

/**
 * Records an order as waiting to be sent. Returns its reference, or null when the dossier already has an open order
 * of that kind (the unique index decides, so two requests at once give one order).
 */
export async function insertOrder(db: Q, order: NewOrder, tariff: PostalTariff): Promise<string | null> {
  const quote = quotePostal(tariff);
  const at = order.at.toISOString();
  for (let attempt = 0; ; attempt++) {
    const reference = newPostalReference(order.at);
    const clash = await db
      .selectFrom("postal_orders")
      .select("id")
      .where("reference", "=", reference)
      .executeTakeFirst();
    if (clash && attempt < 5) continue;
    const inserted = await db
      .insertInto("postal_orders")
      .values({
        reference,
        dossier_id: order.dossierId,
        dossier_code: order.dossierCode,
        unit_code: order.unitCode,
        citizen_id: order.citizenId,
        kind: order.kind,
        status: "waiting",
        waybill: null,
        sender: "{}",
        contact: JSON.stringify(order.contact),
        pickup_window: order.pickup ? JSON.stringify({ date: order.pickup.date, slot: order.pickup.slot }) : null,
        pickup_date: order.pickup?.date ?? null,
        // A pick-up's charge is paid to the postman in cash; a delivery's is collected on delivery with the COD fee.
        charge: order.kind === "pickup" ? quote.pickup : quote.delivery.charge,
        cod_amount: order.kind === "pickup" ? 0 : quote.delivery.cod,
        note: order.note,
        requested_by: order.requestedBy,
        requested_at: at,
        updated_at: at,
        next_attempt_at: at,
      })
      // Only the one-open-order index is a "no": a reference taken meanwhile still fails loudly.
      .onConflict((oc) =>
        // The index's own predicate, as literals: SQLite matches a partial index's conflict target by its text.
        oc
          .columns(["dossier_id", "kind"])
          .where(sql<boolean>`status NOT IN ('delivered', 'returned', 'cancelled')`)
          .doNothing(),
      )
      .returning("reference")
      .executeTakeFirst();
    return inserted?.reference ?? null;
  }
}
