import { randomBytes } from "node:crypto";
import path from "node:path";
import { currentCommunes, miniAppLink, PROVINCE_CODE, pickupDateProblem, vietnamToday } from "@qn/shared";
import { createApp } from "./app";
import type { AppDeps } from "./app-deps";
import { NationalPaymentProvider } from "./clients/payments/national/national-payment.client";
import { ZaloCheckoutProvider } from "./clients/payments/zalo-checkout/zalo-checkout.client";
import { type PostClient, PostError } from "./clients/postal/post";
import { PostalClient } from "./clients/postal/postal.client";
import { PortalClient } from "./clients/provincial-portal/portal.client";
import type { OaMessenger } from "./clients/zalo/messages";
import { OaTokenStore } from "./clients/zalo/oa-token-store";
import { OfflineMessenger } from "./clients/zalo/offline-messenger";
import { DatabaseSlots } from "./clients/zalo/shared-send-rate";
import { ZaloOaClient } from "./clients/zalo/zalo-oa.client";
import { ZaloGraphClient } from "./clients/zalo-graph.client";
import type { Config } from "./config";
import { type Db, openDatabase, openPostgres } from "./db/database";
import { SharedLimits } from "./http/shared-limits";
import { newSimulatorToken } from "./http/simulator-session";
import { UploadIntake } from "./http/upload";
import { createLogger, type Logger } from "./logger";
import { AuthService } from "./modules/auth/auth.service";
import { resolveSessionSecret, SessionService } from "./modules/auth/session.service";
import { CalendarService } from "./modules/calendar/calendar.service";
import { Chatbot } from "./modules/chatbot/chatbot";
import { ConversationStore } from "./modules/chatbot/conversations";
import { DossierService } from "./modules/dossiers/dossier.service";
import { LookupLimits } from "./modules/dossiers/lookup-limits";
import { seedReceivingUnits } from "./modules/dossiers/receiving-units";
import { AttachmentStore } from "./modules/files/attachment-store";
import { incomingDirOf, openFileStore } from "./modules/files/file-store";
import { OrphanSweeper } from "./modules/files/orphan-sweeper";
import { CitizenStorageQuota } from "./modules/files/storage-quota";
import { Lifecycle } from "./modules/health/lifecycle";
import { Metrics } from "./modules/metrics/metrics";
import { AnnouncementService } from "./modules/notifications/announcements";
import { DeadlineScanner } from "./modules/notifications/deadline-scanner";
import { NotificationDelivery } from "./modules/notifications/delivery";
import { NotificationPlanner } from "./modules/notifications/notification-planner";
import { OutboxWorker } from "./modules/notifications/outbox-worker";
import { PaymentLedger } from "./modules/payments/ledger";
import { type PaymentProviders, PaymentService } from "./modules/payments/payment.service";
import { recordPaymentEffects } from "./modules/payments/payment-effects";
import { ReceiptLinks } from "./modules/payments/receipt-links";
import { PaymentReconciler } from "./modules/payments/reconciler";
import { SandboxProvider } from "./modules/payments/sandbox-provider";
import { recordPortalApiChange } from "./modules/portal-api/change-feed";
import { portalApiTokenKey } from "./modules/portal-api/portal-api.auth";
import { PostalService } from "./modules/postal/postal.service";
import { postalEffects } from "./modules/postal/postal-effects";
import { PostalQueue } from "./modules/postal/postal-queue";
import { SandboxPost } from "./modules/postal/sandbox-post";
import { sandboxTransport } from "./modules/postal/sandbox-transport";
import { ProcedureRepository } from "./modules/procedures/procedure.repository";
import { ProcedureService } from "./modules/procedures/procedure.service";
import { seedStarterCatalogue } from "./modules/procedures/starter-catalogue";
import { HttpPortal } from "./modules/provincial-gateway/http-portal";
import { EmbeddedPortal, type EmbeddedPortalHooks } from "./modules/records/embedded-portal";

import type { PortalGateway } from "./modules/records/gateway";
import { ReportRepository } from "./modules/reports/report.repository";
import { ReportService } from "./modules/reports/report.service";
import { webhookCredentials } from "./modules/webhook/webhook-credentials";
import { WebhookInbox } from "./modules/webhook/webhook-inbox";

/** What every change of the system of record also writes, in its transaction, in every process. */
function recorders(config: Config): NonNullable<EmbeddedPortalHooks["onRecorded"]> {
  return [recordPortalApiChange, recordPaymentEffects, postalEffects(config.postal.defaultTariff)];
}

