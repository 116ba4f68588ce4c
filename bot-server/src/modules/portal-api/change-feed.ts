import { randomBytes } from "node:crypto";
import type { Transaction } from "kysely";
import type { Database } from "../../db/schema";
import type { RecordedChange } from "../records/embedded-portal";
import type { PortalApiTables } from "./tables";

/**
 * The `/portal-api` change feed and its callbacks: every recorded step of a dossier filed through this API — whoever
 * made it (an official in /api, this API, another process on the same database) — is written to
 * `portal_api_changes` in the transaction of the change, from what the change itself wrote (not re-read from the
 * tables). Registered on every embedded portal of the process (`onRecorded`); a no-op for other dossiers. This was a
 * SQLite trigger (migration 0008) that relied on the order of the writes; migration 0010 drops it.
 */
export async function recordPortalApiChange(trx: Transaction<Database>, change: RecordedChange): Promise<void> {
  const db = trx.withTables<PortalApiTables>();
  const owner = await db
    .selectFrom("portal_api_dossiers")
    .select("client_id")
    .where("dossier_id", "=", change.dossierId)
    .executeTakeFirst();
  if (!owner) return;
  const { step, dossier } = change;
  await db
    .insertInto("portal_api_changes")
    .values({
      event_key: `evt-${randomBytes(16).toString("hex")}`,
      event_id: change.eventId,
      dossier_id: change.dossierId,
      client_id: owner.client_id,
      from_state: step.from,
      to_state: step.to,
      at: step.at,
      action: step.action,
      actor_name: step.actor.name,
      unit_code: step.actor.unitCode,
      note: step.note,
      details: step.details === null ? null : JSON.stringify(step.details),
      due_date: dossier.dueDate,
      missing_documents: JSON.stringify(dossier.missingDocuments),
      fees_due: dossier.feesDue,
      tracking_number: dossier.postalTracking,
      callback_next_at: step.at,
    })
    .execute();
}
