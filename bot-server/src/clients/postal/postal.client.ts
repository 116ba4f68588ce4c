import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import type { Logger } from "../../logger";
import {
  type PostCallbackCheck,
  type PostClient,
  PostError,
  type PostFailure,
  type PostOrder,
  type PostOrderRequest,
  type PostParty,
  type PostStatusReport,
} from "./post";
import {
  checkPostCallback,
  createOrderBody,
  IDEMPOTENCY_HEADER,
  POST_PATHS,
  PostalWireError,
  type PostUnitCode,
  type PostUnitCodes,
  postUnitCodes,
  readActionAnswer,
  readCreateAnswer,
  readFindAnswer,
  readTrackAnswer,
  redeliverBody,
} from "./postal-wire";

export type PostalClientOptions = {
  /** The post's API origin (and base path), e.g. `https://buudien.example.vn`; the paths follow (POST_PATHS). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`. Never logged. */
  token: string;
  /** The secret of the status callbacks' signature. Never logged. */
  callbackSecret: string;
  /** Per call (default 10 s). */
  timeoutMs?: number;
  /** The post's codes of our communes, over the defaults of post-unit-codes.json (which map each to itself). */
  unitCodes?: Readonly<Record<string, PostUnitCode>>;
  /** Injected for tests: the clock of the callbacks' time check and of a created order's time. */
  now?: () => number;
  /**
   * How requests travel, when not over the network: offline mode's test post in the same process
   * (modules/postal/sandbox-transport.ts). The wire mapping, the errors and the timeout stay this client's.
   */
  adapter?: AxiosAdapter;
};

type Operation = "create" | "find" | "track" | "cancel" | "redeliver";

/**
 * The public postal service (issue 15; LEVEL4.md §4; docs/postal-api/openapi.json) behind the PostClient interface.
 * The wire format lives in postal-wire.ts; this module owns the HTTP: the Bearer token, the Idempotency-Key of a
 * create, the timeout, and the mapping of every failure to a PostError — timeout, network, 5xx (and 429, 408:
 * retryable), 404 "not-found", any other 4xx or a refusal Status "rejected", anything off the format "malformed". No
 * retries here: the postal job asks again with its own backoff, and after a timeout looks the order up by its number
 * first. Nothing personal or secret is logged: not the token, the secret, a name, a phone number, an address nor any
 * body — only the operation, the HTTP status, the post's code and the waybill.
 */
export class PostalClient implements PostClient {
  private readonly http: AxiosInstance;
  private readonly unitCodes: PostUnitCodes;
  private readonly now: () => number;

