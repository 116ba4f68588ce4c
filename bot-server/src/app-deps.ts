import type { OaMessenger } from "./clients/zalo/messages";
import type { Config } from "./config";
import type { Db } from "./db/database";
import type { SharedLimits } from "./http/shared-limits";
import type { UploadIntake } from "./http/upload";
import type { Logger } from "./logger";
import type { AuthService } from "./modules/auth/auth.service";
import type { CalendarService } from "./modules/calendar/calendar.service";
import type { ConversationStore } from "./modules/chatbot/conversations";
import type { DossierService } from "./modules/dossiers/dossier.service";
import type { AttachmentStore } from "./modules/files/attachment-store";
import type { OrphanSweeper } from "./modules/files/orphan-sweeper";
import type { Lifecycle } from "./modules/health/lifecycle";
import type { Metrics } from "./modules/metrics/metrics";
import type { AnnouncementService } from "./modules/notifications/announcements";
import type { DeadlineScanner } from "./modules/notifications/deadline-scanner";
import type { OutboxWorker } from "./modules/notifications/outbox-worker";
import type { PaymentLedger } from "./modules/payments/ledger";
import type { PaymentService } from "./modules/payments/payment.service";
import type { ReceiptLinks } from "./modules/payments/receipt-links";
import type { PaymentReconciler } from "./modules/payments/reconciler";
import type { PostalService } from "./modules/postal/postal.service";
import type { PostalQueue } from "./modules/postal/postal-queue";
import type { SandboxPost } from "./modules/postal/sandbox-post";
import type { ProcedureService } from "./modules/procedures/procedure.service";
import type { HttpPortal } from "./modules/provincial-gateway/http-portal";
import type { ReportService } from "./modules/reports/report.service";
import type { WebhookCredentials } from "./modules/webhook/webhook-credentials";
import type { WebhookInbox } from "./modules/webhook/webhook-inbox";

/** What the Express app is built from: `bootstrap.ts` makes them, `createApp` only wires them to routes. */
export type AppDeps = {
  config: Config;
  db: Db;
  logger: Logger;
  procedures: ProcedureService;
  auth: AuthService;
  dossiers: DossierService;
  calendar: CalendarService;
  messenger: OaMessenger;
  conversations: ConversationStore;
  inbox: WebhookInbox;
  webhook: WebhookCredentials;
  worker: OutboxWorker;
  announcements: AnnouncementService;
  deadlines: DeadlineScanner;
  reports: ReportService;
  /** Online payment (issue 14): attempts, callbacks, the officials' ledger, the reconciliation worker. */
  payments: PaymentService;
  paymentLedger: PaymentLedger;
  reconciler: PaymentReconciler;
  /** Signed, short-lived receipt addresses for Zalo's document viewer. */
  receiptLinks: ReceiptLinks;
  /** The public postal service (issue 15): orders, the post's statuses, the queue that sends and polls. */
  postal: PostalService;
  postalQueue: PostalQueue;
  /** Offline mode's test post (POSTAL_SANDBOX), served at /post-sandbox; absent with a real post. */
  postalSandbox?: SandboxPost | undefined;
  /** Multipart uploads, streamed to disk, at most MAX_CONCURRENT_UPLOADS at once (/api and /portal-api). */
  uploads: UploadIntake;
  /** Deletes stored documents and upload temporaries nothing references, after the grace period. */
  orphans: OrphanSweeper;
  /** Citizens' documents, checked and kept in the file store FILE_STORE names (local disk or S3, decision 0019). */
  files: AttachmentStore;
  /** Offline messenger only: the chat simulator's local session, for the outbox and the simulator's config. */
  simulatorToken?: string | undefined;
  /** PORTAL_MODE=http only: the gateway, whose signed callbacks are received at POST /portal-callbacks. */
  httpPortal?: HttpPortal | undefined;
  /** The rate limits' counters in the database, one budget for every instance (issue 16, decision 0020). */
  limits: SharedLimits;
  /** Signs /portal-api access tokens, the same on every instance (derived from the session secret). */
  portalApiTokenKey: Buffer;
  /** Operations (issue 16, decision 0018): shutting down or not (/readyz), and the Prometheus metrics (/metrics). */
  lifecycle: Lifecycle;
  metrics: Metrics;
};
