import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postCallbackHeaders } from "../../bot-server/src/clients/postal/postal-wire";
import { call, official, view } from "../helpers/api";
import type { TestServer } from "../helpers/test-server";
import { type FakePost, fakePost, POST_CALLBACK_SECRET } from "../mocks/post";
import { mockServer } from "../mocks/server";
import {
  COMMUNE,
  completed,
  due,
  filePostal,
  newCitizen,
  postalMessages,
  postalOf,
  settle,
  startFakePostServer,
} from "./helpers";

/**
 * Issue 15 through the HTTP API, with the post as an outside system: the msw fake post (tests/mocks/post.ts) at its
 * own URL, reached by the real client; its signed callbacks come to POST /postal/callback of this server.
 */

let fake: FakePost;
let server: TestServer;

beforeAll(async () => {
  fake = fakePost({ callbackUrl: null });
  mockServer.use(...fake.handlers);
  server = await startFakePostServer(fake);
});
beforeEach(() => {
  // msw resets handlers after each test; the post and its orders live on across them.
  mockServer.use(...fake.handlers);
  fake.post.down(false);
});
afterEach(async () => {
  await fake.post.flush();
});
afterAll(async () => {
  await fake.post.close();
  await server.close();
});

const ordersAtPost = (code: string) => fake.post.withOrderNumber(code);

/** A signed callback as the post would send it, about `waybill` (fields overridable). */
async function callback(waybill: string, fields: Record<string, unknown>, headers?: Record<string, string>) {
  const order = fake.post.order(waybill);
  const body = Buffer.from(
    JSON.stringify({
      EventId: `X-${Math.random().toString(36).slice(2)}`,
      ItemCode: waybill,
      OrderNumber: order?.orderNumber,
      ClientReference: order?.clientReference,
      StatusCode: "300",
      Time: new Date().toISOString(),
      Note: null,
      ReceiverName: null,
      ProofUrl: null,
      ...fields,
    }),
  );
  const res = await fetch(`${server.url}/postal/callback`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(headers ?? postCallbackHeaders(POST_CALLBACK_SECRET, body, Date.now())),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("a pick-up asked for at filing", () => {
  it("goes to the post once, with our reference as its idempotency key, and each status reaches the citizen once", async () => {
    const token = await newCitizen(server);
    const dossier = await filePostal(server, token, { pickup: true });
    await settle(server, fake.post);

    const [order, ...others] = ordersAtPost(dossier.code);
    expect(others).toEqual([]);
    expect(order).toMatchObject({ serviceType: "THU_GOM", creates: 1, codAmount: 0 });
    const ours = (await postalOf(server, token, dossier.code)).orders;
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ kind: "pickup", status: "created", waybill: order?.itemCode, charge: 20_000 });
    expect(order?.idempotencyKey).toBe(ours[0]?.reference);
    // The unit's sender details as the receiver of the originals; the citizen as the sender, at the time asked.
    expect(order?.receiver.Fullname).toBe("Bộ phận một cửa phường Hà Tu");
    expect(order?.sender.Tel).toBe("0912345678");
    expect(order?.pickup).toMatchObject({ from: "08:00", to: "11:30" });

    fake.post.advance(order?.itemCode as string); // picked up
    await settle(server, fake.post);
    const after = (await postalOf(server, token, dossier.code)).orders[0];
    expect(after?.status).toBe("picked-up");
    expect(after?.events.map((e) => e.status)).toEqual(["waiting", "created", "picked-up"]);
    // Counted as received by post (indicator 5) from the post's own record.
    const row = await server.deps.db
      .selectFrom("dossiers")
      .select("postal_received_at")
      .where("code", "=", dossier.code)
      .executeTakeFirstOrThrow();
    expect(row.postal_received_at).not.toBeNull();
    const texts = (await postalMessages(server, dossier.code)).map((m) => JSON.parse(m.payload).message.text as string);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("bưu điện đã nhận yêu cầu đến lấy hồ sơ gốc");
    expect(texts[1]).toContain("bưu điện đã lấy hồ sơ gốc");
  });
});

