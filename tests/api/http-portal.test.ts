import { type Config, ConfigError, loadConfig } from "@qn/bot-server";
import { type PortalStateChange, STATE } from "@qn/shared";
import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { portalCallbackSignature } from "../../bot-server/src/clients/provincial-portal/callback-signature";
import { call, citizen, file, form, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { fakePortal, PORTAL_CLIENT_ID, PORTAL_CLIENT_SECRET, PORTAL_URL } from "../mocks/portal";
import { mockServer } from "../mocks/server";

const CALLBACK_SECRET = "callback-secret-for-tests-0123456789";

/** http mode against the msw fake portal, with every wait shortened: retries in tens of milliseconds. */
const HTTP_MODE: Config["portal"] = {
  mode: "http",
  url: PORTAL_URL,
  clientId: PORTAL_CLIENT_ID,
  clientSecret: PORTAL_CLIENT_SECRET,
  callbackSecret: CALLBACK_SECRET,
  pollSeconds: 3600, // the feed is read when a test says so
  retryBaseMs: 20,
  retryMaxMs: 150,
  queuePollMs: 20,
  client: {
    maxAttempts: 1, // every retry is the forwarding queue's, which is what these tests look at
    timeouts: { createDossier: 250, uploadAttachment: 1000, getDossier: 500, dossierChanges: 500, withdraw: 500 },
    breakerCoolDownMs: 30,
  },
};

let portal: ReturnType<typeof fakePortal>;
let server: TestServer;

beforeEach(async () => {
  portal = fakePortal();
  mockServer.use(...portal.handlers);
  server = await startTestServer({ portal: HTTP_MODE });
});
afterEach(async () => {
  await server.close();
});

/** How long the tests wait for the background forwarding and polling (vi.waitFor): up to 5 s, every 20 ms. */
const POLL = { timeout: 5_000, interval: 20 };

async function fileOne(zaloId = "zalo-hoa") {
  const token = await citizen(server, zaloId, "Nguyễn Thị Hoa");
  const birth = await procedure(server, "1.001193");
  const files = requiredFiles(birth, () => png());
  const res = await file(server, token, submission(), files);
  expect(res.status).toBe(201);
  return { token, dossier: view(res), files: files.length };
}

const dossierView = async (token: string, code: string) =>
  view(await call(server, "GET", `/api/dossiers/${code}`, { token }));

async function forwarded(token: string, code: string) {
  return vi.waitFor(async () => {
    const seen = await dossierView(token, code);
    expect(seen.portal?.status).toBe("forwarded");
    return seen;
  }, POLL);
}

/** The portal down: every call to it answers 503 (the token too). */
function portalDown() {
  mockServer.use(
    http.all(`${PORTAL_URL}/*`, () =>
      HttpResponse.json({ error: { code: "UNAVAILABLE", message: "Bảo trì" } }, { status: 503 }),
    ),
  );
}

function portalBack() {
  mockServer.resetHandlers();
  mockServer.use(...portal.handlers);
}

function signed(body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const ts = String(timestamp);
  return {
    "content-type": "application/json",
    "x-portal-timestamp": ts,
    "x-portal-signature": `sha256=${portalCallbackSignature(CALLBACK_SECRET, ts, Buffer.from(body))}`,
  };
}

async function callback(change: PortalStateChange | string, headers?: Record<string, string>) {
  const body = typeof change === "string" ? change : JSON.stringify(change);
  const res = await fetch(`${server.url}/portal-callbacks`, {
    method: "POST",
    headers: headers ?? signed(body),
    body,
  });
  return res.status;
}

const lastChange = () => portal.state.changes.at(-1) as PortalStateChange;

async function inbox(token: string) {
  return (await call(server, "GET", "/api/notifications", { token })).body as {
    total: number;
    items: { kind: string; dossierCode: string }[];
  };
}

describe("filing while the provincial portal is down", () => {
  it("when the portal answers 503, then the dossier is accepted locally, shows it is on its way, and reaches the portal once it is back", async () => {
    portalDown();
    const { token, dossier, files } = await fileOne();
    expect(dossier.state).toBe(STATE.NEW);
    expect(dossier.portal).toEqual({ status: "forwarding", label: "Đang chuyển đến cổng dịch vụ công", code: null });

    // Some retries fail meanwhile; nothing reaches the portal.
    await vi.waitFor(async () => {
      const job = await server.deps.db
        .selectFrom("portal_jobs")
        .select(["attempts", "last_error"])
        .executeTakeFirstOrThrow();
      expect(job.attempts).toBeGreaterThanOrEqual(2);
    }, POLL);
    expect((await dossierView(token, dossier.code)).portal?.status).toBe("forwarding");
    expect(portal.state.dossiers.size).toBe(0);

    portalBack();
    const done = await forwarded(token, dossier.code);
    expect(portal.state.dossiers.size).toBe(1);
    const [onPortal] = [...portal.state.dossiers.values()];
    expect(onPortal?.MaThamChieu).toBe(dossier.code);
    expect(done.portal).toEqual({
      status: "forwarded",
      label: "Đã chuyển đến cổng dịch vụ công",
      code: onPortal?.MaHoSo,
    });
    const row = await server.deps.db
      .selectFrom("dossiers")
      .select("portal_code")
      .where("code", "=", dossier.code)
      .executeTakeFirstOrThrow();
    expect(row.portal_code).toBe(onPortal?.MaHoSo);
    expect(portal.state.attachments.filter((a) => a.dossierCode === onPortal?.MaHoSo)).toHaveLength(files);
    expect(new Set(portal.state.requests.map((r) => r.idempotencyKey).filter(Boolean))).toEqual(
      new Set([`dossier:${dossier.code}`]),
    );
  });

  it("when the portal files the dossier but answers too late (timeout), then the retry gets the same dossier: one on the portal", async () => {
    portal.slowDown("createDossier", 800);
    portal.slowDown("createDossier", 800);
    const { token, dossier } = await fileOne();
    const done = await forwarded(token, dossier.code);
    const creates = portal.state.requests.filter((r) => r.operation === "createDossier");
    expect(creates.length).toBeGreaterThanOrEqual(3); // two timed out, each processed by the portal
    expect(new Set(creates.map((r) => r.idempotencyKey))).toEqual(new Set([`dossier:${dossier.code}`]));
    expect(portal.state.dossiers.size).toBe(1);
    expect(done.portal?.code).toBe([...portal.state.dossiers.keys()][0]);
  });

  it("when the portal's answer is off the contract, then the worker keeps going and the job is retried", async () => {
    let served = 0;
    mockServer.use(
      http.post(`${PORTAL_URL}/v1/dossiers`, () => {
        served++;
        return served === 1 ? HttpResponse.json({ MaHoSo: 42, TrangThaiHoSo: "mới" }, { status: 201 }) : undefined;
      }),
    );
    const { token, dossier } = await fileOne();
    await forwarded(token, dossier.code);
    const job = await server.deps.db.selectFrom("portal_jobs").selectAll().executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: "done", attempts: 2, last_error: null });
    expect(served).toBe(2);
    expect(portal.state.dossiers.size).toBe(1);

    // A change feed page off the contract: the poll fails quietly, the cursor stays where it was.
    mockServer.use(http.get(`${PORTAL_URL}/v1/dossier-changes`, () => HttpResponse.json({ items: "nope" })));
    expect(await server.deps.httpPortal?.changes.poll()).toBe(0);
    const cursor = await server.deps.db
      .selectFrom("meta")
      .select("value")
      .where("key", "=", "portal.dossier-changes.cursor")
      .executeTakeFirst();
    expect(cursor?.value).toBe("c:0"); // from the poll at start, before anything was filed
  });

  it("when a refusal is final (400), then the citizen sees that forwarding failed and it is not retried", async () => {
    mockServer.use(
      http.post(`${PORTAL_URL}/v1/dossiers`, () =>
        HttpResponse.json({ error: { code: "VALIDATION_FAILED", message: "Sai mã thủ tục" } }, { status: 400 }),
      ),
    );
    const { token, dossier } = await fileOne();
    const failed = await vi.waitFor(async () => {
      const seen = await dossierView(token, dossier.code);
      expect(seen.portal?.status).toBe("failed");
      return seen;
    }, POLL);
    expect(failed.portal?.label).toMatch(/^Chưa chuyển được đến cổng dịch vụ công/);
    const job = await server.deps.db.selectFrom("portal_jobs").selectAll().executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: "failed", attempts: 1, last_error: "rejected 400 VALIDATION_FAILED" });
  });
});