/**
 * Opens the database, migrates, seeds the reference data (catalogue, receiving units, holidays) and wires the
 * services: everything `createApp` needs.
 */
export async function bootstrap(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
  open: (dataDir: string) => Promise<Db> = openDatabase,
) {
  // DATABASE_URL: PostgreSQL (several instances, issue 16); otherwise the embedded SQLite file in DATA_DIR.
  const db: Db = config.database
    ? await openPostgres(config.database.url, { poolSize: config.database.poolSize })
    : await open(config.dataDir);
  const repository = new ProcedureRepository(db);
  if (config.seedStarterCatalogue) await seedStarterCatalogue(repository, logger);
  await seedReceivingUnits(db);
  const calendar = new CalendarService(db);
  await calendar.seedIfEmpty();
  const procedures = new ProcedureService(repository);
  await procedures.refresh();

  const offline = !config.zalo.appSecret;
  if (offline) logger.warn("offline mode: no ZALO_APP_SECRET, development identities are enabled at /api/auth/dev");
  const sessionSecret = resolveSessionSecret(config.sessionSecret, config.dataDir);
  const sessions = new SessionService(db, sessionSecret);
  const auth = new AuthService(
    db,
    sessions,
    new ZaloGraphClient(config.zalo.graphUrl, config.zalo.appSecret),
    {
      citizenSessionHours: config.citizenSessionHours,
      officialSessionHours: config.officialSessionHours,
      loginAlertFailures: config.loginAlertFailures,
      offline,
    },
    logger,
  );
  const planner = new NotificationPlanner(config.miniAppId);
  // FILE_STORE (issue 16, decision 0019): this machine's disk, or a bucket every instance shares.
  const files = new AttachmentStore(
    await openFileStore(config.fileStore, config.dataDir),
    incomingDirOf(config.dataDir),
    config.maxUploadBytes,
  );
  if (config.fileStore.kind === "s3") {
    logger.info({ bucket: config.fileStore.bucket }, "files: documents in an S3-compatible bucket (FILE_STORE=s3)");
  } else if (config.database) {
    logger.warn("files: FILE_STORE=local with PostgreSQL: documents stay on this machine; several instances need s3");
  }
  // One intake for /api and /portal-api: MAX_CONCURRENT_UPLOADS counts both (issue 13, finding 4).
  const uploads = new UploadIntake(
    files.incomingDir,
    { maxConcurrent: config.maxConcurrentUploads, waitMs: config.uploadWaitMs },
    config.uploadBuffering,
  );
  const orphans = new OrphanSweeper(db, files, config.orphanGraceMs, logger);
  const RECORDERS = recorders(config);
  // PORTAL_MODE (docs/decisions/0011): nothing above the gateway knows which one runs.
  const httpPortal =
    config.portal.mode === "http"
      ? createHttpPortal(config.portal, db, calendar, planner, files, RECORDERS, logger)
      : undefined;
  const portal: PortalGateway =
    httpPortal ?? new EmbeddedPortal(db, calendar, () => new Date(), planner, { onRecorded: RECORDERS });
  // The rate limits' counters, in the database: every instance draws on one budget (issue 16, decision 0020).
  const limits = new SharedLimits(db);
  limits.start((error) => logger.warn({ err: error }, "shared limits: the sweep of ended windows failed"));
  // One set of lookup limits for the API and the chatbot: a code tried in both counts once per try.
  const lookups = new LookupLimits(config.lookupLimit, limits);
  const dossiers = new DossierService(
    portal,
    procedures,
    files,
    {
      quota: config.filingQuota,
      lookups,
      pickupDateProblem: async (date) => pickupDateProblem(date, vietnamToday(), await calendar.calendar()),
    },
    new CitizenStorageQuota(db, config.citizenStorageQuotaBytes),
  );

  const messenger = await createMessenger(config, db, logger);
  const conversations = new ConversationStore(db);
  const chatbot = new Chatbot(db, conversations, procedures, portal, messenger, {
    miniAppId: config.miniAppId,
    handoffHours: config.handoffHours,
    lookups,
  });
  const inbox = new WebhookInbox(db, (event) => chatbot.handle(event), logger);
  const delivery = new NotificationDelivery(db, messenger, {
    csWindowHours: config.notifyCsWindowHours,
    znsTemplates: config.znsTemplates,
  });
  const metrics = new Metrics(db, logger);
  const counted = metrics.countDeliveries(delivery, config.outbox.maxAttempts);
  const worker = new OutboxWorker(db, counted, config.outbox, logger);
  const announcements = new AnnouncementService(db, config.announcementApproval, () => worker.kick(), logger);
  const deadlines = new DeadlineScanner(db, calendar, planner, () => worker.kick(), logger);
  // A committed dossier change may have queued a notification: wake the worker.
  portal.subscribe(() => worker.kick());
  const payments = new PaymentService(
    db,
    portal,
    dossiers,
    createPaymentProviders(config, logger),
    planner,
    {
      firstCheckMs: config.payments.checkBaseMs,
      checkMaxMs: config.payments.checkMaxMs,
      abandonAfterMs: config.payments.abandonAfterMs,
      // Offline, the mini-app is served here: back to its payment screen. With Zalo, the mini-app's own link.
      returnUrl: (code, reference) =>
        offline
          ? `/dossiers/${encodeURIComponent(code)}/pay?ref=${encodeURIComponent(reference)}`
          : miniAppLink(config.miniAppId, { kind: "page", page: "pay", code }),
      verifyUrl: (code) => miniAppLink(config.miniAppId, { kind: "page", page: "lookup", code }),
    },
    logger,
  );
  const reconciler = new PaymentReconciler(
    db,
    payments,
    {
      pollMs: config.payments.pollMs,
      retryBaseMs: config.payments.checkBaseMs,
      retryMaxMs: config.payments.checkMaxMs,
      abandonAfterMs: config.payments.abandonAfterMs,
    },
    logger,
  );
  const { post, sandbox: postalSandbox } = await createPost(config, db, logger);
  let postalQueue: PostalQueue | undefined;
  const postal = new PostalService(
    db,
    portal,
    dossiers,
    calendar,
    post,
    planner,
    { defaultTariff: config.postal.defaultTariff, waybillPool: config.postal.waybillPool },
    logger,
    () => postalQueue?.kick(),
  );
  postalQueue = new PostalQueue(
    db,
    postal,
    post,
    {
      pollMs: config.postal.queuePollMs,
      retryBaseMs: config.postal.retryBaseMs,
      retryMaxMs: config.postal.retryMaxMs,
      statusPollMs: config.postal.pollMs,
    },
    logger,
  );
  // A committed dossier change may have recorded a postal order (a pick-up asked for at filing): send it.
  portal.subscribe(() => postalQueue?.kick());
  const webhook = webhookCredentials(config.zalo.appId, config.zalo.oaSecretKey, config.dataDir);
  if (webhook.development) logger.warn("webhook: development app id and OA secret in use (DATA_DIR/secrets)");
  inbox.start();
  // In every process: sweeping is safe beside filings of this or another process sharing DATA_DIR.
  orphans.start();
  httpPortal?.start();
  if (config.outbox.workers !== 0) {
    worker.start();
    reconciler.start();
    postalQueue.start();
    announcements.start();
    deadlines.start();
  }

  const deps: AppDeps = {
    config,
    db,
    logger,
    procedures,
    auth,
    dossiers,
    calendar,
    messenger,
    conversations,
    inbox,
    webhook,
    worker,
    announcements,
    deadlines,
    reports: new ReportService(new ReportRepository(db)),
    payments,
    paymentLedger: new PaymentLedger(db, dossiers),
    reconciler,
    receiptLinks: new ReceiptLinks(sessionSecret),
    postal,
    postalQueue,
    postalSandbox,
    uploads,
    orphans,
    files,
    // A new one at each start: server.ts prints it in the simulator's link.
    // Only in offline mode proper (no ZALO_APP_SECRET, loopback only): a deployment with Zalo's secret but no OA token
    // yet listens on the network, and its outbox holds real citizens' messages; its token must never reach a log.
    simulatorToken: messenger.offline && !config.zalo.appSecret ? newSimulatorToken() : undefined,
    httpPortal,
    limits,
    portalApiTokenKey: portalApiTokenKey(sessionSecret),
    lifecycle: new Lifecycle(),
    metrics,
  };
  const app = createApp(deps);
  // No background work is claimed any more; resolves once the passes under way are done (SIGTERM: beside the HTTP
  // requests still in flight, decision 0018). Once, whoever calls it.
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      inbox.stop();
      limits.stop();
      announcements.stop();
      deadlines.stop();
      orphans.stop();
      const stopBackground = app.locals.stopBackground as (() => Promise<void>) | undefined;
      await Promise.all([
        orphans.idle(),
        inbox.idle(),
        worker.stop(),
        reconciler.stop(),
        postalQueue.stop(),
        announcements.idle(),
        // A scan under way is finished and the lease `deadline-scanner` given back (decision 0021).
        deadlines.idle(),
        httpPortal?.stop(),
        stopBackground?.(),
      ]);
    })();
    return stopping;
  };
  return {
    app,
    deps,
    portal,
    stop,
    /** After the HTTP server closed: stops the background (if not yet), then closes the database. */
    close: async () => {
      await stop();
      await postalSandbox?.close();
      await db.destroy();
    },
  };
}