describe("statuses applied once, never backwards", () => {
  let token: string;
  let code: string;
  let waybill: string;
  beforeAll(async () => {
    mockServer.use(...fake.handlers);
    token = await newCitizen(server);
    const dossier = await filePostal(server, token);
    code = dossier.code;
    const hcc = await completed(server, code);
    const dispatched = await call(server, "POST", "/api/officials/postal/dispatch", {
      token: hcc.token,
      json: { codes: [code] },
    });
    expect(dispatched.body).toEqual([{ code, outcome: "created", reference: expect.any(String), message: null }]);
    await settle(server, fake.post);
    waybill = ordersAtPost(code)[0]?.itemCode as string;
    expect(waybill).toMatch(/^EB\d{9}VN$/);
  });

  it("when a callback is delivered three times at once, then its status is applied and told once", async () => {
    const fields = { EventId: "DUP-1", StatusCode: "200", Time: new Date().toISOString() };
    const answers = await Promise.all([
      callback(waybill, fields),
      callback(waybill, fields),
      callback(waybill, fields),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.result).sort()).toEqual(["applied", "duplicate", "duplicate"]);
    const events = await server.deps.db
      .selectFrom("postal_events")
      .innerJoin("postal_orders", "postal_orders.id", "postal_events.order_id")
      .select(["postal_events.result"])
      .where("postal_orders.waybill", "=", waybill)
      .where("postal_events.event_key", "=", "DUP-1")
      .execute();
    expect(events).toEqual([{ result: "applied" }]);
    const picked = (await postalMessages(server, code)).filter((m) => m.payload.includes("đang được bưu điện"));
    expect(picked).toHaveLength(1);
  });

  it("when an older status arrives after a newer one, then it is recorded as stale and the order stays", async () => {
    const now = Date.now();
    expect((await callback(waybill, { StatusCode: "300", Time: new Date(now).toISOString() })).body.result).toBe(
      "applied",
    );
    // "picked up" from a minute ago, late: recorded, not applied.
    const late = await callback(waybill, { StatusCode: "200", Time: new Date(now - 60_000).toISOString() });
    expect(late.body.result).toBe("stale");
    expect((await postalOf(server, token, code)).orders[0]?.status).toBe("in-transit");
  });

  it("when the post says delivered, then a later 'in transit' cannot take it back and the dossier is Đã trả kết quả", async () => {
    const delivered = await callback(waybill, {
      StatusCode: "500",
      Time: new Date().toISOString(),
      ReceiverName: "Nguyễn Văn An",
      ProofUrl: "https://buudien.test/proof/x.jpg",
    });
    expect(delivered.body.result).toBe("applied");
    const again = await callback(waybill, { StatusCode: "300", Time: new Date(Date.now() + 60_000).toISOString() });
    expect(again.body.result).toBe("stale");
    const postal = await postalOf(server, token, code);
    expect(postal.orders[0]).toMatchObject({
      status: "delivered",
      proof: { receivedBy: "Nguyễn Văn An", url: "https://buudien.test/proof/x.jpg" },
    });
    const dossier = await call(server, "GET", `/api/dossiers/${code}`, { token });
    expect(view(dossier).state).toBe(10);
    expect(view(dossier).history.at(-1)).toMatchObject({
      action: "deliver",
      actorName: "Dịch vụ bưu chính công ích",
      actorKind: "system",
    });
    const row = await server.deps.db
      .selectFrom("dossiers")
      .select(["postal_delivered_at", "delivered_at"])
      .where("code", "=", code)
      .executeTakeFirstOrThrow();
    expect(row.postal_delivered_at).toBe(row.delivered_at);
  });

  it("when a callback's signature is wrong, too old or missing, then 401 and nothing changes; a malformed one is 400", async () => {
    const body = Buffer.from(JSON.stringify({ ItemCode: waybill, StatusCode: "550", Time: new Date().toISOString() }));
    const stale = postCallbackHeaders(POST_CALLBACK_SECRET, body, Date.now() - 10 * 60_000);
    const wrong = postCallbackHeaders("another-secret-another-secret", body, Date.now());
    for (const headers of [stale, wrong, {}]) {
      const res = await fetch(`${server.url}/postal/callback`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body,
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("POSTAL_SIGNATURE_INVALID");
    }
    const junk = Buffer.from("{not json");
    const res = await fetch(`${server.url}/postal/callback`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...postCallbackHeaders(POST_CALLBACK_SECRET, junk, Date.now()) },
      body: junk,
    });
    expect(res.status).toBe(400);
    expect((await postalOf(server, token, code)).orders[0]?.status).toBe("delivered");
  });
});

