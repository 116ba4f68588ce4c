import axios, { type AxiosInstance } from "axios";
import { z } from "zod";
import type { Logger } from "../../logger";
import { TOKEN_ERROR_CODE, WINDOW_ERROR_CODES, ZaloApiError, ZaloWindowError } from "./errors";
import { type OaChannel, type OaMessage, type OaMessenger, type SendResult, toZaloMessage } from "./messages";
import type { OaTokenStore } from "./oa-token-store";
import { RateLimiter, type SlotStore } from "./rate-limiter";

const PATHS: Record<OaChannel, string> = {
  cs: "/v3.0/oa/message/cs",
  transaction: "/v3.0/oa/message/transaction",
  promotion: "/v3.0/oa/message/promotion",
};

const Reply = z.object({
  error: z.number(),
  message: z.string().optional(),
  data: z.object({ message_id: z.string().optional(), msg_id: z.string().optional() }).passthrough().optional(),
});

const MAX_ATTEMPTS = 3;
const MAX_RETRY_AFTER_MS = 5_000;

export type ZaloOaClientOptions = {
  openApiUrl: string;
  znsUrl: string;
  ratePerSecond: number;
  /** Where the send rate's schedule is kept: the database for every instance together (bootstrap); else this process. */
  sendSlots?: SlotStore;
  /** ZNS `mode: "development"` outside production (docs/zalo.md §4). */
  znsDevelopmentMode: boolean;
  timeoutMs?: number;
  retryBaseMs?: number;
};

/**
 * The one module that calls Zalo's Open API and ZNS (docs/zalo.md §1, §4). It owns the access token header, the send rate,
 * retries (network errors, 5xx and 429, with backoff and jitter; never other 4xx), one token refresh on -216, and the
 * mapping of Zalo's error codes to typed errors. Responses are parsed with zod.
 */
export class ZaloOaClient implements OaMessenger {
  readonly offline = false;
  private readonly openApi: AxiosInstance;
  private readonly zns: AxiosInstance;
  private readonly limiter: RateLimiter;

  constructor(
    private readonly tokens: OaTokenStore,
    private readonly options: ZaloOaClientOptions,
    private readonly logger: Logger,
  ) {
    const timeout = options.timeoutMs ?? 10_000;
    this.openApi = axios.create({ baseURL: options.openApiUrl, timeout, validateStatus: () => true });
    this.zns = axios.create({ baseURL: options.znsUrl, timeout, validateStatus: () => true });
    this.limiter = new RateLimiter(options.ratePerSecond, undefined, options.sendSlots);
  }

  send(channel: OaChannel, userId: string, message: OaMessage): Promise<SendResult> {
    return this.post(this.openApi, PATHS[channel], { recipient: { user_id: userId }, message: toZaloMessage(message) });
  }

  sendZns(phone: string, templateId: string, data: Record<string, string>, trackingId: string): Promise<SendResult> {
    // ZNS wants 84 + the number without its leading 0, no "+".
    const international = phone.replace(/^\+?84/, "").replace(/^0/, "");
    return this.post(this.zns, "/message/template", {
      phone: `84${international}`,
      template_id: templateId,
      template_data: data,
      tracking_id: trackingId,
      ...(this.options.znsDevelopmentMode ? { mode: "development" } : {}),
    });
  }

  private async post(http: AxiosInstance, path: string, body: unknown): Promise<SendResult> {
    let token = await this.tokens.accessToken();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      await this.limiter.take();
      let status: number | undefined;
      let data: unknown;
      let retryAfterMs: number | undefined;
      try {
        const response = await http.post(path, body, {
          headers: { access_token: token, "content-type": "application/json" },
        });
        status = response.status;
        data = response.data;
        const retryAfter = Number(response.headers["retry-after"]);
        if (Number.isFinite(retryAfter) && retryAfter >= 0)
          retryAfterMs = Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new ZaloApiError(undefined, undefined, `Không kết nối được Zalo: ${(error as Error).message}`, true);
        }
        await this.backoff(attempt);
        continue;
      }
      if (status === 429 || (status !== undefined && status >= 500)) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new ZaloApiError(undefined, status, `Zalo trả lỗi HTTP ${status}`, true, retryAfterMs);
        }
        this.logger.warn({ path, status, attempt }, "zalo busy, retrying");
        await (retryAfterMs !== undefined ? sleep(retryAfterMs) : this.backoff(attempt));
        continue;
      }
      const reply = Reply.safeParse(data);
      if (status !== 200 || !reply.success) {
        throw new ZaloApiError(undefined, status, `Zalo trả lời không hợp lệ (HTTP ${status})`, false);
      }
      const { error, message } = reply.data;
      if (error === 0) {
        const id = reply.data.data?.message_id ?? reply.data.data?.msg_id ?? "";
        return { messageId: id, offline: false };
      }
      if (error === TOKEN_ERROR_CODE && !refreshed) {
        refreshed = true;
        token = await this.tokens.refresh(token);
        continue;
      }
      if (WINDOW_ERROR_CODES.has(error))
        throw new ZaloWindowError(error, message ?? "Người dùng chưa tương tác gần đây");
      throw new ZaloApiError(error, status, message ?? `Zalo báo lỗi ${error}`, false);
    }
  }

  private backoff(attempt: number): Promise<void> {
    const base = this.options.retryBaseMs ?? 200;
    return sleep(base * 2 ** (attempt - 1) * (0.5 + Math.random()));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
