import path from "node:path";
import { fileURLToPath } from "node:url";
import { PostalTariff, ZnsTemplateField } from "@qn/shared";
import { z } from "zod";
import type { PortalClientOptions } from "./clients/provincial-portal/portal.client";

/**
 * Where Zalo serves a deployed mini-app from (docs/decisions/0012; seen in several independent projects):
 * the web origin, and the one some Zalo clients report. Kept as data so that a change is one edit.
 */
export const ZALO_MINI_APP_ORIGINS = ["https://h5.zdn.vn", "zbrowser://h5.zdn.vn"] as const;

const DEFAULT_MINI_APP_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../mini-app/dist");
const DEFAULT_CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../mini-app/dist-console");

/**
 * The bot server's configuration, parsed once at boot (STYLE.md habit 1). No other file reads `process.env`.
 * A bad value stops the server with a message naming the variable.
 */
/** A variable that holds JSON: parsed, or a Vietnamese issue for the variable. */
function jsonText<T extends z.ZodType<string>>(text: T) {
  return text.transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "Không phải JSON hợp lệ" });
      return z.NEVER;
    }
  });
}

const Env = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /**
   * Interface to listen on. Default: 0.0.0.0 with Zalo credentials (Zalo must reach the webhook), 127.0.0.1 in offline
   * mode, whose development sign-in, outbox and chat simulator are for this computer only (issue 13, finding 1).
   */
  HOST: z.string().min(1).optional(),
  /** Offline mode on a network HOST (a shared demo): anyone who reaches it may sign in as any development identity. */
  OFFLINE_ON_NETWORK: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** Where the SQLite database and uploaded files live. Relative paths are taken from where npm was run. */
  DATA_DIR: z.string().min(1).default("./data"),
  /**
   * PostgreSQL for deployments of several instances (issue 16, decision 0022): `postgres://user:password@host/db`.
   * Unset: the embedded SQLite database in DATA_DIR, as `npm start` runs. Never logged (it holds a password).
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, "Cần dạng postgres://người-dùng:mật-khẩu@máy/tên-cơ-sở-dữ-liệu")
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Requests per minute on the API: each signed-in person's own, anonymous calls per client address (finding 16). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  /** Sign-in attempts per minute, per client address and user name. */
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Refused webhook requests (bad signature, stale…) per minute and source before it gets 429; good ones never count. */
  WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  /** How far a webhook event's timestamp may be from now, either way, before it is refused as a replay. */
  WEBHOOK_MAX_SKEW_MINUTES: z.coerce
    .number()
    .min(1)
    .max(24 * 60)
    .default(5),
  /**
   * Origins whose pages may call /api from a browser (decision 0012), comma-separated; `none` for no cross-origin
   * access. Default: Zalo's two mini-app origins. Same-origin pages (what this server serves) need no entry.
   */
  CORS_ORIGINS: z
    .string()
    .default(ZALO_MINI_APP_ORIGINS.join(","))
    .transform((text) => (text.trim().toLowerCase() === "none" ? [] : text.split(",").map((o) => o.trim())))
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^[a-z][a-z0-9+.-]*:\/\/[^/\s,]+$/i,
            "Mỗi nguồn có dạng scheme://host[:port], cách nhau bằng dấu phẩy",
          ),
      ),
    ),
  /** Trust `X-Forwarded-For` from this many proxies in front of the server (0: none). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** The built mini-app served at `/` (default: the workspace's mini-app/dist). */
  MINI_APP_DIST: z.string().min(1).optional(),
  CONSOLE_DIST: z.string().min(1).optional(),
  /**
   * Signs session tokens (and keys /portal-api's access tokens). Required in production, the same on every instance;
   * in development, when unset, a random secret is created once under DATA_DIR/secrets (never in the repo).
   */
  SESSION_SECRET: z.string().min(32, "Cần ít nhất 32 ký tự").optional(),
  CITIZEN_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24 * 7),
  OFFICIAL_SESSION_HOURS: z.coerce.number().int().min(1).max(24).default(10),
  /**
   * Officials' sign-in (issue 13, finding 7): no account is locked. After LOGIN_MAX_FAILURES wrong passwords for one
   * name from one address, or LOGIN_MAX_FAILURES_PER_ADDRESS for any names, that address waits before its next try,
   * twice as long after each further failure, at most LOGIN_BACKOFF_MAX_MINUTES. LOGIN_ALERT_FAILURES wrong passwords
   * in a row on one account, from anywhere, alert the administrators.
   */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(20),
  LOGIN_BACKOFF_MAX_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  LOGIN_ALERT_FAILURES: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Zalo Mini App credentials. Without ZALO_APP_SECRET the server runs in offline mode (development identities). */
  ZALO_APP_ID: z.string().min(1).optional(),
  ZALO_APP_SECRET: z.string().min(1).optional(),
  ZALO_GRAPH_URL: z.url().default("https://graph.zalo.me"),
  /**
   * Zalo Official Account: webhook signature, Open API and OAuth (ZALO.md §1–§4). ZALO_APP_ID and ZALO_OA_SECRET_KEY
   * are required in production; in development the webhook's are generated under DATA_DIR/secrets.
   */
  ZALO_OA_ID: z.string().min(1).optional(),
  ZALO_OA_SECRET_KEY: z.string().min(1).optional(),
  /** Seed the OA token store on first start; afterwards the stored (refreshed) tokens win. */
  ZALO_OA_ACCESS_TOKEN: z.string().min(1).optional(),
  ZALO_OA_REFRESH_TOKEN: z.string().min(1).optional(),
  /** 32 bytes, base64 or hex: encrypts OA tokens at rest. Required when OA tokens are configured. */
  ZALO_TOKEN_ENCRYPTION_KEY: z.string().min(32).optional(),
  ZALO_OPENAPI_URL: z.url().default("https://openapi.zalo.me"),
  ZALO_OAUTH_URL: z.url().default("https://oauth.zaloapp.com"),
  ZALO_ZNS_URL: z.url().default("https://business.openapi.zalo.me"),
  /** Messages per second sent to Zalo (its limits are not documented reliably: conservative by default). */
  ZALO_SEND_RATE_PER_SECOND: z.coerce.number().min(0.1).max(1000).default(5),
  /** The mini-app's id, for deep links https://zalo.me/s/<id>/… from the chatbot's buttons. */
  MINI_APP_ID: z.string().min(1).default("dev-mini-app"),
  /** How long the bot stays silent for a citizen handed off to an official. */
  HANDOFF_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 7)
    .default(24),
  /** Citizens who wrote to the OA within this many hours get consultation messages; others ZNS (ZALO.md §1). */
  NOTIFY_CS_WINDOW_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 7)
    .default(48),
  /**
   * ZNS templates per notification kind, as JSON: {"dossier.accepted":{"templateId":"231456","params":{"ma_ho_so":"code",
   * "ten_thu_tuc":"procedureName","han_tra":"dueDate"}}}. Fields: code, procedureName, stateLabel, dueDate, feesDue,
   * missingDocuments. Kinds without a template fall back to the in-app inbox.
   */
  ZNS_TEMPLATES: jsonText(z.string().default("{}")).pipe(
    z.record(
      z.string(),
      z.object({
        templateId: z.string().min(1),
        params: z.record(z.string(), ZnsTemplateField),
      }),
    ),
  ),
  /** Outbox workers in this process: 1, or 0 to run the API without delivering (another process delivers). */
  OUTBOX_WORKERS: z.coerce.number().int().min(0).max(1).default(1),
  OUTBOX_BATCH: z.coerce.number().int().min(1).max(1000).default(50),
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** Where dossiers live: the embedded portal in this process (default), or the provincial portal over HTTP (0011). */
  PORTAL_MODE: z.enum(["embedded", "http"]).default("embedded"),
  /** PORTAL_MODE=http: the portal API's base URL, its OAuth client credentials and the callbacks' HMAC secret. */
  PORTAL_URL: z.url().optional(),
  PORTAL_CLIENT_ID: z.string().min(1).optional(),
  PORTAL_CLIENT_SECRET: z.string().min(1).optional(),
  PORTAL_CALLBACK_SECRET: z.string().min(16, "Cần ít nhất 16 ký tự").optional(),
  /** How often the portal's change feed is read (the fallback for lost callbacks). */
  PORTAL_POLL_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  /** Forwarding retries: the first wait (doubling, with jitter) and the longest. */
  PORTAL_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  PORTAL_RETRY_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** Whether an announcement needs an administrator's or a second official's approval before it goes out. */
  ANNOUNCEMENT_APPROVAL: z.enum(["required", "none"]).default("required"),
  /**
   * Hosts announcement images may come from (issue 13, finding 15), comma-separated: `cdn.example.vn`,
   * `https://cdn.example.vn` or `*.example.vn`, https only. They join the pages' CSP `img-src`, and an announcement's
   * image must be on one of them. Default: none (announcements without images).
   */
  ANNOUNCEMENT_IMAGE_HOSTS: z
    .string()
    .default("")
    .transform((text) =>
      text
        .split(",")
        .map((h) =>
          h
            .trim()
            .toLowerCase()
            .replace(/^https:\/\//, ""),
        )
        .filter((h) => h !== ""),
    )
    .pipe(
      z.array(
        // A host name only (a CSP host-source): no scheme but https, no path, port, quote, space or semicolon.
        z
          .string()
          .regex(
            /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?$/,
            "Mỗi máy chủ ảnh có dạng cdn.example.vn hoặc *.example.vn (https), cách nhau bằng dấu phẩy",
          ),
      ),
    )
    .transform((hosts) => hosts.map((h) => `https://${h}`)),
  /** Largest attachment accepted, in megabytes, and most files in one submission. */
  MAX_UPLOAD_MB: z.coerce.number().min(0.1).max(100).default(10),
  MAX_FILES_PER_SUBMISSION: z.coerce.number().int().min(1).max(100).default(20),
  /**
   * Uploads received at once, /api and /portal-api together (issue 13, finding 4): each is streamed to a temporary
   * file, so this bounds the disk they take meanwhile (and the hashing), not memory. Beyond it, an upload waits.
   */
  MAX_CONCURRENT_UPLOADS: z.coerce.number().int().min(1).max(256).default(8),
  /** How long one more upload waits for a slot (its body unread) before the 503; 0: refused at once. */
  UPLOAD_WAIT_SECONDS: z.coerce.number().min(0).max(300).default(15),
  /** What one citizen's documents may take in all, in megabytes (the sum of their dossiers' attachments). */
  CITIZEN_STORAGE_QUOTA_MB: z.coerce.number().min(1).max(1_000_000).default(200),
  /**
   * Finding 9: a stored document no dossier references, or an upload's temporary, older than this is deleted (at
   * start and every 15 minutes). It must exceed the longest filing from its first byte to its commit.
   */
  ORPHAN_GRACE_MINUTES: z.coerce
    .number()
    .min(5)
    .max(7 * 24 * 60)
    .default(60),
  /**
   * For `npm run bench:uploads` only: `memory` holds every part in memory until the request ends, as uploads did
   * before finding 4, so that the benchmark can show the difference in the same run. Never set it in production.
   */
  UPLOAD_BUFFERING: z.enum(["disk", "memory"]).default("disk"),
  /**
   * What one citizen may file in the mini-app (issue 13, finding 3): dossiers of one procedure not yet settled, and
   * filings in the last hour. Filings on a citizen's behalf and through /portal-api (trusted systems) are not counted.
   */
  FILING_MAX_OPEN_PER_PROCEDURE: z.coerce.number().int().min(1).max(10_000).default(3),
  FILING_MAX_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
  /**
   * The public lookup and the chatbot's "tra cứu" (finding 6): lookups per window from one source (an address, a Zalo
   * user) and of one code (from anyone: guessing a receipt's secret), in memory.
   */
  LOOKUP_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(10),
  LOOKUP_MAX_PER_SOURCE: z.coerce.number().int().min(1).max(100_000).default(30),
  LOOKUP_MAX_PER_CODE: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Import the catalogue shipped with the project at start when it changed (set to false to manage it by hand). */
  SEED_STARTER_CATALOGUE: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  // ─── Online payment (issue 14, decision 0014) ───
  /**
   * The local test payment page (cổng thử nghiệm): `auto` offers it in offline mode only. It collects no money; it is
   * refused beside ZALO_APP_SECRET or in production.
   */
  PAYMENT_SANDBOX: z.enum(["auto", "true", "false"]).default("auto"),
  /** Zalo Checkout: the private key set in the Mini App's admin (the app id is MINI_APP_ID). Unset: not offered. */
  ZALO_CHECKOUT_PRIVATE_KEY: z.string().min(16, "Cần ít nhất 16 ký tự").optional(),
  ZALO_CHECKOUT_URL: z.url().default("https://payment-mini.zalo.me"),
  /** The Checkout method, as the SDK takes it: JSON like {"id":"ZALOPAY","isCustom":false}. */
  ZALO_CHECKOUT_METHOD: z.string().min(2).default('{"id":"ZALOPAY_SANDBOX","isCustom":false}'),
  /** The national payment platform: its API, our partner code (MaDoiTac), the shared secret and the bearer token. */
  NATIONAL_PAYMENT_URL: z.url().optional(),
  NATIONAL_PAYMENT_PARTNER_CODE: z.string().min(1).optional(),
  NATIONAL_PAYMENT_SECRET: z.string().min(8, "Cần ít nhất 8 ký tự").optional(),
  NATIONAL_PAYMENT_TOKEN: z.string().min(1).optional(),
  /** The reconciliation: first ask of a provider after an attempt starts, the longest wait, and when to give up. */
  PAYMENT_CHECK_BASE_SECONDS: z.coerce.number().min(1).max(86_400).default(120),
  PAYMENT_CHECK_MAX_MINUTES: z.coerce.number().min(1).max(1440).default(30),
  PAYMENT_ABANDON_AFTER_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    .default(72),
  PAYMENT_RECONCILE_POLL_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** How long a payment provider may take to answer one request (Checkout's get-status, the national platform). */
  PAYMENT_PROVIDER_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(120).default(10),
  // ─── end of payment ───

  // ─── Public postal service (issue 15, decision 0017) ───
  /** The post's API (docs/postal-api/openapi.json) and its bearer token; unset offline: the local test post. */
  POSTAL_URL: z.url().optional(),
  POSTAL_TOKEN: z.string().min(1).optional(),
  /** The key the post signs its status callbacks with (X-Post-Signature), 16 characters or more. */
  POSTAL_CALLBACK_SECRET: z.string().min(16, "Cần ít nhất 16 ký tự").optional(),
  /**
   * The local test post (bưu điện thử nghiệm) at /post-sandbox: `auto` in offline mode only, when POSTAL_URL is unset.
   * It carries nothing; refused beside ZALO_APP_SECRET or in production.
   */
  POSTAL_SANDBOX: z.enum(["auto", "true", "false"]).default("auto"),
  /** The test post moves every open order one step this often (0: only when a developer clicks). */
  POSTAL_SANDBOX_STEP_SECONDS: z.coerce.number().min(0).max(86_400).default(30),
  /** Waybill numbers from a pool the post allocated in advance (table postal_waybills), not given by the post. */
  POSTAL_WAYBILL_POOL: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  POSTAL_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(120).default(10),
  /** Sending an order again after a failure: first wait (doubling, with jitter) and the longest. */
  POSTAL_RETRY_BASE_SECONDS: z.coerce.number().min(0.05).max(86_400).default(30),
  POSTAL_RETRY_MAX_MINUTES: z.coerce.number().min(0.01).max(1440).default(30),
  /** How often an open order's status is read from the post besides its callbacks (the polling path). */
  POSTAL_POLL_MINUTES: z.coerce.number().min(0.01).max(1440).default(30),
  /** How often the postal queue is looked at. */
  POSTAL_QUEUE_POLL_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
  /** What the post charges when a unit has not entered its own tariff (VND). */
  POSTAL_DEFAULT_TARIFF: jsonText(z.string())
    .pipe(PostalTariff)
    .default({ pickup: 25_000, delivery: 25_000, cod: 5_000 }),
  // ─── end of postal ───

  // ─── The embedded portal's /portal-api (issue 7, decision 0011) ───
  /**
   * OAuth clients allowed to call /portal-api, as JSON {"<client id>":"<secret>"} (secrets of 16 characters or more).
   * Unset: /portal-api answers 404.
   */
  PORTAL_API_CLIENTS: jsonText(z.string())
    .pipe(
      z
        .record(
          z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "Mã client chỉ gồm chữ, số, dấu chấm, gạch"),
          z.string().min(16, "Secret cần ít nhất 16 ký tự"),
        )
        .refine((clients) => Object.keys(clients).length > 0, "Cần ít nhất một client"),
    )
    .optional(),
  /** Where /portal-api POSTs the signed state-change callbacks, and the HMAC secret it signs them with. */
  PORTAL_API_CALLBACK_URL: z.url().optional(),
  PORTAL_API_CALLBACK_SECRET: z.string().min(16, "Cần ít nhất 16 ký tự").optional(),
  // ─── end of /portal-api ───

  // ─── File storage (issue 16) ───
  /**
   * Where citizens' documents are kept (decision 0019): `local`, DATA_DIR/files on this machine (one instance), or
   * `s3`, an S3-compatible bucket every instance shares (all the S3_* below, together). Uploads stream to
   * DATA_DIR/files/.incoming on this machine first either way.
   */
  FILE_STORE: z.enum(["local", "s3"]).default("local"),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "Tên bucket: 3–63 chữ thường, số, dấu chấm, gạch ngang")
    .optional(),
  /** The folder in the bucket, e.g. `qn/files`: keys are `<prefix>/<2 hex digits>/<sha256>`. */
  S3_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._/-]{1,200}$/, "Chỉ gồm chữ, số, dấu chấm, gạch, gạch chéo")
    .optional(),
  /** The store's address, e.g. https://s3.ap-southeast-1.amazonaws.com or a MinIO/Ceph address. */
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).optional(),
  /** Never logged. */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** `true` for most self-hosted stores (MinIO, Ceph): the bucket in the path, not in the host name. */
  S3_FORCE_PATH_STYLE: z.enum(["true", "false", "1", "0"]).optional(),
  // ─── end of file storage ───

  // ─── Operations (issue 16) ───
  /** The bearer token of GET /metrics (Prometheus' scraper), 24 characters or more. Unset: /metrics answers 404. */
  METRICS_TOKEN: z.string().min(24, "Cần ít nhất 24 ký tự").optional(),
  /** On SIGTERM: how long /readyz answers 503 while requests are still accepted (for a load balancer to notice). */
  SHUTDOWN_DELAY_SECONDS: z.coerce.number().min(0).max(600).default(0),
  /** Then how long in-flight requests and background passes may take before the process exits anyway (code 1). */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(1).max(3600).default(10),
  // ─── end of operations ───
  /** Set by npm: where the command was typed. Relative paths (DATA_DIR, MINI_APP_DIST, CONSOLE_DIST) start there. */
  INIT_CWD: z.string().optional(),
});

