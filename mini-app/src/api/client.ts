import {
  ApiError,
  Procedure,
  type ProcedureField,
  ProcedureField as ProcedureFieldSchema,
  type ProcedureSearchQuery,
  ProcedureSearchResult,
} from "@qn/shared";
import { z } from "zod";

/**
 * The one API client of the mini-app: every response is parsed with the shared schemas, and every failure becomes
 * an `ApiClientError` whose message is Vietnamese and safe to show.
 */
export class ApiClientError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const NETWORK_MESSAGE = "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.";

async function request<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" }, signal });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiClientError(NETWORK_MESSAGE, "NETWORK", 0);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = ApiError.safeParse(body);
    throw new ApiClientError(
      parsed.success ? parsed.data.error.message : "Máy chủ trả lời không hợp lệ. Vui lòng thử lại sau.",
      parsed.success ? parsed.data.error.code : "BAD_RESPONSE",
      response.status,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiClientError("Dữ liệu nhận được không hợp lệ.", "BAD_RESPONSE", response.status);
  return parsed.data;
}

export function searchProcedures(
  query: Partial<Pick<ProcedureSearchQuery, "q" | "level" | "field" | "onlineLevel" | "limit" | "offset">>,
  signal?: AbortSignal,
): Promise<ProcedureSearchResult> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  return request(`/api/procedures?${params}`, ProcedureSearchResult, signal);
}

export function getProcedure(code: string, signal?: AbortSignal): Promise<Procedure> {
  return request(`/api/procedures/${encodeURIComponent(code)}`, Procedure, signal);
}

export function listFields(signal?: AbortSignal): Promise<ProcedureField[]> {
  return request("/api/fields", z.object({ items: z.array(ProcedureFieldSchema) }), signal).then((r) => r.items);
}
