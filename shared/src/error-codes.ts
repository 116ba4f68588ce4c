/**
 * Every error code the bot server answers with — in `/api`, in `/portal-api`, at the webhooks — with its HTTP status
 * and what it means. The server's AppError accepts only these codes, and the front-ends read the same type, so a code
 * is added, renamed or removed in this one place. The Vietnamese message travels with each error; it is written where
 * the error is raised, because it says what happened to this request.
 */
export const ERROR_CODES = {
  // ─── Any API ─────────────────────────────────────────────────────────────────────────────────────────────────────
  VALIDATION_FAILED: { status: 400, meaning: "A parameter or the body is not acceptable; details name each field." },
  MALFORMED_REQUEST: { status: 400, meaning: "The body could not be parsed (bad JSON, broken multipart)." },
  BAD_REQUEST: { status: 400, meaning: "Another client error reported by the HTTP layer." },
  UNAUTHORIZED: { status: 401, meaning: "No valid session or access token." },
  FORBIDDEN: { status: 403, meaning: "Signed in, but this role or owner may not do this." },
  ORIGIN_NOT_ALLOWED: { status: 403, meaning: "A browser request from an origin not in CORS_ORIGINS." },
  NOT_FOUND: { status: 404, meaning: "The thing asked for does not exist, or is not the caller's to see." },
  ROUTE_NOT_FOUND: { status: 404, meaning: "No such address on the server." },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: "The body is larger than the endpoint accepts." },
  HEADERS_TOO_LARGE: { status: 431, meaning: "The address or the headers are longer than the HTTP server reads." },
  RATE_LIMITED: { status: 429, meaning: "Too many requests from this client; try again in a minute." },
  INTERNAL_ERROR: { status: 500, meaning: "A programmer error; logged, never detailed to the caller." },
  UNAVAILABLE: { status: 503, meaning: "Not recorded now; the sender should try again." },
  NOT_READY: {
    status: 503,
    meaning: "GET /readyz: shutting down, or the database or a queue's table does not answer; details name the check.",
  },

  // ─── Sign-in and accounts (auth) ─────────────────────────────────────────────────────────────────────────────────
  LOGIN_THROTTLED: {
    status: 429,
    meaning: "Too many wrong sign-ins from this address (for this name, or any): wait Retry-After seconds.",
  },
  PHONE_INVALID: { status: 502, meaning: "Zalo returned a phone number that is not a Vietnamese mobile number." },
  UNIT_UNKNOWN: { status: 422, meaning: "An official's account names a receiving unit that does not exist." },
  USERNAME_TAKEN: { status: 409, meaning: "Another official already has this user name." },
  OWN_ACCOUNT_PROTECTED: { status: 409, meaning: "An administrator may not lock or demote their own account." },

  // ─── Catalogue (procedures) ──────────────────────────────────────────────────────────────────────────────────────
  PROCEDURE_NOT_FOUND: { status: 404, meaning: "No procedure with this code in the catalogue." },
  CATALOGUE_INVALID: { status: 422, meaning: "A catalogue import has errors; nothing was imported." },

  // ─── Filing and dossiers (dossiers, records, files) ──────────────────────────────────────────────────────────────
  NOT_ONLINE: { status: 422, meaning: "The procedure does not take dossiers filed online (level below 3)." },
  UPLOAD_REJECTED: { status: 400, meaning: "The upload breaks a limit (file size, number of files, fields)." },
  ATTACHMENT_REJECTED: { status: 415, meaning: "A file is not a JPEG, PNG or PDF by its content, or is too large." },
  UPLOADS_BUSY: { status: 503, meaning: "MAX_CONCURRENT_UPLOADS uploads are being received; retry after Retry-After." },
  STORAGE_QUOTA_EXCEEDED: {
    status: 413,
    meaning: "The files would take the citizen's stored documents over CITIZEN_STORAGE_QUOTA_MB.",
  },
  ILLEGAL_TRANSITION: { status: 409, meaning: "The action is not allowed in the dossier's current state." },
  CONCURRENT_CHANGE: { status: 409, meaning: "Someone else changed the dossier first; reload and try again." },
  TOO_MANY_OPEN_DOSSIERS: {
    status: 409,
    meaning: "The citizen already has FILING_MAX_OPEN_PER_PROCEDURE dossiers of this procedure not yet settled.",
  },
  FILING_RATE_LIMITED: { status: 429, meaning: "The citizen filed FILING_MAX_PER_HOUR dossiers in the last hour." },
  LOOKUP_SECRET_WRONG: { status: 403, meaning: "The public lookup's secret (mã bảo mật on the receipt) is wrong." },
  LOOKUP_RATE_LIMITED: {
    status: 429,
    meaning: "Too many lookups from this source, or of this code, in the window (API and chatbot alike).",
  },
  ALREADY_RATED: { status: 409, meaning: "The citizen has already rated this dossier." },
  NOT_DELIVERED: { status: 409, meaning: "A dossier can be rated only once its result is delivered." },
  HANDLED_ON_PORTAL: { status: 409, meaning: "PORTAL_MODE=http: officials act on the provincial portal itself." },

  // ─── Payments (fees online, issue 14) ────────────────────────────────────────────────────────────────────────────
  NOTHING_TO_PAY: {
    status: 409,
    meaning: "The dossier has no fee due online now (paid, free, exempted or not yet set).",
  },
  PAYMENT_METHOD_UNAVAILABLE: {
    status: 422,
    meaning: "The payment method asked for is not offered by this deployment.",
  },
  PAYMENT_NOT_FOUND: { status: 404, meaning: "No payment attempt with this reference for this caller." },
  PAYMENT_SIGNATURE_INVALID: {
    status: 401,
    meaning: "A payment provider's callback whose signature is missing or wrong; nothing was changed.",
  },
  PAYMENT_PROVIDER_UNAVAILABLE: {
    status: 502,
    meaning: "The payment provider did not answer usefully or refused; the attempt stays and can be retried.",
  },
  REFUND_STATE: { status: 409, meaning: "The refund is already recorded as paid back, or is not due." },

  // ─── Public postal service (issue 15) ────────────────────────────────────────────────────────────────────────────
  POSTAL_NOT_ALLOWED: {
    status: 409,
    meaning: "The procedure may not go by post, or the dossier's state or its orders do not allow this postal request.",
  },
  POSTAL_ORDER_NOT_FOUND: { status: 404, meaning: "No postal order with this reference for this caller." },
  POSTAL_SIGNATURE_INVALID: {
    status: 401,
    meaning: "A postal status callback whose signature is missing, wrong or too old; nothing was changed.",
  },
  POSTAL_SERVICE_UNAVAILABLE: {
    status: 502,
    meaning: "The post did not answer usefully or refused; the order stays queued and is sent again.",
  },

  // ─── Announcements and reports ───────────────────────────────────────────────────────────────────────────────────
  ANNOUNCEMENT_STATE: { status: 409, meaning: "The announcement's state does not allow this step." },
  REPORT_ALREADY_SENT: { status: 409, meaning: "The quarter's report has already been submitted." },

  // ─── Support conversations (chatbot hand-off) ────────────────────────────────────────────────────────────────────
  CONVERSATION_NOT_FOUND: { status: 404, meaning: "No handed-off conversation with this Zalo user." },
  ZALO_WINDOW_CLOSED: { status: 409, meaning: "The citizen has not written for over 7 days; Zalo refuses a reply." },
  ZALO_NOT_AUTHORISED: { status: 502, meaning: "The server no longer holds a valid OA access token." },
  ZALO_UNAVAILABLE: { status: 502, meaning: "Zalo did not answer." },
  ZALO_REFUSED: { status: 502, meaning: "Zalo refused the message." },

  // ─── Outside systems, as clients report them ─────────────────────────────────────────────────────────────────────
  ZALO_API_ERROR: { status: 502, meaning: "The Zalo OA API answered with an error." },
  ZALO_GRAPH_REJECTED: { status: 401, meaning: "Zalo's Graph API refused the citizen's access or phone token." },
  PORTAL_UNAVAILABLE: { status: 503, meaning: "The provincial portal did not answer; the dossier waits in the queue." },
  PORTAL_REJECTED: { status: 502, meaning: "The provincial portal refused a request." },
  PORTAL_PROTOCOL_ERROR: { status: 502, meaning: "The provincial portal answered off its contract." },

  // ─── Webhooks: Zalo OA events and the provincial portal's callbacks ──────────────────────────────────────────────
  SIGNATURE_MISSING: { status: 401, meaning: "A Zalo webhook event without X-ZEvent-Signature." },
  SIGNATURE_INVALID: { status: 401, meaning: "A Zalo webhook event whose signature does not match." },
  APP_MISMATCH: { status: 401, meaning: "A Zalo webhook event for another app id." },
  MALFORMED_EVENT: { status: 400, meaning: "A correctly signed Zalo webhook body that is not a JSON object." },
  EVENT_STALE: {
    status: 401,
    meaning: "A correctly signed Zalo webhook event whose timestamp is WEBHOOK_MAX_SKEW_MINUTES or more from now.",
  },
  BAD_SIGNATURE: { status: 401, meaning: "A portal callback whose signature is missing, wrong or stale." },

  // ─── The portal API we serve (/portal-api, docs/portal-api/openapi.json) ─────────────────────────────────────────
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, meaning: "POST /v1/dossiers without an Idempotency-Key." },
  IDEMPOTENCY_KEY_REUSED: { status: 409, meaning: "The Idempotency-Key was used with another body." },
  CHECKSUM_MISMATCH: { status: 400, meaning: "An upload's MaBam is not the SHA-256 of its content." },
  FILE_TOO_LARGE: { status: 413, meaning: "An upload is larger than the contract's 10 MB." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: "An upload is not a JPEG, PNG or PDF by its content." },
  UNKNOWN_ATTACHMENT: { status: 400, meaning: "A dossier names an upload that is not the client's or is used." },
  DOSSIER_NOT_FOUND: { status: 404, meaning: "No dossier with this code filed by this client." },
  UNIT_NOT_FOUND: { status: 404, meaning: "No receiving unit with this code." },
  PROCEDURE_NOT_AVAILABLE: { status: 422, meaning: "The unit does not take this procedure this way (filing rules)." },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The codes a front-end's request core gives errors that never reached the server or came back unreadable; they are
 * not sent by the server.
 */
export const CLIENT_ERROR_CODES = {
  NETWORK: "The server could not be reached (offline, DNS, CORS refusal, timeout).",
  BAD_RESPONSE: "The server answered something that is not the expected shape.",
  HTTP_ERROR:
    "The server answered an error without the error shape (a proxy's page), or a code this build does not know.",
  CLIENT: "Something else failed in the app itself (a refused permission, a bug), shown with its own message.",
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/** What a front-end's error carries: a code the server sends, or one of its own. */
export type AnyErrorCode = ErrorCode | ClientErrorCode;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
