import { type AnyErrorCode, ApiError, type ClientErrorCode, isErrorCode } from "@qn/shared";
import { z } from "zod";
import { apiUrl } from "./origin";

/**
 * The one request core of both front-ends (the citizens' client, api/client.ts, and the officials' console,
 * console/api.ts): the API's address, the Bearer token (never cookies: the mini-app runs on Zalo's origin, the API on
 * ours), the body, and every failure turned into an `ApiClientError` whose message is Vietnamese and safe to show.
 * What a session is, and what to do when it ends, is each client's business.
 */

export type ErrorDetail = { path: string; message: string };

/** A failed call: the message to show, the API's stable code, the HTTP status (0: no answer) and the field details. */
export class ApiClientError extends Error {
  constructor(
    message: string,
    readonly code: AnyErrorCode,
    readonly status: number,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const NETWORK_MESSAGE = "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.";
const BAD_DATA_MESSAGE = "Dữ liệu nhận được không hợp lệ.";

export type RequestOptions = {
  method?: string;
  /** The signed-in person's token, sent as `Authorization: Bearer`. */
  token?: string | undefined;
  /** A JSON body. */
  json?: unknown;
  /** A multipart body (papers, photos). */
  form?: FormData;
  /** A body already serialised under its own media type (a catalogue larger than the JSON limit). */
  raw?: { type: string; text: string };
  accept?: string;
  signal?: AbortSignal | undefined;
  /** Statuses answered like a success (a 422 whose body carries a validation report). */
  keep?: readonly number[];
  /** What a failure says when its body is not the API's `{error}` (a proxy's page): each client words it. */
  unreadable: (status: number) => { message: string; code: ClientErrorCode };
};

/** One request. Resolves with the response when it succeeded (or its status is in `keep`), else throws. */
export async function request(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | FormData | undefined;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.raw) {
    headers["Content-Type"] = options.raw.type;
    body = options.raw.text;
  } else if (options.form) {
    body = options.form;
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path), {
      method: options.method ?? "GET",
      headers,
      body,
      signal: options.signal,
      credentials: "omit",
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiClientError(NETWORK_MESSAGE, "NETWORK", 0);
  }
  if (response.ok || options.keep?.includes(response.status)) return response;
  const parsed = ApiError.safeParse(await response.json().catch(() => undefined));
  if (parsed.success) {
    const { message, code, details } = parsed.data.error;
    // A code this build does not know (a newer server) is still an error from the server, with its message.
    throw new ApiClientError(message, isErrorCode(code) ? code : "HTTP_ERROR", response.status, details ?? []);
  }
  const known = GATEWAY_STATUS_MESSAGES[response.status];
  const { message, code } = known
    ? { message: known, code: "HTTP_ERROR" as const }
    : options.unreadable(response.status);
  throw new ApiClientError(message, code, response.status);
}

/**
 * Statuses a proxy or the platform in front of the server answers with its own page (nginx refuses bodies over 1 MB
 * by default, a gateway times out): each says what to do, in both front-ends, instead of "an invalid answer".
 */
const GATEWAY_STATUS_MESSAGES: Record<number, string> = {
  413: "Dữ liệu gửi lên quá lớn. Vui lòng chọn ảnh hoặc tệp nhỏ hơn rồi gửi lại.",
  429: "Bạn gửi quá nhiều yêu cầu. Vui lòng đợi một lát rồi thử lại.",
  502: "Máy chủ đang bận hoặc đang bảo trì. Vui lòng thử lại sau ít phút.",
  503: "Máy chủ đang bận hoặc đang bảo trì. Vui lòng thử lại sau ít phút.",
  504: "Máy chủ trả lời quá lâu. Nếu vừa nộp hồ sơ, hãy xem mục Hồ sơ của tôi trước khi gửi lại.",
};

/** The shape of the API's lists: `{ items: [...] }`. */
export const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A page of a longer list: `{ items: [...], total }`. */
export const Paged = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number() });

/** A response's JSON checked against its schema (a 204 is checked as `undefined`). */
export async function parseBody<T>(response: Response, schema: z.ZodType<T>): Promise<T> {
  if (response.status === 204) return schema.parse(undefined);
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiClientError(BAD_DATA_MESSAGE, "BAD_RESPONSE", response.status);
  return parsed.data;
}

/** A failure of anything else (a bug, a refused permission) as an `ApiClientError`, for screens that show one. */
export function asApiClientError(error: unknown, fallback = "Đã có lỗi xảy ra."): ApiClientError {
  if (error instanceof ApiClientError) return error;
  return new ApiClientError(error instanceof Error && error.message ? error.message : fallback, "CLIENT", 0);
}