/**
 * Settings no environment variable sets (tests and benches shorten them): part of the config's type, absent
 * from what `loadConfig` returns.
 */
type PortalTuning = {
  /** The client's timeouts, attempts and circuit breaker. */
  client?: Pick<
    PortalClientOptions,
    "timeouts" | "maxAttempts" | "retryBaseMs" | "retryMaxMs" | "breakerFailureThreshold" | "breakerCoolDownMs"
  >;
  /** How often the forwarding queue is looked at for due retries (default 1 s). */
  queuePollMs?: number;
};
type PortalApiTuning = {
  /** First retry of a failed callback, and how often to look. */
  callbackRetryBaseMs?: number;
  callbackPollMs?: number;
};
const notFromEnv = <T extends object>(): T => ({}) as T;

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/** Whether HOST is this computer only: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

const PORTAL_HTTP_SETTINGS = [
  "PORTAL_URL",
  "PORTAL_CLIENT_ID",
  "PORTAL_CLIENT_SECRET",
  "PORTAL_CALLBACK_SECRET",
] as const;

/** FILE_STORE=s3 needs every one of them (issue 16, decision 0019). */
const S3_SETTINGS = [
  "S3_BUCKET",
  "S3_PREFIX",
  "S3_ENDPOINT",
  "S3_REGION",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "S3_FORCE_PATH_STYLE",
] as const;

