import type { ColumnType, Generated } from "kysely";

/** Kysely's view of the database. Column names are snake_case; JSON columns hold text. */
export interface Database {
  meta: MetaTable;
  procedures: ProceduresTable;
  procedure_revisions: ProcedureRevisionsTable;
  receiving_units: ReceivingUnitsTable;
  calendar_days: CalendarDaysTable;
  citizens: CitizensTable;
  officials: OfficialsTable;
  security_alerts: SecurityAlertsTable;
  sessions: SessionsTable;
  dossier_counters: DossierCountersTable;
  dossiers: DossiersTable;
  attachments: AttachmentsTable;
  dossier_steps: DossierStepsTable;
  dossier_events: DossierEventsTable;
  oa_tokens: OaTokensTable;
  webhook_events: WebhookEventsTable;
  zalo_users: ZaloUsersTable;
  subscriptions: SubscriptionsTable;
  dev_outbox: DevOutboxTable;
  conversation_messages: ConversationMessagesTable;
  zns_templates: ZnsTemplatesTable;
  announcements: AnnouncementsTable;
  announcement_history: AnnouncementHistoryTable;
  outbox: OutboxTable;
  delivery_attempts: DeliveryAttemptsTable;
  notifications: NotificationsTable;
  notification_prefs: NotificationPrefsTable;
  report_submissions: ReportSubmissionsTable;
  portal_jobs: PortalJobsTable;
  portal_events: PortalEventsTable;
  dossier_charges: DossierChargesTable;
  payment_attempts: PaymentAttemptsTable;
  payment_events: PaymentEventsTable;
  payment_refunds: PaymentRefundsTable;
  postal_orders: PostalOrdersTable;
  postal_events: PostalEventsTable;
  postal_senders: PostalSendersTable;
  postal_waybills: PostalWaybillsTable;
  limit_counters: LimitCountersTable;
  login_throttle: LoginThrottleTable;
  send_slots: SendSlotsTable;
  leases: LeasesTable;
}

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** A bigint column: written as a number, read as a number (SQLite) or a decimal string (node-postgres): `Number()` it. */
type BigIntColumn = ColumnType<number | string, number, number>;

/**
 * Shared budgets (migration 0020, decision 0020). A counter per key: hits in the window that began at the key's first
 * hit (milliseconds since 1970).
 */
export interface LimitCountersTable {
  key: string;
  window_start: BigIntColumn;
  window_end: BigIntColumn;
  hits: number;
}

/** The sign-in throttle's entries (login-throttle.ts), changed by compare-and-set on `version`. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  threshold: number;
  last_at: BigIntColumn;
  blocked_until: BigIntColumn;
  /** When every failure will have faded: the row may be deleted. */
  forget_at: BigIntColumn;
  version: number;
}

/** A send rate shared by the instances: the next call's theoretical arrival time, in microseconds (GCRA). */
export interface SendSlotsTable {
  name: string;
  next_at: BigIntColumn;
}

/** What a dossier owes at one time (migration 0018): its fixed fees at filing, or an official's request. */
export interface DossierChargesTable {
  id: Generated<number>;
  dossier_id: number;
  dossier_code: string;
  kind: "filing" | "request";
  /** JSON PaymentLine[]. */
  lines: string;
  amount: number;
  status: "due" | "paid" | "paid-at-counter" | "cancelled";
  created_at: string;
  settled_at: Nullable<string>;
  settled_attempt_id: Nullable<number>;
}

/** One try to pay a charge, recorded before the citizen leaves for the provider. */
export interface PaymentAttemptsTable {
  id: Generated<number>;
  reference: string;
  charge_id: number;
  dossier_id: number;
  dossier_code: string;
  unit_code: string;
  citizen_id: number | null;
  provider: "sandbox" | "zalo-checkout" | "national";
  amount: number;
  /** JSON PaymentLine[] (the charge's, when the attempt was made). */
  lines: string;
  /** JSON {name, identityNumber, address}: what the provider's receipt block carries. */
  payer: string;
  client_ip: string;
  status: "open" | "paid" | "failed" | "abandoned";
  provider_order_id: Nullable<string>;
  transaction_id: Nullable<string>;
  failure: Nullable<string>;
  created_at: string;
  updated_at: string;
  paid_at: Nullable<string>;
  advanced_at: Nullable<string>;
  receipt_number: Nullable<string>;
  /** A national-platform attempt made through Checkout's custom method: the Checkout attempt it pays. */
  via_attempt_id: Nullable<number>;
  /** When Checkout was told the result (updateOrderStatus). */
  reported_at: Nullable<string>;
  next_check_at: Nullable<string>;
  checks: Generated<number>;
  claimed_by: Nullable<string>;
  claimed_until: Nullable<string>;
}

