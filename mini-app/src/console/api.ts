import type { z } from "zod";
import { ApiClientError, parseBody, type RequestOptions, request } from "../api/request";

export { Items, Paged } from "../api/request";

/**
 * The console's HTTP client, on the request core it shares with the citizens' mini-app (api/request.ts): the
 * official's token, responses checked with the shared schemas, and the official sent back to the login screen when
 * the session has ended.
 */
const TOKEN_KEY = "qn.console.session";

export type Session = {
  token: string;
  official: {
    id: number;
    username: string;
    name: string;
    role: "official" | "hcc" | "volunteer" | "admin";
    unitCode: string;
  };
};

export { ApiClientError };

let onUnauthorized: () => void = () => {};
export function whenSignedOut(callback: () => void): void {
  onUnauthorized = callback;
}

export function savedSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** What a failure says when the server's answer is not the API's error (a proxy's page): the status says enough. */
const unreadable = (status: number) => ({
  message: `Máy chủ trả lỗi ${status}. Vui lòng thử lại sau.`,
  code: "HTTP_ERROR" as const,
});

/** One request through the core (api/request.ts), with the official's token; a 401 ends the session here. */
async function send(path: string, options: Omit<RequestOptions, "token" | "unreadable"> = {}): Promise<Response> {
  const session = savedSession();
  try {
    return await request(`/api${path}`, { ...options, token: session?.token, unreadable });
  } catch (error) {
    if (error instanceof ApiClientError && error.status === 401 && session) {
      saveSession(null);
      onUnauthorized();
    }
    throw error;
  }
}

/**
 * A call answered with JSON. With a schema (the shared one of that response), the answer is checked against it;
 * without, it is typed as the caller says (responses that have no shared schema yet).
 */
export async function api<T>(method: string, path: string, body?: unknown, schema?: z.ZodType<T>): Promise<T> {
  const res = await send(path, { method, json: body });
  if (schema) return parseBody(res, schema);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string, schema?: z.ZodType<T>) => api<T>("GET", path, undefined, schema);
export const post = <T>(path: string, body?: unknown, schema?: z.ZodType<T>) =>
  api<T>("POST", path, body ?? {}, schema);

/**
 * POSTs a body already serialised under its own media type (a catalogue over the API's usual 100 kB JSON limit goes
 * as CATALOGUE_MEDIA_TYPE). A status listed in `keep` (e.g. 422, whose body carries a validation report) is answered
 * like a success, with its body checked against `schema`; other failures throw an ApiClientError as `api` does.
 */
export async function postAs<T>(
  path: string,
  contentType: string,
  body: string,
  schema: z.ZodType<T>,
  keep: number[] = [],
): Promise<{ status: number; body: T }> {
  const res = await send(path, { method: "POST", raw: { type: contentType, text: body }, keep });
  return { status: res.status, body: await parseBody(res, schema) };
}

/**
 * A file the server sends (an attachment, an export, labels), as a blob the page can show or save. Read as bytes and
 * then made a Blob of the response's type: a body read with `res.blob()` is kept by the browser where its developer
 * tools (and Playwright's `response.body()`) no longer see it.
 */
export async function fetchBlob(path: string): Promise<{ blob: Blob; fileName: string | null }> {
  const res = await send(path);
  const disposition = res.headers.get("content-disposition") ?? "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const type = res.headers.get("content-type") ?? "application/octet-stream";
  return { blob: new Blob([await res.arrayBuffer()], { type }), fileName: match?.[1] ?? null };
}

/** Saves a blob under a name, through a temporary link (the browser's own download). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : "";
}
