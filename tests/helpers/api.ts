import { type DossierSubmission, type DossierView, Procedure } from "@qn/shared";
import { expect } from "vitest";
import type { TestServer } from "./test-server";

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field; schemas parse where it matters.
export type Call = { status: number; body: any };

export async function call(
  server: TestServer,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; form?: FormData; headers?: Record<string, string> } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | FormData | undefined;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  const res = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (a download)
  }
  return { status: res.status, body: parsed };
}

/** A development identity (offline mode). */
export async function citizen(server: TestServer, zaloId: string, name = "Nguyễn Văn An"): Promise<string> {
  const res = await call(server, "POST", "/api/auth/dev", { json: { zaloId, name } });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

/** The header that carries the simulator's local session (its token is printed in the startup log). */
export const SIMULATOR_HEADER = "X-Simulator-Token";

/** Offline mode: what would have been sent to Zalo (`GET /api/dev/outbox`), read with the simulator's session. */
export async function devOutbox(server: TestServer, query: { userId?: string; after?: number } = {}): Promise<Call> {
  const params = new URLSearchParams();
  if (query.userId !== undefined) params.set("userId", query.userId);
  if (query.after !== undefined) params.set("after", String(query.after));
  const search = params.size > 0 ? `?${params}` : "";
  return call(server, "GET", `/api/dev/outbox${search}`, {
    headers: { [SIMULATOR_HEADER]: server.deps.simulatorToken ?? "" },
  });
}

let officialSeq = 0;
/** Creates an official through the administrator's API and signs in as them. */
export async function official(
  server: TestServer,
  role: "official" | "hcc" | "volunteer" | "admin",
  unitCode: string,
): Promise<{ token: string; username: string }> {
  const username = `${role}.${unitCode}.${++officialSeq}`;
  const password = "mat-khau-that-dai-123";
  await server.deps.auth.createOfficial({ username, name: `Cán bộ ${officialSeq}`, role, unitCode, password });
  const res = await call(server, "POST", "/api/officials/login", { json: { username, password } });
  expect(res.status).toBe(200);
  return { token: res.body.token, username };
}

export async function procedure(server: TestServer, code: string): Promise<Procedure> {
  const res = await call(server, "GET", `/api/procedures/${code}`);
  return Procedure.parse(res.body);
}

export function submission(overrides: Partial<DossierSubmission> = {}): DossierSubmission {
  return {
    procedureCode: "1.001193",
    applicant: {
      type: "citizen",
      name: "Nguyễn Văn An",
      identityNumber: "022090001234",
      address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
    },
    resultDelivery: { method: "counter" },
    formData: { tenTre: "Nguyễn Minh Khôi", ngaySinh: "2026-11-20" },
    ...overrides,
  };
}

/** A multipart form: the JSON part and one file per given document index. */
export function form(dossier: unknown, files: { index: number | string; name: string; content: Buffer }[]): FormData {
  const data = new FormData();
  if (dossier !== undefined) data.set("dossier", typeof dossier === "string" ? dossier : JSON.stringify(dossier));
  for (const file of files) {
    const field = typeof file.index === "number" ? `document:${file.index}` : file.index;
    data.append(field, new Blob([new Uint8Array(file.content)]), file.name);
  }
  return data;
}

/** Files for every required document of a procedure. */
export function requiredFiles(p: Procedure, content: () => Buffer) {
  return p.documents.flatMap((d, index) =>
    d.required ? [{ index, name: `giay-to-${index}.png`, content: content() }] : [],
  );
}

export async function file(server: TestServer, token: string, dossier: unknown, files: Parameters<typeof form>[1]) {
  return call(server, "POST", "/api/dossiers", { token, form: form(dossier, files) });
}

export function view(res: Call): DossierView {
  return res.body as DossierView;
}
