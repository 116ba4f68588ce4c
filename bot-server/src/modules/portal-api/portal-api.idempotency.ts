import { createHash } from "node:crypto";
import { invalid, PortalApiError } from "./portal-api.errors";
import type { PortalApiDb } from "./tables";

/**
 * Idempotent filing (docs/portal-api/openapi.json, Idempotency-Key): a key with the same body gives the same
 * dossier, a key with another body is refused. The key and the request's hash are written in the transaction that
 * files the dossier (PortalApiService.createDossier), so two requests at once cannot both file.
 */

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** The request's key, or the contract's error for a missing or malformed one. */
export function idempotencyKeyOf(key: string | undefined): string {
  if (!key) throw new PortalApiError("IDEMPOTENCY_KEY_REQUIRED", "Thiếu tiêu đề Idempotency-Key");
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw invalid("Idempotency-Key không hợp lệ", [
      { path: "Idempotency-Key", message: "8–128 ký tự: chữ, số, . _ : -" },
    ]);
  }
  return key;
}

/** JSON with keys sorted at every level: two bodies that differ only by key order or spacing hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The hash a replay must match: of the canonical JSON of the parsed body. */
export function requestHash(body: unknown): string {
  return createHash("sha256").update(canonical(body)).digest("hex");
}

/** The code of the dossier this key already filed, or undefined; a key seen with another body is refused. */
export async function replayedCode(
  db: PortalApiDb,
  clientId: string,
  key: string,
  hash: string,
): Promise<string | undefined> {
  const seen = await db
    .selectFrom("portal_api_idempotency as i")
    .innerJoin("dossiers as d", "d.id", "i.dossier_id")
    .select(["i.request_hash", "d.code"])
    .where("i.client_id", "=", clientId)
    .where("i.idempotency_key", "=", key)
    .executeTakeFirst();
  if (!seen) return undefined;
  if (seen.request_hash !== hash) {
    throw new PortalApiError("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key đã được dùng cho một hồ sơ khác");
  }
  return seen.code;
}

/** Another request wrote the same unique row first (the same key or the same upload at the same time): either database. */
export { isUniqueViolation } from "../../db/dialect";