describe("state changes from the portal", () => {
  it("when a signed callback brings a change, then the dossier changes and the citizen is notified once, however often it comes", async () => {
    const { token, dossier } = await fileOne();
    const { portal: onPortal } = await forwarded(token, dossier.code);
    const code = onPortal?.code as string;
    const stepsBefore = (await dossierView(token, dossier.code)).history.length;

    portal.setState(code, 2, "accept");
    const accepted = { ...lastChange(), NgayHenTra: "20261204235959", NguoiXuLy: "Trần Văn Bình" };
    expect(await callback(accepted)).toBe(204);
    const after = await dossierView(token, dossier.code);
    expect(after).toMatchObject({ state: 2, stateLabel: "Được tiếp nhận", dueDate: "2026-12-04" });
    expect(after.history).toHaveLength(stepsBefore + 1);
    expect(after.history.at(-1)).toMatchObject({
      action: "accept",
      actorName: "Trần Văn Bình",
      fromState: 1,
      toState: 2,
    });
    expect(after.acceptedAt).not.toBeNull();

    // The portal retries its callback, and the feed lists the same change: nothing more happens.
    expect(await callback(accepted)).toBe(204);
    expect(await server.deps.httpPortal?.changes.poll()).toBe(0);
    expect((await dossierView(token, dossier.code)).history).toHaveLength(stepsBefore + 1);
    const notes = await inbox(token);
    expect(notes.items.filter((n) => n.kind === "dossier.accepted")).toHaveLength(1);
    const outbox = await server.deps.db
      .selectFrom("outbox")
      .select("kind")
      .where("kind", "=", "dossier.accepted")
      .execute();
    expect(outbox).toHaveLength(1);
  });

  it("when a callback's signature is wrong or stale, or its body is off the contract, then it is refused and changes nothing", async () => {
    const { token, dossier } = await fileOne();
    const code = (await forwarded(token, dossier.code)).portal?.code as string;
    portal.setState(code, 3, "reject");
    const body = JSON.stringify(lastChange());

    const wrong = { ...signed(body), "x-portal-signature": `sha256=${"0".repeat(64)}` };
    expect(await callback(body, wrong)).toBe(401);
    expect(await callback(body, signed(body, Math.floor(Date.now() / 1000) - 10 * 60))).toBe(401);
    expect(await callback(body, { "content-type": "application/json" })).toBe(401);
    expect(await callback(`${body} `, signed(body))).toBe(401); // a byte changed after signing
    expect(await callback("{not json", signed("{not json"))).toBe(400);
    const offContract = JSON.stringify({ ...lastChange(), TrangThaiHoSo: 11 });
    expect(await callback(offContract, signed(offContract))).toBe(400);

    expect((await dossierView(token, dossier.code)).state).toBe(STATE.NEW);
    expect((await inbox(token)).total).toBe(0);
  });

  it("when callbacks are lost, then polling the change feed applies them in order, once, and a late callback changes nothing", async () => {
    const { token, dossier } = await fileOne();
    const code = (await forwarded(token, dossier.code)).portal?.code as string;
    portal.setState(code, 2, "accept");
    const acceptedChange = lastChange();
    portal.setState(code, 5, "request-supplement");
    const supplementChange = lastChange();
    supplementChange.GiayToCanBoSung = ["Giấy chứng sinh bản chính"];

    // The submit change (1) is the dossier's own filing; accept and supplement request are applied.
    expect(await server.deps.httpPortal?.changes.poll()).toBe(2);
    const polled = await dossierView(token, dossier.code);
    expect(polled).toMatchObject({ state: 5, missingDocuments: ["Giấy chứng sinh bản chính"] });
    expect(polled.history.slice(-2).map((s) => s.action)).toEqual(["accept", "request-supplement"]);
    expect((await inbox(token)).items.map((n) => n.kind).sort()).toEqual([
      "dossier.accepted",
      "dossier.supplement-requested",
    ]);

    expect(await server.deps.httpPortal?.changes.poll()).toBe(0);
    expect(await callback(acceptedChange)).toBe(204);
    expect(await callback(supplementChange)).toBe(204);
    const same = await dossierView(token, dossier.code);
    expect(same.state).toBe(5);
    expect(same.history).toHaveLength(polled.history.length);
    expect((await inbox(token)).total).toBe(2);
  });

  it("when a change older than one applied arrives late, then it does not undo the newer state", async () => {
    const { token, dossier } = await fileOne();
    const code = (await forwarded(token, dossier.code)).portal?.code as string;
    portal.setState(code, 2, "accept");
    const older = { ...lastChange(), ThoiGian: "20261127080000" };
    portal.setState(code, 4, "process");
    const newer = { ...lastChange(), ThoiGian: "20261127090000" };
    expect(await callback(newer)).toBe(204);
    expect(await callback(older)).toBe(204);
    expect((await dossierView(token, dossier.code)).state).toBe(STATE.PROCESSING);
  });
});