/** The payment providers configured (decision 0014): the sandbox offline, Checkout and the national platform by keys. */
function createPaymentProviders(config: Config, logger: Logger): PaymentProviders {
  const providers: PaymentProviders = {};
  const { sandbox, checkout, national } = config.payments;
  if (sandbox) {
    providers.sandbox = new SandboxProvider();
    logger.warn("payments: the test payment page (no real money) is offered at /payments/sandbox");
  }
  if (checkout) {
    providers["zalo-checkout"] = new ZaloCheckoutProvider(
      {
        appId: config.miniAppId,
        privateKey: checkout.privateKey,
        apiUrl: checkout.url,
        method: checkout.method,
        timeoutMs: config.payments.providerTimeoutMs,
      },
      logger,
    );
  }
  if (national) {
    providers.national = new NationalPaymentProvider(
      {
        baseUrl: national.url,
        partnerCode: national.partnerCode,
        secret: national.secret,
        token: national.token,
        timeoutMs: config.payments.providerTimeoutMs,
      },
      logger,
    );
  }
  return providers;
}

/**
 * The post (decision 0017): its API when POSTAL_URL is set; offline, the local test post (bưu điện thử nghiệm) in this
 * process, reached by the same client through an in-process transport, with test sender details for every unit that
 * has none (so that `npm start` shows the whole flow) and its orders kept in DATA_DIR across restarts.
 */