describe("the post away, slow or silent", () => {
  it("when the post is down, then the order waits and officials see it waiting with the error; once up it goes out once", async () => {
    const token = await newCitizen(server);
    const dossier = await filePostal(server, token);
    const hcc = await completed(server, dossier.code);
    fake.post.down(true);
    await call(server, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes: [dossier.code] } });
    await settle(server, fake.post);
    const problems = await call(server, "GET", "/api/officials/postal/orders?list=problems", { token: hcc.token });
    const waiting = (
      problems.body as { dossierCode: string; status: string; sending: { attempts: number; lastError: string } }[]
    ).find((o) => o.dossierCode === dossier.code);
    expect(waiting).toMatchObject({
      status: "waiting",
      sending: { attempts: 1, lastError: expect.stringContaining("Hệ thống bưu điện") },
    });
    expect(ordersAtPost(dossier.code)).toEqual([]);

    fake.post.down(false);
    await due(server);
    await settle(server, fake.post);
    expect(ordersAtPost(dossier.code)).toHaveLength(1);
    expect((await postalOf(server, token, dossier.code)).orders[0]?.status).toBe("created");
  });

  it("when the post created the order but its answer was lost, then the next try finds it by its number: one order", async () => {
    const token = await newCitizen(server);
    const dossier = await filePostal(server, token);
    const hcc = await completed(server, dossier.code);
    fake.failNext("create", () => new Response("Gateway Timeout", { status: 504 }), { afterHandling: true });
    // Its "created" callback would heal it too: here only the lookup by the order number can.
    fake.post.setCallbackUrl(null);
    try {
      await call(server, "POST", "/api/officials/postal/dispatch", {
        token: hcc.token,
        json: { codes: [dossier.code] },
      });
      await settle(server, fake.post);
      await due(server);
      await settle(server, fake.post);
    } finally {
      fake.post.setCallbackUrl(`${server.url}/postal/callback`);
    }
    const atPost = ordersAtPost(dossier.code);
    expect(atPost).toHaveLength(1);
    expect(atPost[0]?.creates).toBe(1);
    const mine = (op: string) =>
      fake.post.requests.filter((r) => r.operation === op && JSON.stringify(r).includes(dossier.code));
    expect(mine("create")).toHaveLength(1);
    expect((await postalOf(server, token, dossier.code)).orders[0]).toMatchObject({
      status: "created",
      waybill: atPost[0]?.itemCode,
    });
    expect(mine("find").length).toBeGreaterThan(0);
  });

  it("when the post answers slower than the time limit, then the order is not created twice", async () => {
    const token = await newCitizen(server);
    const dossier = await filePostal(server, token);
    const hcc = await completed(server, dossier.code);
    fake.post.slowCreate(900); // the client gives up after 400 ms; the post creates it all the same
    await call(server, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes: [dossier.code] } });
    await settle(server, fake.post);
    await new Promise((r) => setTimeout(r, 700));
    await due(server);
    await settle(server, fake.post);
    const atPost = ordersAtPost(dossier.code);
    expect(atPost).toHaveLength(1);
    expect((await postalOf(server, token, dossier.code)).orders[0]?.waybill).toBe(atPost[0]?.itemCode);
  });

  it("when every callback is lost, then the queue's status reads apply the statuses, once each", async () => {
    const token = await newCitizen(server);
    const dossier = await filePostal(server, token);
    const hcc = await completed(server, dossier.code);
    await call(server, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes: [dossier.code] } });
    await settle(server, fake.post);
    const waybill = ordersAtPost(dossier.code)[0]?.itemCode as string;
    fake.post.setCallbackUrl(null);
    try {
      fake.post.advance(waybill);
      fake.post.advance(waybill);
      await due(server);
      await settle(server, fake.post);
      await due(server);
      await settle(server, fake.post); // read twice: the second read brings nothing new
    } finally {
      fake.post.setCallbackUrl(`${server.url}/postal/callback`);
    }
    const postal = await postalOf(server, token, dossier.code);
    expect(postal.orders[0]?.events.map((e) => e.status)).toEqual(["waiting", "created", "picked-up", "in-transit"]);
    const texts = (await postalMessages(server, dossier.code)).map((m) => JSON.parse(m.payload).fields.postalStatus);
    expect(texts).toEqual([
      "Đã tạo đơn gửi kết quả qua bưu điện",
      "Bưu điện đã nhận kết quả từ cơ quan",
      "Kết quả đang được chuyển phát",
    ]);
  });
});