/** Every confirmation received, with what became of it; `applied` once per provider transaction. */
export interface PaymentEventsTable {
  id: Generated<number>;
  provider: "sandbox" | "zalo-checkout" | "national";
  source: "callback" | "return" | "reconcile";
  reference: string | null;
  attempt_id: number | null;
  dossier_code: string | null;
  unit_code: string | null;
  transaction_id: string | null;
  amount: number;
  outcome: "paid" | "failed";
  result: "applied" | "duplicate" | "refused" | "failed" | "late";
  flag: string | null;
  /** JSON: the provider's fields, without secrets or signatures. */
  fields: string;
  received_at: string;
  resolved_at: Nullable<string>;
  resolved_by: Nullable<number>;
  resolution: Nullable<string>;
}

/** Money to give back to a citizen. */
export interface PaymentRefundsTable {
  id: Generated<number>;
  attempt_id: number;
  dossier_code: string;
  unit_code: string;
  amount: number;
  reason: "withdrawn" | "rejected" | "stopped" | "paid-twice";
  due_at: string;
  done_at: Nullable<string>;
  done_by: Nullable<number>;
  note: Nullable<string>;
}

/** What is still to be sent to the provincial portal (PORTAL_MODE=http): one row per dossier operation. */
export interface PortalJobsTable {
  id: Generated<number>;
  /** `create:<code>`, `supplement:<code>:<n>`, `withdraw:<code>`: a job is written once. */
  idempotency_key: string;
  dossier_id: number;
  dossier_code: string;
  /** `create`, `supplement` or `withdraw`. */
  kind: string;
  payload: string;
  /** What is already done on the portal (uploaded attachments), so a retry does not repeat it. */
  progress: Generated<string>;
  /** `pending`, `in_flight`, `done` or `failed`. */
  status: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  last_error: string | null;
  created_at: string;
  done_at: string | null;
}

/** The portal's change events already received (MaSuKien), applied or not (a change the dossier already had). */
export interface PortalEventsTable {
  event_id: string;
  dossier_code: string;
  /** `callback` or `feed`. */
  source: string;
  applied: number;
  /** When the change happened on the portal (ThoiGian): an older change never undoes a newer one. */
  at: string;
  received_at: string;
}

