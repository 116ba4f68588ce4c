import type { Generated } from "kysely";
import type { Db } from "../../db/database";

/** The tables of migration 0008_portal_api (decision 0011), seen through `withTables` by this module only. */
export type PortalApiTables = {
  portal_api_dossiers: {
    dossier_id: number;
    client_id: string;
    /** MaThamChieu: the calling bot server's own code. */
    reference: string;
    /** NguoiNopThay as received (JSON), or null. */
    on_behalf: string | null;
    created_at: string;
  };
  portal_api_idempotency: {
    client_id: string;
    idempotency_key: string;
    request_hash: string;
    dossier_id: number;
    created_at: string;
  };
  portal_api_uploads: {
    id: Generated<number>;
    dossier_id: number;
    document_index: number | null;
    document_name: string;
    kind: string;
    sha256: string;
    mime: string;
    size: number;
    file_name: string;
    uploaded_at: string;
    used_at: string | null;
  };
  portal_api_changes: {
    id: Generated<number>;
    event_key: string;
    event_id: number;
    dossier_id: number;
    client_id: string;
    from_state: number | null;
    to_state: number;
    at: string;
    action: string | null;
    actor_name: string | null;
    unit_code: string | null;
    note: string | null;
    details: string | null;
    due_date: string | null;
    missing_documents: string;
    fees_due: number | null;
    tracking_number: string | null;
    /** `pending`, `delivered` or `failed` (gave up, or the receiver refused the body). */
    callback_status: Generated<string>;
    callback_attempts: Generated<number>;
    callback_next_at: string;
    callback_error: string | null;
    callback_done_at: string | null;
  };
};

export function portalApiDb(db: Db) {
  return db.withTables<PortalApiTables>();
}
export type PortalApiDb = ReturnType<typeof portalApiDb>;
