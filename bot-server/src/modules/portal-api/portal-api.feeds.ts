import {
  type DossierState,
  type PortalProcedure,
  type PortalStateChange,
  Procedure,
  STATE,
  toPortalProcedure,
  toPortalStateChange,
} from "@qn/shared";
import type { Selectable } from "kysely";
import { invalid, PortalApiError } from "./portal-api.errors";
import type { PortalApiDb, PortalApiTables } from "./tables";

/** The feeds of the portal API: a client's dossiers' state changes, and a unit's catalogue, each read by cursor. */

export type Page<T> = { items: T[]; nextCursor: string; hasMore: boolean };

function limitOf(raw: unknown): number {
  if (raw === undefined) return 100;
  const n = typeof raw === "string" && /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 500)) {
    throw invalid("limit phải là số nguyên từ 1 đến 500", [{ path: "limit", message: "Từ 1 đến 500" }]);
  }
  return n;
}

const badCursor = () =>
  invalid("Con trỏ không hợp lệ hoặc đã hết hạn", [{ path: "since", message: "Con trỏ không hợp lệ" }]);

type ChangeRow = Selectable<PortalApiTables["portal_api_changes"]> & { code: string; reference: string };

/** One state change as the contract writes it: the feed's item and the callback's body are the same object. */
export function wireChange(row: ChangeRow): PortalStateChange {
  const details = row.details ? (JSON.parse(row.details) as { amount?: number }) : {};
  return toPortalStateChange({
    eventId: row.event_key,
    code: row.code,
    reference: row.reference,
    fromState: row.from_state as DossierState | null,
    toState: row.to_state as DossierState,
    at: row.at,
    action: row.action?.slice(0, 60) ?? null,
    actorName: row.actor_name?.slice(0, 120) ?? null,
    unitCode: row.unit_code && /^[0-9A-Za-z.]{1,40}$/.test(row.unit_code) ? row.unit_code : null,
    note: row.note?.slice(0, 2000) ?? null,
    dueDate: row.due_date,
    missingDocuments:
      row.to_state === STATE.SUPPLEMENT_REQUESTED ? (JSON.parse(row.missing_documents) as string[]) : [],
    amount: details.amount ?? (row.to_state === STATE.PAYMENT_REQUESTED ? row.fees_due : null),
    trackingNumber: row.tracking_number,
  });
}

/** Reads the changes with what the wire needs (the dossier's code and the caller's reference). */
export function changesQuery(db: PortalApiDb) {
  return db
    .selectFrom("portal_api_changes as c")
    .innerJoin("dossiers as d", "d.id", "c.dossier_id")
    .innerJoin("portal_api_dossiers as p", "p.dossier_id", "c.dossier_id")
    .selectAll("c")
    .select(["d.code as code", "p.reference as reference"]);
}

/** The state changes of this client's dossiers after the cursor (the feed's id), oldest first. */
export async function dossierChanges(
  db: PortalApiDb,
  clientId: string,
  since: unknown,
  limit: unknown,
): Promise<Page<PortalStateChange>> {
  const n = limitOf(limit);
  if (since !== undefined && (typeof since !== "string" || !/^\d{1,15}$/.test(since))) throw badCursor();
  const after = since === undefined ? 0 : Number(since);
  const rows = await changesQuery(db)
    .where("c.client_id", "=", clientId)
    .where("c.id", ">", after)
    .orderBy("c.id")
    .limit(n + 1)
    .execute();
  const items = rows.slice(0, n);
  const last = items.at(-1);
  return { items: items.map(wireChange), nextCursor: String(last?.id ?? after), hasMore: rows.length > n };
}

/** The unit's procedures changed after the cursor — (updated_at, code), oldest first; the whole list without one. */
export async function procedureChanges(
  db: PortalApiDb,
  unitCode: string,
  since: unknown,
  limit: unknown,
): Promise<Page<PortalProcedure>> {
  const n = limitOf(limit);
  let after: [string, string] = ["", ""];
  if (since !== undefined) {
    if (typeof since !== "string" || since.length > 500) throw badCursor();
    try {
      const parsed = JSON.parse(Buffer.from(since, "base64url").toString("utf8")) as unknown;
      if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((p) => typeof p === "string")) {
        throw badCursor();
      }
      after = parsed as [string, string];
    } catch {
      throw badCursor();
    }
  }
  const unit = await db.selectFrom("receiving_units").selectAll().where("code", "=", unitCode).executeTakeFirst();
  if (!unit) throw new PortalApiError("UNIT_NOT_FOUND", "Không tìm thấy đơn vị");
  const [at, code] = after;
  const rows = await db
    .selectFrom("procedures")
    .select(["code", "record", "updated_at"])
    .where("level", "=", unit.level)
    .where((eb) => eb.or([eb("updated_at", ">", at), eb.and([eb("updated_at", "=", at), eb("code", ">", code)])]))
    .orderBy("updated_at")
    .orderBy("code")
    .limit(n + 1)
    .execute();
  const items = rows.slice(0, n);
  const last = items.at(-1);
  const cursor = last ? [last.updated_at, last.code] : after;
  return {
    items: items.map((r) =>
      toPortalProcedure({
        unitCode: unit.code,
        procedure: Procedure.parse(JSON.parse(r.record)),
        inForce: true,
        updatedAt: r.updated_at,
      }),
    ),
    nextCursor: Buffer.from(JSON.stringify(cursor)).toString("base64url"),
    hasMore: rows.length > n,
  };
}