describe("a dossier that ends before the post came", () => {
  it("when the citizen withdraws it, then its pick-up is cancelled at the post", async () => {
    const token = await newCitizen(server);
    const dossier = await filePostal(server, token, { pickup: true });
    await settle(server, fake.post);
    const waybill = ordersAtPost(dossier.code)[0]?.itemCode as string;
    const withdrawn = await call(server, "POST", `/api/dossiers/${dossier.code}/withdraw`, {
      token,
      json: { reason: "Tôi nộp nhầm thủ tục" },
    });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    await settle(server, fake.post);
    expect(fake.post.order(waybill)?.status).toBe("cancelled");
    expect((await postalOf(server, token, dossier.code)).orders[0]?.status).toBe("cancelled");
  });
});

describe("after a failed delivery, the citizen chooses", () => {
  async function failedDelivery() {
    const token = await newCitizen(server);
    const dossier = await filePostal(server, token);
    const hcc = await completed(server, dossier.code);
    await call(server, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes: [dossier.code] } });
    await settle(server, fake.post);
    const waybill = ordersAtPost(dossier.code)[0]?.itemCode as string;
    fake.post.advance(waybill);
    fake.post.advance(waybill);
    fake.post.fail(waybill, "Không có người nhận");
    await settle(server, fake.post);
    const order = (await postalOf(server, token, dossier.code)).orders[0];
    expect(order).toMatchObject({ status: "failed", choices: ["redeliver", "change-address", "counter"] });
    const choose = (json: unknown) =>
      call(server, "POST", `/api/dossiers/${dossier.code}/postal/orders/${order?.reference}/choice`, { token, json });
    return { token, dossier, hcc, waybill, choose };
  }

  it("another address: the post is told to deliver there, and the dossier's result address changes", async () => {
    const { token, dossier, waybill, choose } = await failedDelivery();
    const receiver = {
      name: "Trần Thị Bình",
      phone: "0987654321",
      address: { communeCode: "06685", street: "Số 9 Lê Thánh Tông" },
    };
    const res = await choose({ choice: "change-address", receiver });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await settle(server, fake.post);
    const redeliver = fake.post.requests.filter((r) => r.operation === "redeliver" && r.path.includes(waybill));
    expect(redeliver).toHaveLength(1);
    expect(JSON.stringify(redeliver[0]?.body)).toContain("Trần Thị Bình");
    expect(fake.post.order(waybill)?.status).toBe("in-transit");
    const d = view(await call(server, "GET", `/api/dossiers/${dossier.code}`, { token }));
    expect(d.resultDelivery).toMatchObject({ method: "post", recipientName: "Trần Thị Bình" });
    // Chosen once: asking again is refused.
    expect((await choose({ choice: "counter" })).status).toBe(409);
  });

  it("the counter: the result goes out at the counter and the dossier leaves the postal lists", async () => {
    const { token, dossier, hcc, waybill, choose } = await failedDelivery();
    expect((await choose({ choice: "counter" })).status).toBe(200);
    const d = view(await call(server, "GET", `/api/dossiers/${dossier.code}`, { token }));
    expect(d.resultDelivery).toEqual({ method: "counter" });
    fake.post.returnToSender(waybill, "Chuyển hoàn theo yêu cầu");
    await settle(server, fake.post);
    const ready = await call(server, "GET", "/api/officials/postal/ready", { token: hcc.token });
    expect((ready.body as { code: string }[]).map((r) => r.code)).not.toContain(dossier.code);
    expect((await postalOf(server, token, dossier.code)).orders[0]).toMatchObject({ status: "returned", choices: [] });
    // Officials see it until the result is handed over at the counter, then no more.
    const problems = async () =>
      (
        (await call(server, "GET", "/api/officials/postal/orders?list=problems", { token: hcc.token })).body as {
          dossierCode: string;
        }[]
      ).map((o) => o.dossierCode);
    expect(await problems()).toContain(dossier.code);
    const handed = await call(server, "POST", `/api/officials/dossiers/${dossier.code}/actions`, {
      token: hcc.token,
      json: { action: "deliver" },
    });
    expect(view(handed).state).toBe(10);
    expect(await problems()).not.toContain(dossier.code);
  });

  it("a returned result is not sent again blindly: only after the citizen asks for it", async () => {
    const token = await newCitizen(server);
    const dossier = await filePostal(server, token);
    const hcc = await completed(server, dossier.code);
    await call(server, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes: [dossier.code] } });
    await settle(server, fake.post);
    const waybill = ordersAtPost(dossier.code)[0]?.itemCode as string;
    fake.post.advance(waybill);
    fake.post.returnToSender(waybill, "Không liên lạc được người nhận");
    await settle(server, fake.post);
    const readyCodes = async () =>
      ((await call(server, "GET", "/api/officials/postal/ready", { token: hcc.token })).body as { code: string }[]).map(
        (r) => r.code,
      );
    expect(await readyCodes()).not.toContain(dossier.code);
    const order = (await postalOf(server, token, dossier.code)).orders[0];
    const res = await call(server, "POST", `/api/dossiers/${dossier.code}/postal/orders/${order?.reference}/choice`, {
      token,
      json: { choice: "redeliver" },
    });
    expect(res.status).toBe(200);
    expect(await readyCodes()).toContain(dossier.code);
    const again = await call(server, "POST", "/api/officials/postal/dispatch", {
      token: hcc.token,
      json: { codes: [dossier.code] },
    });
    expect(again.body[0].outcome).toBe("created");
    await settle(server, fake.post);
    expect(ordersAtPost(dossier.code)).toHaveLength(2);
  });
});

