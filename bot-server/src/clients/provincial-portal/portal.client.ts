import {
  type AttachmentOnPortal,
  type AttachmentUploadMeta,
  attachmentUploadFields,
  type CatalogueEntry,
  type DossierForwarding,
  type DossierOnPortal,
  type DossierStateChange,
  fromPortalAttachment,
  fromPortalDossier,
  fromPortalPage,
  fromPortalProcedure,
  fromPortalStateChange,
  PortalErrorBody,
  PortalMappingError,
  PortalOAuthError,
  PortalTokenResponse,
  toPortalDossierCreate,
} from "@qn/shared";
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, isAxiosError } from "axios";
import type { Logger } from "../../logger";
import { CircuitBreaker, type CircuitState } from "./circuit-breaker";
import { ClientCredentialsToken, type FetchedToken } from "./client-credentials";
import { PortalProtocolError, PortalRejectedError, PortalUnavailableError } from "./errors";

export type PortalOperation =
  | "token"
  | "catalogueChanges"
  | "createDossier"
  | "uploadAttachment"
  | "getDossier"
  | "dossierChanges"
  | "supplement"
  | "withdraw";

/** Per-call timeouts (ms): reads and small writes are quick; an upload may carry a 10 MB scan over a slow link. */
export const DEFAULT_TIMEOUTS: Record<PortalOperation, number> = {
  token: 5_000,
  catalogueChanges: 20_000,
  createDossier: 15_000,
  uploadAttachment: 60_000,
  getDossier: 10_000,
  dossierChanges: 10_000,
  supplement: 15_000,
  withdraw: 15_000,
};

export type PortalClientOptions = {
  /** Base URL of the portal API, e.g. `https://…/portal-api` (the paths of docs/portal-api/openapi.json follow it). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  timeouts?: Partial<Record<PortalOperation, number>>;
  /** Attempts per idempotent call, the first included (default 3). */
  maxAttempts?: number;
  /** First backoff step; it doubles each attempt up to `retryMaxMs`, with equal jitter (default 250 ms, 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A Retry-After longer than this is not waited for in the call: the error carries it for the outbox (30 s). */
  maxRetryAfterMs?: number;
  /** Fetch a new token this long before the current one expires (default 60 s, at most half its lifetime). */
  tokenRefreshMarginMs?: number;
  /** Consecutive failed requests that open the circuit (default 5), and how long it stays open (default 30 s). */
  breakerFailureThreshold?: number;
  breakerCoolDownMs?: number;
  /** Injected for tests: the clock, the wait between attempts and the jitter source. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

export type PortalFeedPage<T> = { items: T[]; nextCursor: string; hasMore: boolean };

export type AttachmentUpload = AttachmentUploadMeta & {
  fileName: string;
  mime: "image/jpeg" | "image/png" | "application/pdf";
  content: Buffer;
};

/** An Idempotency-Key: printable, without spaces, long enough not to collide by chance. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

type Call<T> = {
  operation: PortalOperation;
  method: "GET" | "POST";
  url: string;
  params?: Record<string, string | number>;
  data?: unknown;
  headers?: Record<string, string>;
  /** Safe to send again after a timeout or a 5xx: reads, and writes that carry an Idempotency-Key. */
  idempotent: boolean;
  /** Maps a 2xx answer; a PortalMappingError becomes a PortalProtocolError. */
  parse: (response: AxiosResponse) => T;
};

/**
 * The one module that talks to the provincial portal (docs/architecture.md habit 4; contract in docs/portal-api/openapi.json,
 * decision 0010). It owns the base URL, the OAuth client-credentials token, per-call timeouts, retries (exponential
 * backoff with jitter, Retry-After honoured) for idempotent calls only, a circuit breaker, and the mapping of every
 * answer — through the zod schemas of `@qn/shared` — to the project's types or to a typed error.
 */