/**
 * What development generates under DATA_DIR/secrets and production must be given, the same on every instance
 * (decision 0020). SESSION_SECRET also keys the /portal-api access tokens.
 */
const PRODUCTION_SECRETS = [
  {
    variable: "SESSION_SECRET",
    message:
      "Bắt buộc khi NODE_ENV=production: khóa ký phiên đăng nhập và token /portal-api, mọi máy chủ dùng chung một giá trị (không tự sinh trong DATA_DIR)",
  },
  {
    variable: "ZALO_APP_ID",
    message:
      "Bắt buộc khi NODE_ENV=production: chữ ký webhook Zalo được kiểm tra bằng mã ứng dụng thật (không dùng mã phát triển tự sinh trong DATA_DIR)",
  },
  {
    variable: "ZALO_OA_SECRET_KEY",
    message:
      "Bắt buộc khi NODE_ENV=production: chữ ký webhook Zalo được kiểm tra bằng khóa OA thật (không dùng khóa phát triển tự sinh trong DATA_DIR)",
  },
] as const;

/**
 * The environment parsed into the config object: each variable above, then the checks across variables (each
 * group only when the ones before passed, so one message at a time), then the mapping. `Config` is its output.
 */
const ConfigSchema = Env.transform((e, ctx) => {
  const fail = (issues: { variable: string; message: string }[]) => {
    for (const { variable, message } of issues) ctx.addIssue({ code: "custom", path: [variable], message });
    return z.NEVER;
  };
  // Issue 16: several instances share one database, so a secret generated into one machine's DATA_DIR would differ
  // from the next one's (sessions, /portal-api tokens and webhook signatures good on one instance only).
  if (e.NODE_ENV === "production") {
    const missing = PRODUCTION_SECRETS.filter(({ variable }) => !e[variable]);
    if (missing.length > 0) return fail(missing);
  }
  if (e.PORTAL_MODE === "http") {
    const missing = PORTAL_HTTP_SETTINGS.filter((name) => !e[name]);
    if (missing.length > 0) {
      return fail(
        missing.map((variable) => ({ variable, message: "Bắt buộc khi PORTAL_MODE=http (required in http mode)" })),
      );
    }
  }
  if ((e.ZALO_OA_ACCESS_TOKEN || e.ZALO_OA_REFRESH_TOKEN) && !e.ZALO_TOKEN_ENCRYPTION_KEY) {
    return fail([
      {
        variable: "ZALO_TOKEN_ENCRYPTION_KEY",
        message: "Cần khóa mã hóa khi cấu hình token Zalo OA (32 byte, base64 hoặc hex)",
      },
    ]);
  }
  if (e.PORTAL_API_CALLBACK_URL && !e.PORTAL_API_CALLBACK_SECRET) {
    return fail([
      { variable: "PORTAL_API_CALLBACK_SECRET", message: "Cần secret để ký callback khi có PORTAL_API_CALLBACK_URL" },
    ]);
  }
  // Offline mode (no ZALO_APP_SECRET) hands out development identities to whoever asks: this computer only, unless
  // OFFLINE_ON_NETWORK says otherwise (and server.ts warns at every start).
  const offline = !e.ZALO_APP_SECRET;
  const host = e.HOST ?? (offline ? "127.0.0.1" : "0.0.0.0");
  if (offline && !isLoopback(host) && !e.OFFLINE_ON_NETWORK) {
    return fail([
      {
        variable: "HOST",
        message:
          `Chế độ ngoại tuyến (không có ZALO_APP_SECRET) chỉ nghe trên máy này (127.0.0.1), không nghe trên ${host}. ` +
          "Bỏ HOST, hoặc đặt OFFLINE_ON_NETWORK=true nếu thật sự muốn mở ra mạng (ai vào được đều đăng nhập thử được)",
      },
    ]);
  }
  if (e.PAYMENT_SANDBOX === "true" && (!offline || e.NODE_ENV === "production")) {
    return fail([
      {
        variable: "PAYMENT_SANDBOX",
        message:
          "Cổng thanh toán thử nghiệm chỉ dùng ở chế độ ngoại tuyến, không dùng khi có ZALO_APP_SECRET hay NODE_ENV=production",
      },
    ]);
  }
  const national = [
    "NATIONAL_PAYMENT_URL",
    "NATIONAL_PAYMENT_PARTNER_CODE",
    "NATIONAL_PAYMENT_SECRET",
    "NATIONAL_PAYMENT_TOKEN",
  ] as const;
  const nationalSet = national.filter((name) => e[name]);
  if (nationalSet.length > 0 && nationalSet.length < national.length) {
    return fail(
      national
        .filter((name) => !e[name])
        .map((variable) => ({
          variable,
          message: "Cần đủ cả bốn biến NATIONAL_PAYMENT_* để dùng nền tảng thanh toán quốc gia",
        })),
    );
  }
  if (e.POSTAL_SANDBOX === "true" && (!offline || e.NODE_ENV === "production")) {
    return fail([
      {
        variable: "POSTAL_SANDBOX",
        message:
          "Bưu điện thử nghiệm chỉ dùng ở chế độ ngoại tuyến, không dùng khi có ZALO_APP_SECRET hay NODE_ENV=production",
      },
    ]);
  }
  if (e.POSTAL_URL && (!e.POSTAL_TOKEN || !e.POSTAL_CALLBACK_SECRET)) {
    return fail(
      (["POSTAL_TOKEN", "POSTAL_CALLBACK_SECRET"] as const)
        .filter((name) => !e[name])
        .map((variable) => ({ variable, message: "Cần khi đặt POSTAL_URL (kết nối bưu điện)" })),
    );
  }
  // ─── File storage (issue 16) ───
  const s3Set = S3_SETTINGS.filter((name) => e[name]);
  if (e.FILE_STORE === "s3" && s3Set.length < S3_SETTINGS.length) {
    return fail(
      S3_SETTINGS.filter((name) => !e[name]).map((variable) => ({
        variable,
        message: "Bắt buộc khi FILE_STORE=s3 (cần đủ các biến S3_*)",
      })),
    );
  }
  if (e.FILE_STORE !== "s3" && s3Set.length > 0) {
    return fail([
      { variable: "FILE_STORE", message: `Có ${s3Set.join(", ")} nhưng FILE_STORE không phải s3: đặt FILE_STORE=s3` },
    ]);
  }
  // ─── end of file storage ───
  // npm runs workspace scripts from the package folder; INIT_CWD is where the user typed the command.
  const base = e.INIT_CWD ?? process.cwd();
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host,
    /** Offline mode listening beyond this computer, allowed by OFFLINE_ON_NETWORK: logged loudly at start. */
    offlineOnNetwork: offline && !isLoopback(host),
    dataDir: path.resolve(base, e.DATA_DIR),
    /** PostgreSQL (issue 16) when set; else SQLite in dataDir. */
    database: e.DATABASE_URL ? { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE } : undefined,
    logLevel: e.LOG_LEVEL,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    webhookRateLimitPerMinute: e.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    webhookMaxSkewMinutes: e.WEBHOOK_MAX_SKEW_MINUTES,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    /** Origins allowed to call /api cross-origin (CORS_ORIGINS). */
    corsOrigins: e.CORS_ORIGINS,
    seedStarterCatalogue: e.SEED_STARTER_CATALOGUE,
    miniAppDist: e.MINI_APP_DIST ? path.resolve(base, e.MINI_APP_DIST) : DEFAULT_MINI_APP_DIST,
    /** The officials' console (a desktop web app built beside the mini-app), served at /console. */
    consoleDist: e.CONSOLE_DIST ? path.resolve(base, e.CONSOLE_DIST) : DEFAULT_CONSOLE_DIST,
    sessionSecret: e.SESSION_SECRET,
    citizenSessionHours: e.CITIZEN_SESSION_HOURS,
    officialSessionHours: e.OFFICIAL_SESSION_HOURS,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
    loginBackoffMaxMinutes: e.LOGIN_BACKOFF_MAX_MINUTES,
    loginAlertFailures: e.LOGIN_ALERT_FAILURES,
    /** Where dossiers live (PORTAL_MODE); the HTTP gateway's settings. Secrets are never logged. */
    portal:
      e.PORTAL_MODE === "http"
        ? {
            mode: "http" as const,
            url: trimSlash(e.PORTAL_URL as string),
            clientId: e.PORTAL_CLIENT_ID as string,
            clientSecret: e.PORTAL_CLIENT_SECRET as string,
            callbackSecret: e.PORTAL_CALLBACK_SECRET as string,
            pollSeconds: e.PORTAL_POLL_SECONDS,
            retryBaseMs: e.PORTAL_RETRY_BASE_MS,
            retryMaxMs: e.PORTAL_RETRY_MAX_SECONDS * 1000,
            ...notFromEnv<PortalTuning>(),
          }
        : { mode: "embedded" as const },
    zalo: {
      appId: e.ZALO_APP_ID,
      appSecret: e.ZALO_APP_SECRET,
      graphUrl: trimSlash(e.ZALO_GRAPH_URL),
      oaId: e.ZALO_OA_ID,
      oaSecretKey: e.ZALO_OA_SECRET_KEY,
      oaAccessToken: e.ZALO_OA_ACCESS_TOKEN,
      oaRefreshToken: e.ZALO_OA_REFRESH_TOKEN,
      tokenEncryptionKey: e.ZALO_TOKEN_ENCRYPTION_KEY,
      openApiUrl: trimSlash(e.ZALO_OPENAPI_URL),
      oauthUrl: trimSlash(e.ZALO_OAUTH_URL),
      znsUrl: trimSlash(e.ZALO_ZNS_URL),
      sendRatePerSecond: e.ZALO_SEND_RATE_PER_SECOND,
    },
    miniAppId: e.MINI_APP_ID,
    handoffHours: e.HANDOFF_HOURS,
    notifyCsWindowHours: e.NOTIFY_CS_WINDOW_HOURS,
    znsTemplates: e.ZNS_TEMPLATES,
    outbox: {
      workers: e.OUTBOX_WORKERS,
      batch: e.OUTBOX_BATCH,
      concurrency: e.OUTBOX_CONCURRENCY,
      leaseSeconds: e.OUTBOX_LEASE_SECONDS,
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
    },
    announcementApproval: e.ANNOUNCEMENT_APPROVAL === "required",
    /** CSP sources (`https://host`) announcement images may come from; empty: none. */
    announcementImageHosts: e.ANNOUNCEMENT_IMAGE_HOSTS,
    maxUploadBytes: Math.round(e.MAX_UPLOAD_MB * 1024 * 1024),
    maxFilesPerSubmission: e.MAX_FILES_PER_SUBMISSION,
    maxConcurrentUploads: e.MAX_CONCURRENT_UPLOADS,
    uploadWaitMs: e.UPLOAD_WAIT_SECONDS * 1000,
    citizenStorageQuotaBytes: Math.round(e.CITIZEN_STORAGE_QUOTA_MB * 1024 * 1024),
    orphanGraceMs: e.ORPHAN_GRACE_MINUTES * 60_000,
    uploadBuffering: e.UPLOAD_BUFFERING,
    /** Where documents are kept (FILE_STORE, decision 0019). The S3 credentials are never logged. */
    fileStore:
      e.FILE_STORE === "s3"
        ? {
            kind: "s3" as const,
            bucket: e.S3_BUCKET as string,
            prefix: e.S3_PREFIX as string,
            endpoint: trimSlash(e.S3_ENDPOINT as string),
            region: e.S3_REGION as string,
            accessKeyId: e.S3_ACCESS_KEY_ID as string,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY as string,
            forcePathStyle: e.S3_FORCE_PATH_STYLE === "true" || e.S3_FORCE_PATH_STYLE === "1",
          }
        : { kind: "local" as const },
    filingQuota: { openPerProcedure: e.FILING_MAX_OPEN_PER_PROCEDURE, perHour: e.FILING_MAX_PER_HOUR },
    lookupLimit: {
      windowMs: e.LOOKUP_WINDOW_MINUTES * 60_000,
      perSource: e.LOOKUP_MAX_PER_SOURCE,
      perCode: e.LOOKUP_MAX_PER_CODE,
    },
    /** Online payment (decision 0014): which providers are offered, and the reconciliation's timing. Secrets never logged. */
    payments: {
      sandbox: e.PAYMENT_SANDBOX === "true" || (e.PAYMENT_SANDBOX === "auto" && offline && e.NODE_ENV !== "production"),
      checkout: e.ZALO_CHECKOUT_PRIVATE_KEY
        ? {
            privateKey: e.ZALO_CHECKOUT_PRIVATE_KEY,
            url: trimSlash(e.ZALO_CHECKOUT_URL),
            method: e.ZALO_CHECKOUT_METHOD,
          }
        : undefined,
      national:
        nationalSet.length === national.length
          ? {
              url: trimSlash(e.NATIONAL_PAYMENT_URL as string),
              partnerCode: e.NATIONAL_PAYMENT_PARTNER_CODE as string,
              secret: e.NATIONAL_PAYMENT_SECRET as string,
              token: e.NATIONAL_PAYMENT_TOKEN as string,
            }
          : undefined,
      checkBaseMs: e.PAYMENT_CHECK_BASE_SECONDS * 1000,
      checkMaxMs: e.PAYMENT_CHECK_MAX_MINUTES * 60_000,
      abandonAfterMs: e.PAYMENT_ABANDON_AFTER_HOURS * 3_600_000,
      pollMs: e.PAYMENT_RECONCILE_POLL_SECONDS * 1000,
      providerTimeoutMs: Math.round(e.PAYMENT_PROVIDER_TIMEOUT_SECONDS * 1000),
    },
    /** The public postal service (decision 0017): the post's API, or the local test post offline. Secrets never logged. */
    postal: {
      post: e.POSTAL_URL
        ? {
            url: trimSlash(e.POSTAL_URL),
            token: e.POSTAL_TOKEN as string,
            callbackSecret: e.POSTAL_CALLBACK_SECRET as string,
          }
        : undefined,
      sandbox:
        !e.POSTAL_URL &&
        (e.POSTAL_SANDBOX === "true" || (e.POSTAL_SANDBOX === "auto" && offline && e.NODE_ENV !== "production")),
      sandboxStepMs: e.POSTAL_SANDBOX_STEP_SECONDS * 1000,
      waybillPool: e.POSTAL_WAYBILL_POOL,
      timeoutMs: Math.round(e.POSTAL_TIMEOUT_SECONDS * 1000),
      retryBaseMs: Math.round(e.POSTAL_RETRY_BASE_SECONDS * 1000),
      retryMaxMs: Math.round(e.POSTAL_RETRY_MAX_MINUTES * 60_000),
      pollMs: Math.round(e.POSTAL_POLL_MINUTES * 60_000),
      queuePollMs: Math.round(e.POSTAL_QUEUE_POLL_SECONDS * 1000),
      defaultTariff: e.POSTAL_DEFAULT_TARIFF,
    },
    /** The embedded portal serving the portal contract at /portal-api (decision 0011); `clients` undefined: disabled. */
    portalApi: {
      /** client id → secret. Never logged. */
      clients: e.PORTAL_API_CLIENTS,
      callbackUrl: e.PORTAL_API_CALLBACK_URL,
      callbackSecret: e.PORTAL_API_CALLBACK_SECRET,
      ...notFromEnv<PortalApiTuning>(),
    },
    // ─── Operations (issue 16) ───
    /** /metrics and graceful shutdown (decision 0018). The token is never logged. */
    operations: {
      metricsToken: e.METRICS_TOKEN,
      shutdownDelayMs: Math.round(e.SHUTDOWN_DELAY_SECONDS * 1000),
      shutdownGraceMs: Math.round(e.SHUTDOWN_GRACE_SECONDS * 1000),
    },
    // ─── end of operations ───
  };
});

/** The bot server's configuration: what `loadConfig` returns, derived from the schema (a setting is written once). */
export type Config = z.output<typeof ConfigSchema>;
export type PortalConfig = Config["portal"];
export type PortalApiConfig = Config["portalApi"];

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      `Cấu hình không hợp lệ (invalid configuration):\n${issues.map((i) => `  - ${i.variable}: ${i.message}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Parses the environment. Empty strings count as unset, so `PORT=` falls back to the default. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? "?"), message: issue.message })),
    );
  }
  return parsed.data;
}