async function createPost(
  config: Config,
  db: Db,
  logger: Logger,
): Promise<{ post: PostClient; sandbox?: SandboxPost }> {
  const settings = config.postal;
  if (settings.post) {
    logger.info({ url: settings.post.url }, "postal: orders go to the post's API");
    const tests = await db
      .selectFrom("postal_senders")
      .select("unit_code")
      .where("customer_code", "=", TEST_CUSTOMER_CODE)
      .execute();
    if (tests.length > 0) {
      logger.warn(
        { units: tests.map((t) => t.unit_code) },
        "postal: these units still have the test post's sender details: an administrator must enter their own",
      );
    }
    return {
      post: new PostalClient(
        {
          baseUrl: settings.post.url,
          token: settings.post.token,
          callbackSecret: settings.post.callbackSecret,
          timeoutMs: settings.timeoutMs,
        },
        logger,
      ),
    };
  }
  // Secrets of a fake that lives and dies with this process: nothing outside it signs or calls with them.
  const token = randomBytes(16).toString("hex");
  const callbackSecret = randomBytes(24).toString("hex");
  const sandbox = new SandboxPost({
    token,
    callbackSecret,
    stateFile: path.join(config.dataDir, "post-sandbox.jsonl"),
    logger,
  });
  const post = new PostalClient(
    {
      baseUrl: "http://post-sandbox.local",
      token,
      callbackSecret,
      timeoutMs: settings.timeoutMs,
      adapter: sandboxTransport(sandbox),
    },
    logger,
  );
  if (settings.sandbox) {
    await seedSandboxSenders(db, config.postal.defaultTariff);
    if (settings.sandboxStepMs > 0) sandbox.start(settings.sandboxStepMs);
    logger.warn("postal: the test post (nothing is carried) moves orders at /post-sandbox");
    return { post, sandbox };
  }
  logger.warn("postal: no POSTAL_URL: postal orders are recorded and wait until the post is configured");
  return { post: unconfiguredPost(post) };
}

/** The customer code of the test sender details (so that a real deployment on the same data is warned of them). */
const TEST_CUSTOMER_CODE = "THU-NGHIEM";

