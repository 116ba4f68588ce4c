/**
 * The console's HTTP client: one place that adds the official's token, turns error bodies into Vietnamese messages
 * and sends the official back to the login screen when the session has ended.
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

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

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

async function send(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
  const session = savedSession();
  const headers: Record<string, string> = { accept: "application/json" };
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      ...init,
    });
  } catch {
    throw new ApiError("Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.", 0, "NETWORK");
  }
  if (res.ok) return res;
  let error: { code?: string; message?: string; details?: { path: string; message: string }[] } = {};
  try {
    error = ((await res.json()) as { error?: typeof error }).error ?? {};
  } catch {
    // Not JSON: a proxy's page. The status says enough.
  }
  if (res.status === 401 && session) {
    saveSession(null);
    onUnauthorized();
  }
  throw new ApiError(
    error.message ?? `Máy chủ trả lỗi ${res.status}. Vui lòng thử lại sau.`,
    res.status,
    error.code ?? "HTTP_ERROR",
    error.details ?? [],
  );
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body ?? {});

/**
 * POSTs a body already serialised under its own media type (a catalogue over the API's usual 100 kB JSON limit goes
 * as CATALOGUE_MEDIA_TYPE). A status listed in `keep` (e.g. 422, whose body carries a validation report) is answered
 * like a success, with its JSON body; other failures throw an ApiError as `api` does.
 */
export async function postAs<T>(
  path: string,
  contentType: string,
  body: string,
  keep: number[] = [],
): Promise<{ status: number; body: T }> {
  const session = savedSession();
  const headers: Record<string, string> = { accept: "application/json", "content-type": contentType };
  if (session) headers.authorization = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { method: "POST", headers, body });
  } catch {
    throw new ApiError("Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.", 0, "NETWORK");
  }
  let json: { error?: { code?: string; message?: string; details?: { path: string; message: string }[] } } = {};
  try {
    json = await res.json();
  } catch {
    // Not JSON: a proxy's page. The status says enough.
  }
  if (res.ok || keep.includes(res.status)) return { status: res.status, body: json as T };
  if (res.status === 401 && session) {
    saveSession(null);
    onUnauthorized();
  }
  const error = json.error ?? {};
  throw new ApiError(
    error.message ?? `Máy chủ trả lỗi ${res.status}. Vui lòng thử lại sau.`,
    res.status,
    error.code ?? "HTTP_ERROR",
    error.details ?? [],
  );
}

/** A file the server sends (an attachment, an export), as a blob the page can show or save. */
export async function fetchBlob(path: string): Promise<{ blob: Blob; fileName: string | null }> {
  const res = await send("GET", path);
  const disposition = res.headers.get("content-disposition") ?? "";
  const match = /filename="([^"]+)"/.exec(disposition);
  return { blob: await res.blob(), fileName: match?.[1] ?? null };
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