describe("citizens' and officials' actions in http mode", () => {
  it("when the citizen withdraws, then it is recorded at once and forwarded; the portal's own change is not applied twice", async () => {
    const { token, dossier } = await fileOne();
    const code = (await forwarded(token, dossier.code)).portal?.code as string;
    const res = await call(server, "POST", `/api/dossiers/${dossier.code}/withdraw`, {
      token,
      json: { reason: "Nộp nhầm thủ tục" },
    });
    expect(res.status).toBe(200);
    expect(view(res).state).toBe(STATE.WITHDRAWN);
    await vi.waitFor(() => expect(portal.state.dossiers.get(code)?.TrangThaiHoSo).toBe(STATE.WITHDRAWN), POLL);
    const steps = (await dossierView(token, dossier.code)).history.length;
    await server.deps.httpPortal?.changes.poll();
    expect((await dossierView(token, dossier.code)).history).toHaveLength(steps);
    expect(portal.state.requests.filter((r) => r.operation === "withdraw")).toHaveLength(1);
  });

  it("when the portal asks for a supplement and the citizen sends it, then the file and the supplement reach the portal once", async () => {
    const { token, dossier } = await fileOne();
    const code = (await forwarded(token, dossier.code)).portal?.code as string;
    portal.setState(code, 2, "accept");
    portal.setState(code, 4, "process");
    portal.setState(code, 5, "request-supplement");
    expect(await server.deps.httpPortal?.changes.poll()).toBe(3);
    expect((await dossierView(token, dossier.code)).state).toBe(STATE.SUPPLEMENT_REQUESTED);

    const res = await call(server, "POST", `/api/dossiers/${dossier.code}/supplement`, {
      token,
      form: form(undefined, [{ index: "supplement", name: "giay-chung-sinh.png", content: png(64) }]),
    });
    expect(res.status).toBe(200);
    expect(view(res).state).toBe(STATE.PROCESSING);
    await vi.waitFor(() => expect(portal.state.dossiers.get(code)?.TrangThaiHoSo).toBe(STATE.PROCESSING), POLL);
    const supplements = portal.state.attachments.filter((a) => a.LoaiDinhKem === 2);
    expect(supplements).toHaveLength(1);
    const sent = portal.state.requests.filter((r) => r.operation === "supplement");
    expect(sent.map((r) => r.body)).toEqual([{ MaTepDinhKem: [supplements[0]?.MaTepDinhKem] }]);
    const steps = (await dossierView(token, dossier.code)).history.length;
    await server.deps.httpPortal?.changes.poll();
    expect((await dossierView(token, dossier.code)).history).toHaveLength(steps);
  });

  it("when an official acts on a dossier locally, then it is refused with 409: officials work on the provincial portal", async () => {
    const { dossier } = await fileOne();
    const hcc = await official(server, "hcc", "06652");
    const res = await call(server, "POST", `/api/officials/dossiers/${dossier.code}/actions`, {
      token: hcc.token,
      json: { action: "accept" },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("HANDLED_ON_PORTAL");
    expect(res.body.error.message).toMatch(/Cổng dịch vụ công của tỉnh/);
  });
});

describe("configuration of the portal mode", () => {
  it("when nothing is set, then the embedded portal is used", () => {
    expect(loadConfig({}).portal).toEqual({ mode: "embedded" });
  });

  it("when http mode lacks settings, then startup fails naming each missing one and never showing a secret", () => {
    try {
      loadConfig({ PORTAL_MODE: "http", PORTAL_URL: PORTAL_URL, PORTAL_CLIENT_SECRET: "very-secret-value-123" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.variable)).toEqual([
        "PORTAL_CLIENT_ID",
        "PORTAL_CALLBACK_SECRET",
      ]);
      expect((error as Error).message).not.toContain("very-secret-value-123");
    }
    const config = loadConfig({
      PORTAL_MODE: "http",
      PORTAL_URL: `${PORTAL_URL}/`,
      PORTAL_CLIENT_ID: PORTAL_CLIENT_ID,
      PORTAL_CLIENT_SECRET: PORTAL_CLIENT_SECRET,
      PORTAL_CALLBACK_SECRET: CALLBACK_SECRET,
    });
    expect(config.portal).toMatchObject({ mode: "http", url: PORTAL_URL, pollSeconds: 60, retryBaseMs: 2000 });
  });
});
