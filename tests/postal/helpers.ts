import { type DossierPostal, DossierView } from "@qn/shared";
import { expect } from "vitest";
import { call, citizen, file, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { type ServerOverrides, startTestServer, type TestServer, testConfig } from "../helpers/test-server";
import { type FakePost, POST_CALLBACK_SECRET, POST_TOKEN, POST_URL } from "../mocks/post";

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

/** The unit's sender details, as an administrator enters them. */
export const SENDER = {
  name: "Bộ phận một cửa phường Hà Tu",
  phone: "0203 3835 111",
  address: { communeCode: COMMUNE, street: "Số 1 đường Hà Tu" },
  customerCode: "QN-HATU-01",
  tariff: { pickup: 20_000, delivery: 22_000, cod: 3_000 },
};

/**
 * A test server whose post is the msw fake (tests/mocks/post.ts) at its "real" URL, reached by the real client over
 * (intercepted) HTTP; its callbacks come to this server. Short timeouts and backoff; the queue's timer is off (the
 * tests drain it). The commune has its sender details.
 */
export async function startFakePostServer(fake: FakePost, postal: Partial<TestServer["config"]["postal"]> = {}) {
  const base = testConfig();
  const server = await startPostalServer({
    postal: {
      ...base.postal,
      post: { url: POST_URL, token: POST_TOKEN, callbackSecret: POST_CALLBACK_SECRET },
      sandbox: false,
      timeoutMs: 400,
      retryBaseMs: 40,
      retryMaxMs: 160,
      queuePollMs: 3_600_000,
      pollMs: 3_600_000,
      ...postal,
    },
  });
  fake.post.setCallbackUrl(`${server.url}/postal/callback`);
  await server.deps.postal.putSender(COMMUNE, SENDER, null);
  return server;
}

/** Every queued order due now (a backoff's wait skipped). */
export async function due(server: TestServer): Promise<void> {
  await server.deps.db
    .updateTable("postal_orders")
    .set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() })
    .where("next_attempt_at", "is not", null)
    .execute();
}

/**
 * Lets the queue run (its background pass too) and the post's callbacks land, three times over (a callback or an
 * answer may queue more work). `post`: the fake post when it is not the server's own test post.
 */
export async function settle(server: TestServer, post?: FakePost["post"]): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await server.deps.postalQueue.idle();
    await server.deps.postalQueue.drain();
    await (post ?? server.deps.postalSandbox)?.flush();
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