/** Offline only: sender details marked as a test for every receiving unit that has none. */
async function seedSandboxSenders(db: Db, tariff: Config["postal"]["defaultTariff"]): Promise<void> {
  const units = await db.selectFrom("receiving_units").select(["code", "name"]).execute();
  const hongGai = currentCommunes().find((c) => c.name === "Hồng Gai")?.code ?? "06685";
  const now = new Date().toISOString();
  for (const unit of units) {
    await db
      .insertInto("postal_senders")
      .values({
        unit_code: unit.code,
        name: `${unit.name} (thử nghiệm)`,
        phone: "0203 3000 000",
        street: "Trụ sở bộ phận một cửa (địa chỉ thử nghiệm)",
        commune_code: unit.code === PROVINCE_CODE || !/^\d{5}$/.test(unit.code) ? hongGai : unit.code,
        customer_code: TEST_CUSTOMER_CODE,
        tariff: JSON.stringify(tariff),
        updated_at: now,
        updated_by: null,
      })
      .onConflict((oc) => oc.column("unit_code").doNothing())
      .execute();
  }
}

/** No post configured outside offline mode: every call fails as the post being away, so orders wait in the queue. */
function unconfiguredPost(client: PostalClient): PostClient {
  const away = async (): Promise<never> => {
    throw new PostError("network", "POSTAL_URL is not set");
  };
  return {
    create: away,
    findByOrderNumber: away,
    track: away,
    cancel: away,
    redeliver: away,
    verifyCallback: (body, headers) => client.verifyCallback(body, headers),
  };
}

/** The provincial portal over HTTP: the part-1 client (decision 0010) behind the forwarding queue. */
function createHttpPortal(
  settings: Extract<Config["portal"], { mode: "http" }>,
  db: Db,
  calendar: CalendarService,
  planner: NotificationPlanner,
  files: AttachmentStore,
  onRecorded: NonNullable<EmbeddedPortalHooks["onRecorded"]>,
  logger: Logger,
): HttpPortal {
  const client = new PortalClient(
    { baseUrl: settings.url, clientId: settings.clientId, clientSecret: settings.clientSecret, ...settings.client },
    logger,
  );
  logger.info({ url: settings.url, clientId: settings.clientId }, "portal: forwarding to the provincial portal (http)");
  return new HttpPortal(
    db,
    calendar,
    planner,
    client,
    files,
    {
      retryBaseMs: settings.retryBaseMs,
      retryMaxMs: settings.retryMaxMs,
      queuePollMs: settings.queuePollMs,
      pollMs: settings.pollSeconds * 1000,
      onRecorded,
    },
    logger,
  );
}

/**
 * The real Zalo client when OA tokens are configured (or stored from an earlier start); otherwise offline mode, where
 * every message lands in the developer's outbox and nothing claims to have reached Zalo.
 */
async function createMessenger(config: Config, db: Db, logger: Logger): Promise<OaMessenger> {
  const zalo = config.zalo;
  const hasTokens = !!(zalo.oaAccessToken || (await db.selectFrom("oa_tokens").select("id").executeTakeFirst()));
  if (!hasTokens) {
    logger.warn("offline mode: no OA token, outgoing Zalo messages are recorded in the outbox (GET /api/dev/outbox)");
    return new OfflineMessenger(db);
  }
  if (!zalo.appId || !zalo.appSecret || !zalo.tokenEncryptionKey) {
    throw new Error("Zalo OA needs ZALO_APP_ID, ZALO_APP_SECRET and ZALO_TOKEN_ENCRYPTION_KEY together");
  }
  const tokens = new OaTokenStore(db, {
    oauthUrl: zalo.oauthUrl,
    appId: zalo.appId,
    appSecret: zalo.appSecret,
    encryptionKey: zalo.tokenEncryptionKey,
    seed:
      zalo.oaAccessToken && zalo.oaRefreshToken
        ? { accessToken: zalo.oaAccessToken, refreshToken: zalo.oaRefreshToken }
        : undefined,
  });
  await tokens.seedIfEmpty();
  return new ZaloOaClient(
    tokens,
    {
      openApiUrl: zalo.openApiUrl,
      znsUrl: zalo.znsUrl,
      ratePerSecond: zalo.sendRatePerSecond,
      // One schedule in the database: all instances together stay within ZALO_SEND_RATE_PER_SECOND (decision 0020).
      sendSlots: new DatabaseSlots(db, "zalo-oa"),
      znsDevelopmentMode: config.nodeEnv !== "production",
    },
    logger,
  );
}