export interface ReportSubmissionsTable {
  id: Generated<number>;
  unit_code: string;
  year: number;
  quarter: number;
  /** The report (IndicatorReport JSON) as it stood when the unit sent it. */
  figures: string;
  submitted_by: number;
  submitted_by_name: string;
  submitted_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface ProceduresTable {
  code: string;
  name: string;
  field: string;
  level: string;
  agency: string;
  online_level: number;
  processing_days: number | null;
  postal: number;
  /** The whole record as validated JSON (`Procedure` in shared/). */
  record: string;
  created_at: ColumnType<string, string, never>;
  updated_at: string;
}

/**
 * Each change of a procedure's online level or postal availability, so that indicators count a procedure by the
 * level it had during the reporting period (issue 6), not by today's value.
 */
export interface ProcedureRevisionsTable {
  id: Generated<number>;
  code: string;
  online_level: number;
  postal: number;
  valid_from: string;
}

export interface ReceivingUnitsTable {
  code: string;
  name: string;
  agency_code: string;
  level: string;
}

export interface CalendarDaysTable {
  date: string;
  name: string;
  kind: string;
  updated_by: string | null;
  updated_at: string;
}

export interface CitizensTable {
  id: Generated<number>;
  zalo_id: string;
  name: string;
  dev_identity: number;
  phone: string | null;
  phone_consent_at: string | null;
  created_at: string;
  last_seen_at: string;
}

export interface OfficialsTable {
  id: Generated<number>;
  username: string;
  name: string;
  role: string;
  unit_code: string;
  password_hash: string;
  active: Generated<number>;
  failed_logins: Generated<number>;
  locked_until: string | null;
  created_at: string;
}

/** Warnings for administrators (migration 0017): an account collecting wrong passwords, one open row per account. */
export interface SecurityAlertsTable {
  id: Generated<number>;
  /** `login-failures`. */
  kind: string;
  official_id: number;
  username: string;
  /** Consecutive wrong passwords on the account when last counted. */
  failures: number;
  /** JSON array of the addresses they came from (the most recent few). */
  sources: string;
  first_at: string;
  last_at: string;
  /** When the account then signed in with the right password while the alert was open. */
  signed_in_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: number | null;
}

export interface SessionsTable {
  id: string;
  subject_kind: string;
  subject_id: number;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** The sequential day counters of the first codes; unused since codes end in random digits (migration 0014). */
export interface DossierCountersTable {
  agency_code: string;
  day: string;
  last: number;
}

export interface DossiersTable {
  id: Generated<number>;
  code: string;
  state: number;
  resume_state: number | null;
  procedure_code: string;
  procedure_snapshot: string;
  unit_code: string;
  channel: string;
  citizen_id: number | null;
  applicant: string;
  applicant_name: string;
  result_delivery: string;
  form_data: string;
  filed_by_official_id: number | null;
  on_behalf_consent: string | null;
  submitted_at: string;
  accepted_at: string | null;
  complete_received_at: string | null;
  due_date: string | null;
  fees_due: number | null;
  missing_documents: Generated<string>;
  postal_tracking: string | null;
  rating_score: number | null;
  rating_comment: string | null;
  updated_at: string;
  /** The procedure's online level when the dossier was filed (indicators 2 and 3 count by it). */
  online_level: number | null;
  /** `counter`, `online` or `post`: how the result goes out (copied from result_delivery for the reports). */
  result_method: string | null;
  /** When the result was delivered (state 10). */
  delivered_at: string | null;
  /** The provincial portal's code (MaHoSo) once it answered (PORTAL_MODE=http only). */
  portal_code: ColumnType<string | null, string | null | undefined, string | null>;
  /** The receipt's secret (mã bảo mật) that opens the public lookup's details; null only if never drawn. */
  lookup_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** An official's spam mark: when, by which official, why (migration 0015). */
  spam_at: ColumnType<string | null, string | null | undefined, string | null>;
  spam_by: ColumnType<number | null, number | null | undefined, number | null>;
  spam_note: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON FeeChoice: what the citizen chose about the fees when filing (migration 0018). */
  fee_choice: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON {accepted, by, at, note}: an official's check of the exemption claimed. */
  exemption_check: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON PickupRequest: the filing's request for the post to pick up the originals (migration 0019). */
  pickup_request: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the post picked up the originals (indicator 5), and when it delivered the result (indicator 6). */
  postal_received_at: ColumnType<string | null, string | null | undefined, string | null>;
  postal_delivered_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A postal order (migration 0019): the post picks up the originals or carries the result. */
export interface PostalOrdersTable {
  id: Generated<number>;
  reference: string;
  dossier_id: number;
  dossier_code: string;
  unit_code: string;
  citizen_id: number | null;
  kind: "pickup" | "delivery";
  status: "waiting" | "created" | "picked-up" | "in-transit" | "delivered" | "failed" | "returned" | "cancelled";
  waybill: Nullable<string>;
  /** JSON PostParty (the unit's side, as sent). */
  sender: string;
  /** JSON PostalContact (the citizen's side). */
  contact: string;
  /** JSON {date, slot}. */
  pickup_window: Nullable<string>;
  pickup_date: Nullable<string>;
  charge: number;
  cod_amount: number;
  note: Nullable<string>;
  requested_by: "citizen" | "official";
  requested_at: string;
  accepted_at: Nullable<string>;
  status_at: Nullable<string>;
  /** JSON PostalProof. */
  proof: Nullable<string>;
  chosen: Nullable<"redeliver" | "change-address" | "counter">;
  /** JSON {op: "cancel"} | {op: "redeliver", receiver: PostParty | null}: still to tell the post. */
  instruction: Nullable<string>;
  updated_at: string;
  send_attempts: Generated<number>;
  last_error: Nullable<string>;
  next_attempt_at: Nullable<string>;
  claimed_by: Nullable<string>;
  claimed_until: Nullable<string>;
}

export interface PostalEventsTable {
  id: Generated<number>;
  order_id: number;
  source: "callback" | "poll" | "create" | "system";
  /** The post's event id, else `status@at`. */
  event_key: string;
  status: string;
  at: string;
  received_at: string;
  result: "applied" | "stale" | "same";
  note: Nullable<string>;
}

export interface PostalSendersTable {
  unit_code: string;
  name: string;
  phone: string;
  street: string;
  commune_code: string;
  customer_code: Nullable<string>;
  /** JSON PostalTariff. */
  tariff: string;
  updated_at: string;
  updated_by: Nullable<number>;
}

export interface PostalWaybillsTable {
  waybill: string;
  added_at: string;
  order_id: Nullable<number>;
}

export interface AttachmentsTable {
  id: Generated<number>;
  dossier_id: number;
  document_index: number | null;
  document_name: string;
  sha256: string;
  mime: string;
  size: number;
  file_name: string;
  kind: string;
  uploaded_at: string;
}

export interface DossierStepsTable {
  id: Generated<number>;
  dossier_id: number;
  at: string;
  actor_kind: string;
  actor_id: number | null;
  actor_name: string;
  role: string;
  unit_code: string | null;
  action: string;
  note: string | null;
  from_state: number | null;
  to_state: number;
  details: string | null;
}

export interface DossierEventsTable {
  id: Generated<number>;
  dossier_id: number;
  type: string;
  payload: string;
  created_at: string;
}

export interface OaTokensTable {
  id: number;
  access_token_enc: string;
  refresh_token_enc: string;
  access_expires_at: string;
  refreshing_until: string | null;
  updated_at: string;
}

export interface WebhookEventsTable {
  id: Generated<number>;
  dedup_key: string;
  event_name: string;
  user_id: string | null;
  app_user_id: string | null;
  raw: string;
  received_at: string;
  status: string;
  attempts: Generated<number>;
  processed_at: string | null;
  error: string | null;
  /** The inbox's lease (migration 0021): who works on it (status `in_flight`) and until when; the next try's time. */
  claimed_by: string | null;
  claimed_until: string | null;
  next_attempt_at: string | null;
}

/** A named lease on periodic work (migration 0021, background/lease.ts): one holder at a time across instances. */
export interface LeasesTable {
  name: string;
  holder: string;
  held_until: string;
}

export interface ZaloUsersTable {
  user_id: string;
  app_user_id: string | null;
  followed: Generated<number>;
  followed_at: string | null;
  unfollowed_at: string | null;
  last_interaction_at: string | null;
  handoff_until: string | null;
  handoff_requested_at: string | null;
  handoff_note: string | null;
  /** The unit whose officials answer the hand-off: the citizen's commune, or where it was routed (migration 0013). */
  handoff_unit_code: ColumnType<string | null, string | null | undefined, string | null>;
  /** The official the hand-off is assigned to, who answers it whatever their unit. */
  handoff_assignee_id: ColumnType<number | null, number | null | undefined, number | null>;
  shared_name: string | null;
  shared_phone: string | null;
  shared_address: string | null;
  info_consent_at: string | null;
}

export interface SubscriptionsTable {
  user_id: string;
  kind: string;
  value: string;
  created_at: string;
}

export interface DevOutboxTable {
  id: Generated<number>;
  channel: string;
  recipient: string;
  payload: string;
  created_at: string;
}

export interface AnnouncementsTable {
  id: Generated<number>;
  title: string;
  body: string;
  image_url: string | null;
  link: string | null;
  audience: string;
  status: string;
  created_by: number;
  approved_by: number | null;
  scheduled_at: string | null;
  published_at: string | null;
  fanout_done: Generated<number>;
  created_at: string;
  updated_at: string;
  /** The unit it belongs to: its author's when written (migration 0012). */
  unit_code: ColumnType<string, string | undefined, string>;
}

/** Every edit of an announcement (with the fields it changed) and every step of its workflow: who, when, what. */
export interface AnnouncementHistoryTable {
  id: Generated<number>;
  announcement_id: number;
  at: string;
  official_id: number;
  official_name: string;
  /** `create`, `update`, `submit`, `approve`, `schedule`, `pause`, `resume` or `cancel`. */
  action: string;
  from_status: string | null;
  to_status: string;
  /** For `create` and `update`: JSON `[{ field, before, after }]`. */
  changes: string | null;
}

export interface OutboxTable {
  id: Generated<number>;
  idempotency_key: string;
  kind: string;
  citizen_id: number | null;
  zalo_user_id: string | null;
  announcement_id: number | null;
  payload: string;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  channel: string | null;
  provider_message_id: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface DeliveryAttemptsTable {
  id: Generated<number>;
  outbox_id: number;
  at: string;
  channel: string;
  outcome: string;
  detail: string | null;
}

export interface NotificationsTable {
  id: Generated<number>;
  citizen_id: number;
  source_key: string;
  kind: string;
  title: string;
  body: string;
  dossier_code: string | null;
  link: string | null;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPrefsTable {
  citizen_id: number;
  kind: string;
  zalo_enabled: number;
}

/** Officials' replies to citizens handed off by the chatbot, with the outcome of each send. */
export interface ConversationMessagesTable {
  id: Generated<number>;
  /** The citizen's OA user id (zalo_users.user_id). */
  user_id: string;
  /** `out`: an official's reply (the citizen's messages are in webhook_events). */
  direction: string;
  official_id: number | null;
  official_name: string | null;
  text: string;
  created_at: string;
  /** `pending`, `sent`, `offline` (written to dev_outbox, not sent) or `failed`. */
  status: string;
  provider_message_id: string | null;
  error_code: string | null;
  error: string | null;
  sent_at: string | null;
}

/** An administrator's choice of ZNS template for a notification kind (else ZNS_TEMPLATES from the environment). */
export interface ZnsTemplatesTable {
  kind: string;
  template_id: string;
  /** JSON: template parameter name → notification field. */
  params: string;
  updated_by: string;
  updated_at: string;
}
