import { type DossierPostal, DossierView } from "@qn/shared";
import { expect } from "vitest";
import { call, citizen, file, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { type ServerOverrides, startTestServer, type TestServer } from "../helpers/test-server";

/** Đăng ký khai sinh: commune level 4, may go by post (the starter catalogue). */
export const POSTAL_PROCEDURE = "1.001193";
/** Đăng ký thường trú: the post may not carry it. */
export const NO_POSTAL_PROCEDURE = "1.004222";
export const COMMUNE = "06652";

export const RECEIVER = {
  name: "Nguyễn Văn An",
  phone: "0912345678",
  address: { communeCode: COMMUNE, street: "Số 5, tổ 3, khu 4" },
};

/** A test server with the test post, quotas out of the way, the queue's own timer effectively off. */
export async function startPostalServer(overrides: ServerOverrides = {}): Promise<TestServer> {
  const server = await startTestServer({
    filingQuota: { openPerProcedure: 10_000, perHour: 10_000 },
    webhookRateLimitPerMinute: 10_000,
    ...overrides,
  });
  return server;
}

let seq = 0;
export async function newCitizen(server: TestServer, name = "Nguyễn Văn An"): Promise<string> {
  return citizen(server, `postal-${++seq}-${Date.now()}`, name);
}

/** The next day the post can come, as the quote offers it. */
export async function pickupDate(server: TestServer): Promise<string> {
  const res = await call(server, "GET", `/api/postal/quote?procedure=${POSTAL_PROCEDURE}&commune=${COMMUNE}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.pickupDates[0] as string;
}

/** Files a birth registration with the result by post and, optionally, a pick-up of the originals. */
export async function filePostal(
  server: TestServer,
  token: string,
  options: { pickup?: boolean; resultByPost?: boolean; procedureCode?: string } = {},
): Promise<DossierView> {
  const p = await procedure(server, options.procedureCode ?? POSTAL_PROCEDURE);
  const pickup = options.pickup ? { ...RECEIVER, date: await pickupDate(server), slot: "morning" as const } : undefined;
  const res = await file(
    server,
    token,
    submission({
      procedureCode: p.code,
      resultDelivery:
        options.resultByPost === false
          ? { method: "counter" }
          : { method: "post", recipientName: RECEIVER.name, phone: RECEIVER.phone, address: RECEIVER.address },
      ...(pickup ? { pickup } : {}),
    }),
    requiredFiles(p, () => png(++seq)),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return DossierView.parse(res.body);
}

export async function postalOf(server: TestServer, token: string, code: string): Promise<DossierPostal> {
  const res = await call(server, "GET", `/api/dossiers/${code}/postal`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as DossierPostal;
}

/** An HCC officer of the commune takes the dossier to "Đã xử lý xong" (9). */
export async function completed(server: TestServer, code: string): Promise<{ token: string }> {
  const hcc = await official(server, "hcc", COMMUNE);
  const act = (body: Record<string, unknown>) =>
    call(server, "POST", `/api/officials/dossiers/${code}/actions`, { token: hcc.token, json: body });
  expect(view(await act({ action: "accept" })).state).toBe(2);
  const done = await act({ action: "complete" });
  expect(view(done).state, JSON.stringify(done.body)).toBe(9);
  return hcc;
}

/** Lets the queue run and the test post's callbacks land, twice (a callback may queue more work). */
export async function settle(server: TestServer): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await server.deps.postalQueue.drain();
    await server.deps.postalSandbox?.flush();
  }
}

export async function postalMessages(server: TestServer, code: string) {
  return server.deps.db
    .selectFrom("outbox")
    .select(["idempotency_key", "payload"])
    .where("kind", "=", "dossier.postal")
    .where("payload", "like", `%${code}%`)
    .orderBy("id")
    .execute();
}
