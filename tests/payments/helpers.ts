import { DossierPayments, DossierView } from "@qn/shared";
import { expect } from "vitest";
import { call, file, official, procedure, requiredFiles, submission } from "../helpers/api";
import { png } from "../helpers/files";
import type { TestServer } from "../helpers/test-server";

/** Cấp bản sao Trích lục hộ tịch: level 4, 8.000 đ per copy, paid at filing. */
export const COPY_PROCEDURE = "2.000635";

/** Files a level-4 dossier with fixed fees (`copies` copies of the extract) and returns its view. */
export async function fileWithFees(
  server: TestServer,
  token: string,
  options: { copies?: number; exemption?: { index: number; reason: string }; code?: string; commune?: string } = {},
): Promise<DossierView> {
  const p = await procedure(server, options.code ?? COPY_PROCEDURE);
  const res = await file(
    server,
    token,
    submission({
      procedureCode: p.code,
      ...(options.commune
        ? { applicant: { ...submission().applicant, address: { communeCode: options.commune, street: "Số 1" } } }
        : {}),
      fees: {
        quantities: { "0": options.copies ?? 2 },
        ...(options.exemption ? { exemption: options.exemption } : {}),
      },
    }),
    requiredFiles(p, png),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return DossierView.parse(res.body);
}

export async function payments(server: TestServer, token: string, code: string): Promise<DossierPayments> {
  const res = await call(server, "GET", `/api/dossiers/${code}/payments`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return DossierPayments.parse(res.body);
}

/** Starts a payment and follows the sandbox's page to `choice`, as the citizen's browser would. */
export async function paySandbox(
  server: TestServer,
  token: string,
  code: string,
  choice: "success" | "failure" | "abandon",
): Promise<{ reference: string; redirect: string | null }> {
  const started = await call(server, "POST", `/api/dossiers/${code}/payments`, { token, json: { method: "sandbox" } });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const reference = started.body.attempt.reference as string;
  const page = await fetch(`${server.url}${started.body.next.url}`);
  expect(page.status).toBe(200);
  const res = await fetch(`${server.url}/payments/sandbox/${reference}/${choice}`, {
    method: "POST",
    redirect: "manual",
  });
  expect(res.status).toBe(303);
  return { reference, redirect: res.headers.get("location") };
}

export async function unitOfficial(server: TestServer, unit = "06652") {
  return official(server, "hcc", unit);
}