describe("the officials' side", () => {
  it("dispatches many at once, refusing what cannot go, and prints the labels", async () => {
    const hcc = await official(server, "hcc", COMMUNE);
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const token = await newCitizen(server);
      const d = await filePostal(server, token);
      await completed(server, d.code);
      codes.push(d.code);
    }
    const counterToken = await newCitizen(server);
    const atCounter = await filePostal(server, counterToken, { resultByPost: false });
    await completed(server, atCounter.code);
    const notDone = await filePostal(server, counterToken);
    fake.post.down(true); // so that nothing has a waybill yet when the first label is asked for
    const res = await call(server, "POST", "/api/officials/postal/dispatch", {
      token: hcc.token,
      json: { codes: [...codes, atCounter.code, notDone.code, codes[0]] },
    });
    expect(res.status).toBe(200);
    expect(res.body.map((r: { outcome: string }) => r.outcome)).toEqual([
      "created",
      "created",
      "created",
      "refused",
      "refused",
    ]);
    expect(res.body[3].message).toBe("Công dân không chọn nhận kết quả qua bưu điện");
    expect(res.body[4].message).toBe("Hồ sơ chưa ở trạng thái Đã xử lý xong");
    // Before the post answered there is no waybill to print.
    const early = await call(server, "GET", `/api/officials/postal/labels.pdf?refs=${res.body[0].reference}`, {
      token: hcc.token,
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("POSTAL_NOT_ALLOWED");
    fake.post.down(false);
    await due(server);
    await settle(server, fake.post);
    const refs = res.body
      .slice(0, 3)
      .map((r: { reference: string }) => r.reference)
      .join(",");
    const pdf = await fetch(`${server.url}/api/officials/postal/labels.pdf?refs=${refs}`, {
      headers: { Authorization: `Bearer ${hcc.token}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    // Dispatching again finds the open orders.
    const again = await call(server, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes } });
    expect(again.body.map((r: { outcome: string }) => r.outcome)).toEqual(["already", "already", "already"]);
  });
});