  constructor(
    private readonly options: PostalClientOptions,
    private readonly logger: Logger,
  ) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ""),
      timeout: options.timeoutMs ?? 10_000,
      // Every status is looked at here; a redirect is not followed (the post's API has no business sending one).
      validateStatus: () => true,
      maxRedirects: 0,
      responseType: "text",
      transitional: { clarifyTimeoutError: true },
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
    this.unitCodes = postUnitCodes(options.unitCodes);
    this.now = options.now ?? Date.now;
  }

  async create(order: PostOrderRequest): Promise<PostOrder> {
    // An unknown commune is no reason to try again later: the table (or the address) must be fixed first.
    const body = this.build("create", () => createOrderBody(order, this.unitCodes));
    const response = await this.send("create", "POST", POST_PATHS.orders, {
      data: body,
      headers: { [IDEMPOTENCY_HEADER]: order.reference },
    });
    const at = new Date(this.now()).toISOString();
    const outcome = this.read("create", () => readCreateAnswer(this.json("create", response), order, at));
    if (outcome.kind === "refused") {
      this.logger.warn({ operation: "create", code: outcome.refusal.code }, "the post refused the order");
      throw new PostError("rejected", `create refused: Status ${outcome.refusal.code}`, response.status);
    }
    return outcome.order;
  }

  async findByOrderNumber(orderNumber: string, reference: string): Promise<PostOrder | null> {
    const response = await this.send("find", "GET", POST_PATHS.orders, {
      params: { OrderNumber: orderNumber },
      notFoundIsAnswer: true,
    });
    if (response.status === 404) return null;
    return this.read("find", () => readFindAnswer(this.json("find", response), { orderNumber, reference }));
  }

  async track(waybill: string): Promise<PostStatusReport[]> {
    const response = await this.send("track", "GET", POST_PATHS.tracking(waybill));
    const { reports, unknownCodes } = this.read("track", () => readTrackAnswer(this.json("track", response), waybill));
    if (unknownCodes.length > 0) {
      this.logger.warn({ operation: "track", waybill, unknownCodes }, "the post gave status codes we do not know");
    }
    return reports;
  }

  async cancel(waybill: string): Promise<void> {
    await this.action("cancel", POST_PATHS.cancel(waybill), {}, waybill);
  }

  async redeliver(waybill: string, receiver: PostParty | null): Promise<void> {
    const body = this.build("redeliver", () => redeliverBody(receiver, this.unitCodes));
    await this.action("redeliver", POST_PATHS.redeliver(waybill), body, waybill);
  }

  verifyCallback(body: Buffer, headers: Record<string, string | string[] | undefined>): PostCallbackCheck {
    const check = checkPostCallback(body, headers, this.options.callbackSecret, this.now());
    if (!check.ok) this.logger.warn({ reason: check.reason }, "postal callback refused");
    return check;
  }

  /** Cancel and redeliver: Status "100", or the post's refusal ("rejected"). */
  private async action(operation: "cancel" | "redeliver", url: string, data: object, waybill: string): Promise<void> {
    const response = await this.send(operation, "POST", url, { data });
    const outcome = this.read(operation, () => readActionAnswer(this.json(operation, response), `${operation} answer`));
    if (!outcome.ok) {
      this.logger.warn({ operation, waybill, code: outcome.refusal.code }, "the post refused");
      throw new PostError("rejected", `${operation} refused: Status ${outcome.refusal.code}`, response.status);
    }
  }

  /**
   * One request with the Bearer token. Timeouts, network errors and any status but 2xx throw (a 404 is given back
   * when `notFoundIsAnswer`). A 4xx answer's body may carry the post's Status: it goes into the detail, not its text.
   */
  private async send(
    operation: Operation,
    method: "GET" | "POST",
    url: string,
    extra: {
      data?: object;
      params?: Record<string, string>;
      headers?: Record<string, string>;
      notFoundIsAnswer?: boolean;
    } = {},
  ): Promise<AxiosResponse> {
    let response: AxiosResponse;
    try {
      response = await this.http.request({
        method,
        url,
        ...(extra.data !== undefined ? { data: extra.data } : {}),
        ...(extra.params ? { params: extra.params } : {}),
        headers: {
          Authorization: `Bearer ${this.options.token}`,
          Accept: "application/json",
          ...(extra.data !== undefined ? { "Content-Type": "application/json" } : {}),
          ...extra.headers,
        },
      });
    } catch (error) {
      if (!isAxiosError(error)) throw error;
      const timeout = error.code === "ETIMEDOUT" || error.code === "ECONNABORTED";
      this.logger.warn({ operation, code: error.code }, "the post is unreachable");
      throw new PostError(timeout ? "timeout" : "network", `${operation}: ${error.code ?? "network error"}`);
    }
    const { status } = response;
    if (status >= 200 && status < 300) return response;
    if (status === 404 && extra.notFoundIsAnswer) return response;
    const code = postCode(response.data);
    this.logger.warn({ operation, status, code }, "the post answered an error status");
    const detail = `${operation}: HTTP ${status}${code ? `, Status ${code}` : ""}`;
    throw new PostError(failureOf(status), detail, status);
  }

  /** The body of a 2xx answer as JSON; "malformed" when it is not. */
  private json(operation: Operation, response: AxiosResponse): unknown {
    const text = typeof response.data === "string" ? response.data : String(response.data ?? "");
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.logger.warn({ operation, status: response.status }, "the post's answer is not JSON");
      throw new PostError("malformed", `${operation}: not JSON`, response.status);
    }
  }

  /** Runs a mapping of an answer; its PostalWireError becomes "malformed" (logged by field names, never values). */
  private read<T>(operation: Operation, map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (error instanceof PostError || !(error instanceof PostalWireError)) throw error;
      this.logger.warn({ operation, issues: error.issues }, "the post's answer is off the format");
      throw new PostError("malformed", `${operation}: ${error.issues.map((i) => i.path).join(", ")}`);
    }
  }

  /** Builds a request body; a commune missing from the unit table is "rejected" (not worth sending again as is). */
  private build<T>(operation: Operation, make: () => T): T {
    try {
      return make();
    } catch (error) {
      if (!(error instanceof PostalWireError)) throw error;
      this.logger.warn({ operation, issues: error.issues }, "the order cannot be written for the post");
      throw new PostError("rejected", `${operation}: a commune without the post's unit code`);
    }
  }
}

/**
 * An error status as a failure. 5xx, 429 (too many requests) and 408 (the post's own timeout) may pass: retryable.
 * 404 is not-found; any other 4xx (a wrong token, a bad field, a refusal) is rejected; anything else is malformed.
 */
function failureOf(status: number): PostFailure {
  if (status >= 500 || status === 429) return "server-error";
  if (status === 408) return "timeout";
  if (status === 404) return "not-found";
  if (status >= 400) return "rejected";
  return "malformed";
}

/** The post's Status code in an error answer, if it gives one (digits and letters only, at most 10). */
function postCode(data: unknown): string | null {
  if (typeof data !== "string") return null;
  try {
    const status = (JSON.parse(data) as { Status?: unknown } | null)?.Status;
    const code = typeof status === "number" ? String(status) : status;
    return typeof code === "string" && /^[A-Za-z0-9]{1,10}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}
