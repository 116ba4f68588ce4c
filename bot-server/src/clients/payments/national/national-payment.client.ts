import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import type { Logger } from "../../../logger";
import {
  type CallbackCheck,
  type CallbackResult,
  type PaymentProvider,
  PaymentProviderError,
  type ProviderAttempt,
  type ProviderFailure,
  type ProviderStatus,
  type StartResult,
} from "../provider";
import {
  initMessage,
  looksLikePdf,
  NATIONAL_PROTOCOL_VERSION,
  NATIONAL_SUCCESS,
  type NationalSettings,
  NationalWireError,
  queryMessage,
  readInitAnswer,
  readQueryAnswer,
  receiptMessage,
  verifyConfirm,
} from "./national-wire";

/**
 * The paths of the platform's three calls, after the base URL. **Uncertain**: that source (see national-wire.ts)
 * reads full URLs from its configuration and publishes none, so these are placeholders to be set from the province's
 * contract.
 */
export const NATIONAL_DEFAULT_PATHS = {
  init: "/api/thanhtoan/init",
  query: "/api/thanhtoan/query",
  receipt: "/api/thanhtoan/bienlai",
} as const;

export type NationalPaymentOptions = {
  /** The platform's API origin (and base path), e.g. `https://thanhtoan.dichvucong.gov.vn`. */
  baseUrl: string;
  /** MaDoiTac. */
  partnerCode: string;
  /** The partner secret of MaXacThuc. Never logged. */
  secret: string;
  /** The platform's access token, sent as `Authorization: Bearer …`. Never logged. */
  token: string;
  /** Per call (default 10 s). */
  timeoutMs?: number;
  initPath?: string;
  queryPath?: string;
  receiptPath?: string;
  /** MaKenhThanhToan, MaNganHang, MaThietBi when the contract sets other values than the defaults. */
  channelCode?: string;
  bankCode?: string;
  deviceCode?: string;
  /** Injected for tests: the clock of the QUERY's ThoiGianGD. */
  now?: () => number;
};

type Operation = "init" | "query" | "receipt";

/**
 * The national online-payment platform (issue 14; LEVEL4.md §3) behind the PaymentProvider interface: INIT gives the
 * payment page the citizen is sent to, the platform confirms with a signed callback, QUERY is the reconciliation
 * path, and the receipt (PDF) is fetched afterwards. The wire format lives in national-wire.ts; this module owns the
 * HTTP: the Bearer token, the timeout, and the mapping of every failure to a PaymentProviderError — timeout, network,
 * 5xx (retryable), 4xx or a refusal code ("rejected"), and anything off the format ("malformed"). No retries here:
 * the payment service's reconciliation asks again with its own backoff. Nothing secret is logged: not the secret,
 * the token, MaXacThuc, nor any body.
 */
export class NationalPaymentProvider implements PaymentProvider {
  readonly id = "national" as const;
  private readonly http: AxiosInstance;
  private readonly settings: NationalSettings;
  private readonly paths: Record<Operation, string>;
  private readonly now: () => number;