export class PortalClient {
  private readonly http: AxiosInstance;
  private readonly breaker: CircuitBreaker;
  private readonly tokens: ClientCredentialsToken;
  private readonly timeouts: Record<PortalOperation, number>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly options: PortalClientOptions,
    private readonly logger: Logger,
  ) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ""),
      // Every status is looked at here, not thrown by axios; redirects are not followed (the contract has none).
      validateStatus: () => true,
      maxRedirects: 0,
      headers: { Accept: "application/json" },
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
    });
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailureThreshold ?? 5,
      coolDownMs: options.breakerCoolDownMs ?? 30_000,
      now: this.now,
      onStateChange: (state, previous) =>
        this.logger[state === "open" ? "warn" : "info"]({ state, previous }, "portal circuit breaker"),
    });
    this.tokens = new ClientCredentialsToken(() => this.fetchToken(), this.now, options.tokenRefreshMarginMs ?? 60_000);
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /** Procedures of a unit changed since a cursor (all of them without one), one page. */
  catalogueChanges(unitCode: string, cursor?: string, limit = 100): Promise<PortalFeedPage<CatalogueEntry>> {
    return this.call({
      operation: "catalogueChanges",
      method: "GET",
      url: `/v1/units/${encodeURIComponent(unitCode)}/procedures`,
      params: { limit, ...(cursor ? { since: cursor } : {}) },
      idempotent: true,
      parse: (response) => fromPortalPage(response.data, fromPortalProcedure),
    });
  }

  /**
   * Forwards a dossier. The same key with the same body gives the same dossier (201 the first time, 200 after), so
   * a retry after a timeout never files twice; the caller derives the key from its own dossier code so that a retry
   * after a restart uses it too.
   */
  createDossier(
    forwarding: DossierForwarding,
    idempotencyKey: string,
  ): Promise<{ dossier: DossierOnPortal; replayed: boolean }> {
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) throw new TypeError(`Bad Idempotency-Key: ${idempotencyKey}`);
    return this.call({
      operation: "createDossier",
      method: "POST",
      url: "/v1/dossiers",
      data: toPortalDossierCreate(forwarding),
      headers: { "Idempotency-Key": idempotencyKey },
      idempotent: true,
      parse: (response) => {
        if (response.status !== 200 && response.status !== 201) {
          throw new PortalMappingError("Hồ sơ", [{ path: "", message: `Unexpected HTTP ${response.status}` }]);
        }
        return { dossier: fromPortalDossier(response.data), replayed: response.status === 200 };
      },
    });
  }

  /** Uploads one file (multipart) to a dossier: `initial` with the filing, `supplement` before `supplement()`. */
  uploadAttachment(code: string, file: AttachmentUpload): Promise<AttachmentOnPortal> {
    return this.call({
      operation: "uploadAttachment",
      method: "POST",
      url: `/v1/dossiers/${encodeURIComponent(code)}/attachments`,
      data: () => {
        const form = new FormData();
        for (const [name, value] of Object.entries(attachmentUploadFields(file))) form.append(name, value);
        form.append("TepDinhKem", new Blob([Uint8Array.from(file.content)], { type: file.mime }), file.fileName);
        return form;
      },
      idempotent: false,
      parse: (response) => fromPortalAttachment(response.data),
    });
  }

  /** The dossier as the portal holds it, or undefined when the portal does not know the code. */
  async getDossier(code: string): Promise<DossierOnPortal | undefined> {
    try {
      return await this.call({
        operation: "getDossier",
        method: "GET",
        url: `/v1/dossiers/${encodeURIComponent(code)}`,
        idempotent: true,
        parse: (response) => fromPortalDossier(response.data),
      });
    } catch (error) {
      if (error instanceof PortalRejectedError && error.httpStatus === 404) return undefined;
      throw error;
    }
  }

  /** State changes since a cursor (from the oldest the portal keeps without one), one page. */
  dossierChanges(cursor?: string, limit = 100): Promise<PortalFeedPage<DossierStateChange>> {
    return this.call({
      operation: "dossierChanges",
      method: "GET",
      url: "/v1/dossier-changes",
      params: { limit, ...(cursor ? { since: cursor } : {}) },
      idempotent: true,
      parse: (response) => fromPortalPage(response.data, fromPortalStateChange),
    });
  }

  /** The citizen supplements the documents asked for, already uploaded as `supplement` attachments. */
  supplement(code: string, supplement: { attachmentIds: string[]; note?: string }): Promise<DossierOnPortal> {
    return this.call({
      operation: "supplement",
      method: "POST",
      url: `/v1/dossiers/${encodeURIComponent(code)}/supplement`,
      data: { MaTepDinhKem: supplement.attachmentIds, ...(supplement.note ? { GhiChu: supplement.note } : {}) },
      idempotent: false,
      parse: (response) => fromPortalDossier(response.data),
    });
  }

  withdraw(code: string, reason: string): Promise<DossierOnPortal> {
    return this.call({
      operation: "withdraw",
      method: "POST",
      url: `/v1/dossiers/${encodeURIComponent(code)}/withdraw`,
      data: { LyDo: reason },
      idempotent: false,
      parse: (response) => fromPortalDossier(response.data),
    });
  }

  /**
   * One call: a token, the request, one token refresh on 401, and — for idempotent calls, or when the request never
   * left (the token could not be had) — further attempts on timeouts, network errors, 5xx and 429.
   */
  private async call<T>(call: Call<T>): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let sent = false;
      try {
        const token = await this.tokens.get();
        sent = true;
        const response = await this.exchange(call.operation, {
          method: call.method,
          url: call.url,
          params: call.params,
          // A multipart body is a stream that is used up once: each attempt builds its own.
          data: typeof call.data === "function" ? call.data() : call.data,
          headers: { ...call.headers, Authorization: `Bearer ${token}` },
        });
        if (response.status === 401 && !refreshed) {
          refreshed = true;
          this.tokens.invalidate(token);
          attempt--; // a refused token is not a failed attempt: the request is sent again once with a new one
          continue;
        }
        return this.interpret(call, response);
      } catch (error) {
        if (!(error instanceof PortalUnavailableError) || error.reason === "circuit-open") throw error;
        if ((!call.idempotent && sent) || attempt >= maxAttempts) throw error;
        if (this.breaker.state === "open") throw error; // this failure opened it: a retry would only fail fast
        const wait = error.retryAfterMs ?? this.backoff(attempt);
        if (wait > (this.options.maxRetryAfterMs ?? 30_000)) throw error;
        this.logger.warn(
          { operation: call.operation, reason: error.reason, status: error.httpStatus, attempt, wait },
          "portal call failed, retrying",
        );
        await this.sleep(wait);
      }
    }
  }

  /** One request through the circuit breaker. Timeouts, network errors, 5xx and 429 throw PortalUnavailableError. */
  private async exchange(operation: PortalOperation, config: AxiosRequestConfig): Promise<AxiosResponse> {
    const ticket = this.breaker.tryAcquire();
    if (!ticket) {
      const retryAt = this.breaker.retryAt();
      throw new PortalUnavailableError(
        "circuit-open",
        `${operation}: circuit open`,
        undefined,
        retryAt === undefined ? undefined : Math.max(0, retryAt - this.now()),
      );
    }
    let response: AxiosResponse;
    try {
      response = await this.http.request({ ...config, timeout: this.timeouts[operation] });
    } catch (error) {
      if (!isAxiosError(error)) {
        this.breaker.release(ticket);
        throw error;
      }
      this.breaker.failure(ticket);
      const timeout = error.code === "ETIMEDOUT" || error.code === "ECONNABORTED";
      throw new PortalUnavailableError(timeout ? "timeout" : "network", `${operation}: ${error.code ?? error.message}`);
    }
    const { status } = response;
    if (status >= 500 || status === 429) {
      this.breaker.failure(ticket);
      throw new PortalUnavailableError(
        status === 429 ? "rate-limited" : "server-error",
        `${operation}: HTTP ${status}`,
        status,
        this.retryAfterMs(response.headers["retry-after"]),
      );
    }
    this.breaker.success(ticket);
    return response;
  }

  private interpret<T>(call: Call<T>, response: AxiosResponse): T {
    const { status } = response;
    if (status >= 200 && status < 300) {
      try {
        return call.parse(response);
      } catch (error) {
        if (!(error instanceof PortalMappingError)) throw error;
        this.logger.warn({ operation: call.operation, status, issues: error.issues }, "portal answer off contract");
        throw new PortalProtocolError(call.operation, status, error.issues);
      }
    }
    if (status < 400) {
      throw new PortalProtocolError(call.operation, status, [{ path: "", message: `Unexpected HTTP ${status}` }]);
    }
    const body = PortalErrorBody.safeParse(response.data);
    if (!body.success) throw new PortalRejectedError(status, `HTTP_${status}`, `HTTP ${status}`);
    const { code, message, details } = body.data.error;
    throw new PortalRejectedError(status, code, message, details);
  }

  private async fetchToken(): Promise<FetchedToken> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (this.options.scope) form.set("scope", this.options.scope);
    // client_secret_basic: both parts form-encoded before base64 (RFC 6749 §2.3.1).
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    ).toString("base64");
    const response = await this.exchange("token", {
      method: "POST",
      url: "/oauth/token",
      data: form.toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${basic}` },
    });
    if (response.status !== 200) {
      const body = PortalOAuthError.safeParse(response.data);
      if (!body.success) throw new PortalRejectedError(response.status, `HTTP_${response.status}`, "Token refused");
      throw new PortalRejectedError(response.status, body.data.error, body.data.error_description ?? body.data.error);
    }
    const token = PortalTokenResponse.safeParse(response.data);
    if (!token.success) {
      throw new PortalProtocolError(
        "token",
        response.status,
        token.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      );
    }
    return { accessToken: token.data.access_token, expiresInMs: token.data.expires_in * 1000 };
  }

  /** Exponential backoff with equal jitter: attempt n waits between d/2 and d, d = base · 2^(n-1), capped. */
  private backoff(attempt: number): number {
    const base = this.options.retryBaseMs ?? 250;
    const cap = this.options.retryMaxMs ?? 5_000;
    const step = Math.min(cap, base * 2 ** (attempt - 1));
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  /** Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3), in ms from now; undefined when absent or bad. */
  private retryAfterMs(header: unknown): number | undefined {
    if (typeof header !== "string" || header.trim() === "") return undefined;
    const value = header.trim();
    if (/^\d+$/.test(value)) return Number(value) * 1000;
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : Math.max(0, at - this.now());
  }
}