  constructor(
    private readonly options: NationalPaymentOptions,
    private readonly logger: Logger,
  ) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ""),
      timeout: options.timeoutMs ?? 10_000,
      // Every status is looked at here; a redirect is not followed (a payment API has no business sending one).
      validateStatus: () => true,
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true },
    });
    this.settings = {
      partnerCode: options.partnerCode,
      secret: options.secret,
      version: NATIONAL_PROTOCOL_VERSION,
      ...(options.channelCode ? { channelCode: options.channelCode } : {}),
      ...(options.bankCode ? { bankCode: options.bankCode } : {}),
      ...(options.deviceCode ? { deviceCode: options.deviceCode } : {}),
    };
    this.paths = {
      init: options.initPath ?? NATIONAL_DEFAULT_PATHS.init,
      query: options.queryPath ?? NATIONAL_DEFAULT_PATHS.query,
      receipt: options.receiptPath ?? NATIONAL_DEFAULT_PATHS.receipt,
    };
    this.now = options.now ?? Date.now;
  }

  async start(attempt: ProviderAttempt): Promise<StartResult> {
    const response = await this.post("init", initMessage(attempt, this.settings), "text");
    const outcome = this.read("init", () => readInitAnswer(this.json("init", response)));
    if (outcome.kind === "refused") {
      this.logger.warn({ operation: "init", code: outcome.code }, "national payment platform refused INIT");
      throw this.failure("rejected", `INIT refused: MaLoi ${outcome.code}`, response.status);
    }
    return { kind: "redirect", url: outcome.url };
  }

  async status(attempt: ProviderAttempt): Promise<ProviderStatus> {
    const at = new Date(this.now());
    const response = await this.post("query", queryMessage(attempt.reference, at, this.settings), "text");
    return this.read("query", () =>
      readQueryAnswer(this.json("query", response), { reference: attempt.reference, at }),
    );
  }

  /** The platform's receipt (PDF) of a paid attempt; null when it has none (404). */
  async receipt(attempt: ProviderAttempt): Promise<Buffer | null> {
    const message = receiptMessage(attempt.reference, attempt.createdAt, this.settings);
    const response = await this.post("receipt", message, "arraybuffer", true);
    if (response.status === 404) return null;
    const bytes = Buffer.from(response.data as ArrayBuffer);
    if (!looksLikePdf(bytes)) {
      this.logger.warn({ operation: "receipt", status: response.status, bytes: bytes.length }, "receipt is not a PDF");
      throw this.failure("malformed", "receipt: not a PDF", response.status);
    }
    return bytes;
  }

  verifyCallback(body: Buffer, _headers: Record<string, string | string[] | undefined>): CallbackCheck {
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        return { ok: false, reason: "malformed" };
      }
      const check = verifyConfirm(parsed, this.settings.secret, this.settings.partnerCode);
      if (!check.ok) {
        return { ok: false, reason: check.reason === "malformed" ? "malformed" : "signature" };
      }
      return {
        ok: true,
        notice: {
          reference: check.reference,
          providerOrderId: null,
          transactionId: check.transactionId,
          amount: check.amount,
          outcome: check.outcome,
          at: check.at,
          reason: check.reason,
          fields: check.fields,
        },
      };
    } catch {
      return { ok: false, reason: "malformed" };
    }
  }

  /**
   * The answer to a verified confirm. **Uncertain**: that source answers `{MaLoi, MoTaLoi, …}` with HTTP 200; we
   * answer MaLoi "00" when the confirmation is recorded (applied now or already), "01" with 200 when it was refused
   * for good (a wrong amount, another dossier's reference: recorded and flagged, a resend would not change it), and
   * "99" with HTTP 500 when we failed to record it, so that a platform that resends on failure does.
   */
  callbackAnswer(result: CallbackResult): { status: number; body: unknown } {
    switch (result) {
      case "applied":
      case "duplicate":
        return { status: 200, body: { MaLoi: NATIONAL_SUCCESS, MoTaLoi: "Thành công" } };
      case "refused":
        return { status: 200, body: { MaLoi: "01", MoTaLoi: "Giao dịch không khớp với yêu cầu thanh toán" } };
      case "error":
        return { status: 500, body: { MaLoi: "99", MoTaLoi: "Lỗi hệ thống, vui lòng gửi lại" } };
    }
  }

  /**
   * One POST with the Bearer token. Timeouts, network errors, 5xx and statuses that are neither 2xx nor 4xx throw; a
   * 4xx throws "rejected" except a 404 when `notFoundIsAnswer` (the receipt's "none").
   */
  private async post(
    operation: Operation,
    message: object,
    responseType: "text" | "arraybuffer",
    notFoundIsAnswer = false,
  ): Promise<AxiosResponse> {
    let response: AxiosResponse;
    try {
      response = await this.http.post(this.paths[operation], message, {
        responseType,
        headers: {
          Authorization: `Bearer ${this.options.token}`,
          "Content-Type": "application/json",
          Accept: operation === "receipt" ? "application/pdf" : "application/json",
        },
      });
    } catch (error) {
      if (!isAxiosError(error)) throw error;
      const timeout = error.code === "ETIMEDOUT" || error.code === "ECONNABORTED";
      this.logger.warn({ operation, code: error.code }, "national payment platform unreachable");
      throw this.failure(timeout ? "timeout" : "network", `${operation}: ${error.code ?? "network error"}`);
    }
    const { status } = response;
    if (status >= 200 && status < 300) return response;
    if (status === 404 && notFoundIsAnswer) return response;
    this.logger.warn({ operation, status }, "national payment platform answered an error status");
    if (status >= 500) throw this.failure("server-error", `${operation}: HTTP ${status}`, status);
    if (status >= 400) throw this.failure("rejected", `${operation}: HTTP ${status}`, status);
    throw this.failure("malformed", `${operation}: unexpected HTTP ${status}`, status);
  }

  /** The body of a 2xx answer as JSON; "malformed" when it is not. */
  private json(operation: Operation, response: AxiosResponse): unknown {
    const text = typeof response.data === "string" ? response.data : String(response.data ?? "");
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.logger.warn({ operation, status: response.status }, "national payment platform answer is not JSON");
      throw this.failure("malformed", `${operation}: not JSON`, response.status);
    }
  }

  /** Runs a mapping; its NationalWireError becomes "malformed" (logged by field names, never values). */
  private read<T>(operation: Operation, map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (error instanceof PaymentProviderError) throw error;
      if (!(error instanceof NationalWireError)) throw error;
      this.logger.warn({ operation, issues: error.issues }, "national payment platform answer off format");
      throw this.failure("malformed", `${operation}: ${error.issues.map((i) => i.path).join(", ")}`);
    }
  }

  private failure(failure: ProviderFailure, detail: string, httpStatus?: number): PaymentProviderError {
    return new PaymentProviderError("national", failure, detail, httpStatus);
  }
}
