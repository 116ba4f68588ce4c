import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, file, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import type { TestServer } from "../helpers/test-server";
import {
  COMMUNE,
  completed,
  filePostal,
  NO_POSTAL_PROCEDURE,
  newCitizen,
  POSTAL_PROCEDURE,
  pickupDate,
  postalOf,
  RECEIVER,
  SENDER,
  settle,
  startPostalServer,
} from "./helpers";

/**
 * Issue 15's rules through the HTTP API, with offline mode's test post (`npm start`'s): who may ask what of the post,
 * every bad input refused with its reason, and indicators 4–6 counted from the postal records.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startPostalServer();
});
afterAll(async () => server.close());

describe("what the post may carry", () => {
  it("when a procedure may not go by post, then the quote says so and a filing asking for a pick-up is refused", async () => {
    const quote = await call(server, "GET", `/api/postal/quote?procedure=${NO_POSTAL_PROCEDURE}&commune=${COMMUNE}`);
    expect(quote.body).toMatchObject({ allowed: false, quote: null, pickupDates: [] });
    expect(quote.body.message).toContain("không trả kết quả qua bưu điện");
    const token = await newCitizen(server);
    const p = await procedure(server, NO_POSTAL_PROCEDURE);
    const res = await file(
      server,
      token,
      submission({
        procedureCode: p.code,
        pickup: { ...RECEIVER, date: await pickupDate(server), slot: "morning" },
      }),
      requiredFiles(p, png),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: "pickup", message: expect.stringContaining("không nhận hồ sơ qua bưu chính công ích") },
    ]);
  });

  it("when the quote is asked, then it names the unit's tariff, the next working days and the two slots", async () => {
    const res = await call(server, "GET", `/api/postal/quote?procedure=${POSTAL_PROCEDURE}&commune=${COMMUNE}`);
    expect(res.status).toBe(200);
    expect(res.body.allowed).toBe(true);
    // Offline, the test sender details carry the default tariff (POSTAL_DEFAULT_TARIFF).
    expect(res.body.quote).toEqual({ pickup: 25_000, delivery: { charge: 25_000, codFee: 5_000, cod: 30_000 } });
    expect(res.body.pickupDates).toHaveLength(10);
    const days = res.body.pickupDates.map((d: string) => new Date(`${d}T00:00:00Z`).getUTCDay());
    expect(days).not.toContain(0); // never a Sunday
    expect(res.body.slots.map((s: { slot: string }) => s.slot)).toEqual(["morning", "afternoon"]);
    expect((await call(server, "GET", "/api/postal/quote?procedure=x")).status).toBe(400);
    expect((await call(server, "GET", `/api/postal/quote?procedure=${POSTAL_PROCEDURE}&commune=1`)).status).toBe(400);
  });

  it("when a pick-up is asked for today, a Sunday or two months ahead, then it is refused with the reason", async () => {
    const token = await newCitizen(server);
    const p = await procedure(server, POSTAL_PROCEDURE);
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    const sunday = (() => {
      const d = new Date(`${today}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + ((7 - d.getUTCDay()) % 7 || 7));
      return d.toISOString().slice(0, 10);
    })();
    const far = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const expected = [
      [today, "từ ngày mai"],
      [sunday, "ngày làm việc"],
      [far, "trong vòng 30 ngày"],
      ["2026-02-30", "không hợp lệ"],
    ];
    for (const [date, reason] of expected) {
      const res = await file(
        server,
        token,
        submission({ procedureCode: p.code, pickup: { ...RECEIVER, date: date as string, slot: "afternoon" } }),
        requiredFiles(p, png),
      );
      expect(res.status, `${date}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(JSON.stringify(res.body.error)).toContain(reason as string);
    }
    const noPhone = await file(
      server,
      token,
      submission({
        procedureCode: p.code,
        pickup: { ...RECEIVER, phone: "123", date: await pickupDate(server), slot: "morning" },
      }),
      requiredFiles(p, png),
    );
    expect(noPhone.status).toBe(400);
    expect(JSON.stringify(noPhone.body.error.details)).toContain("pickup.phone");
  });
});

describe("who may see and ask", () => {
  let owner: string;
  let stranger: string;
  let code: string;
  beforeAll(async () => {
    owner = await newCitizen(server);
    stranger = await newCitizen(server, "Lê Văn Cường");
    code = (await filePostal(server, owner, { pickup: true })).code;
    await settle(server);
  });

  it("when another citizen asks for the dossier's postal section or acts on it, then 404 and nothing is revealed", async () => {
    expect((await call(server, "GET", `/api/dossiers/${code}/postal`, { token: stranger })).status).toBe(404);
    const pickup = await call(server, "POST", `/api/dossiers/${code}/postal/delivery`, {
      token: stranger,
      json: RECEIVER,
    });
    expect(pickup.status).toBe(404);
    const reference = (await postalOf(server, owner, code)).orders[0]?.reference;
    const choice = await call(server, "POST", `/api/dossiers/${code}/postal/orders/${reference}/choice`, {
      token: stranger,
      json: { choice: "counter" },
    });
    expect(choice.status).toBe(404);
    expect((await call(server, "GET", `/api/dossiers/${code}/postal`)).status).toBe(401);
  });

  it("when a citizen or a volunteer calls the officials' postal API, or an official the admins', then 403", async () => {
    const volunteer = await official(server, "volunteer", COMMUNE);
    const hcc = await official(server, "hcc", COMMUNE);
    for (const token of [owner, volunteer.token]) {
      expect((await call(server, "GET", "/api/officials/postal/ready", { token })).status).toBe(403);
      const dispatch = await call(server, "POST", "/api/officials/postal/dispatch", { token, json: { codes: [code] } });
      expect(dispatch.status).toBe(403);
    }
    expect((await call(server, "GET", "/api/admin/postal/senders", { token: hcc.token })).status).toBe(403);
    const put = await call(server, "PUT", `/api/admin/postal/senders/${COMMUNE}`, { token: hcc.token, json: SENDER });
    expect(put.status).toBe(403);
  });

  it("when an official of another unit dispatches a dossier or reads its orders, then it is not theirs", async () => {
    await completed(server, code);
    const other = await official(server, "hcc", "06685");
    const res = await call(server, "POST", "/api/officials/postal/dispatch", {
      token: other.token,
      json: { codes: [code] },
    });
    expect(res.body).toEqual([
      { code, outcome: "refused", reference: null, message: "Không tìm thấy hồ sơ trong đơn vị của bạn" },
    ]);
    const lists = await call(server, "GET", "/api/officials/postal/orders?list=all", { token: other.token });
    expect((lists.body as { dossierCode: string }[]).some((o) => o.dossierCode === code)).toBe(false);
    const reference = (await postalOf(server, owner, code)).orders[0]?.reference;
    const label = await call(server, "GET", `/api/officials/postal/labels.pdf?refs=${reference}`, {
      token: other.token,
    });
    expect(label.status).toBe(404);
    const cancel = await call(server, "POST", `/api/officials/postal/orders/${reference}/cancel`, {
      token: other.token,
    });
    expect(cancel.status).toBe(404);
  });
});

describe("bad requests", () => {
  it("when a second pick-up, a pick-up after the result or a choice without a failure is asked, then 409 with the reason", async () => {
    const token = await newCitizen(server);
    const code = (await filePostal(server, token, { pickup: true })).code;
    await settle(server);
    const request = { ...RECEIVER, date: await pickupDate(server), slot: "morning" };
    const second = await call(server, "POST", `/api/dossiers/${code}/postal/pickup`, { token, json: request });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      code: "POSTAL_NOT_ALLOWED",
      message: expect.stringContaining("đang thực hiện"),
    });
    const postal = await postalOf(server, token, code);
    const choice = await call(
      server,
      "POST",
      `/api/dossiers/${code}/postal/orders/${postal.orders[0]?.reference}/choice`,
      {
        token,
        json: { choice: "redeliver" },
      },
    );
    expect(choice.status).toBe(409);
    const bad = await call(server, "POST", `/api/dossiers/${code}/postal/orders/BC1/choice`, {
      token,
      json: { choice: "x" },
    });
    expect(bad.status).toBe(400);

    const later = await newCitizen(server);
    const done = (await filePostal(server, later, { resultByPost: false })).code;
    await completed(server, done);
    const tooLate = await call(server, "POST", `/api/dossiers/${done}/postal/pickup`, { token: later, json: request });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.message).toBe("Hồ sơ đã qua bước nhận hồ sơ gốc");
  });

  it("when the result by post is asked from the dossier page, then the way the result goes out changes, once", async () => {
    const token = await newCitizen(server);
    const code = (await filePostal(server, token, { resultByPost: false })).code;
    const before = await postalOf(server, token, code);
    expect(before.deliveryBlocked).toBeNull();
    expect(before.suggested).toMatchObject({ name: "Nguyễn Văn An" });
    const bad = await call(server, "POST", `/api/dossiers/${code}/postal/delivery`, {
      token,
      json: { ...RECEIVER, address: { communeCode: "06652", street: "" } },
    });
    expect(bad.status).toBe(400);
    const res = await call(server, "POST", `/api/dossiers/${code}/postal/delivery`, { token, json: RECEIVER });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.deliveryBlocked).toBe("Bạn đã chọn nhận kết quả qua bưu điện");
    const d = view(await call(server, "GET", `/api/dossiers/${code}`, { token }));
    expect(d.resultDelivery).toMatchObject({ method: "post", recipientName: "Nguyễn Văn An", phone: "0912345678" });
    // Now an official finds it ready once done.
    const hcc = await completed(server, code);
    const ready = await call(server, "GET", "/api/officials/postal/ready", { token: hcc.token });
    expect((ready.body as { code: string }[]).map((r) => r.code)).toContain(code);
  });

  it("when an administrator enters sender details, then bad ones are refused and good ones set the unit's tariff", async () => {
    const admin = await official(server, "admin", "22");
    const bad = await call(server, "PUT", `/api/admin/postal/senders/${COMMUNE}`, {
      token: admin.token,
      json: { ...SENDER, phone: "abc", tariff: { pickup: -1, delivery: 1, cod: 1 } },
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(["phone", "tariff.pickup"]);
    expect(
      (await call(server, "PUT", "/api/admin/postal/senders/99999", { token: admin.token, json: SENDER })).status,
    ).toBe(404);
    const ok = await call(server, "PUT", `/api/admin/postal/senders/${COMMUNE}`, { token: admin.token, json: SENDER });
    expect(ok.status).toBe(200);
    const quote = await call(server, "GET", `/api/postal/quote?procedure=${POSTAL_PROCEDURE}&commune=${COMMUNE}`);
    expect(quote.body.quote).toEqual({ pickup: 20_000, delivery: { charge: 22_000, codFee: 3_000, cod: 25_000 } });
    const list = await call(server, "GET", "/api/admin/postal/senders", { token: admin.token });
    expect(
      (list.body as { unitCode: string; sender: unknown }[]).find((u) => u.unitCode === COMMUNE)?.sender,
    ).toMatchObject({
      customerCode: "QN-HATU-01",
    });
  });
});

describe("the waybill pool (POSTAL_WAYBILL_POOL)", () => {
  it("when waybills come from the pool, then each order takes the first free one, and an empty pool makes it wait", async () => {
    const base = server.config.postal;
    const pooled = await startPostalServer({ postal: { ...base, waybillPool: true, queuePollMs: 3_600_000 } });
    try {
      const admin = await official(pooled, "admin", "22");
      const added = await call(pooled, "POST", "/api/admin/postal/waybills", {
        token: admin.token,
        json: { waybills: ["RR000000002VN", "RR000000001VN", "RR000000001VN"] },
      });
      expect(added.body).toEqual({ added: 2, free: 2 });
      const bad = await call(pooled, "POST", "/api/admin/postal/waybills", {
        token: admin.token,
        json: { waybills: ["x y"] },
      });
      expect(bad.status).toBe(400);
      const codes = [];
      for (let i = 0; i < 3; i++) {
        const token = await newCitizen(pooled);
        codes.push((await filePostal(pooled, token, { pickup: true })).code);
      }
      await settle(pooled);
      const orders = await pooled.deps.db
        .selectFrom("postal_orders")
        .select(["dossier_code", "waybill", "status", "last_error"])
        .orderBy("id")
        .execute();
      expect(orders.map((o) => [o.waybill, o.status])).toEqual([
        ["RR000000001VN", "created"],
        ["RR000000002VN", "created"],
        [null, "waiting"],
      ]);
      expect(orders[2]?.last_error).toContain("hết số vận đơn");
      expect(pooled.deps.postalSandbox?.order("RR000000001VN")?.orderNumber).toBe(codes[0]);
    } finally {
      await pooled.close();
    }
  });
});

describe("indicators 4–6 from the postal records", () => {
  it("when the post picked up one dossier and delivered one result, then those count; a typed tracking number does not", async () => {
    const fresh = await startPostalServer();
    try {
      const hcc = await official(fresh, "hcc", COMMUNE);
      // 1: filed online with a pick-up the post did → received by post.
      const a = await newCitizen(fresh);
      const picked = (await filePostal(fresh, a, { pickup: true, resultByPost: false })).code;
      await settle(fresh);
      const pickupWaybill = (await postalOf(fresh, a, picked)).orders[0]?.waybill as string;
      fresh.deps.postalSandbox?.advance(pickupWaybill);
      await settle(fresh);
      // 2: the result by post, delivered by the post → returned by post.
      const b = await newCitizen(fresh);
      const byPost = (await filePostal(fresh, b)).code;
      await completed(fresh, byPost);
      await call(fresh, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes: [byPost] } });
      await settle(fresh);
      const waybill = (await postalOf(fresh, b, byPost)).orders[0]?.waybill as string;
      fresh.deps.postalSandbox?.deliver(waybill, "Nguyễn Văn An");
      await settle(fresh);
      // 3: the result "by post" with a tracking number an official typed: not a postal record.
      const c = await newCitizen(fresh);
      const typed = (await filePostal(fresh, c)).code;
      await completed(fresh, typed);
      const delivered = await call(fresh, "POST", `/api/officials/dossiers/${typed}/actions`, {
        token: hcc.token,
        json: { action: "deliver", trackingNumber: "EV123456789VN" },
      });
      expect(view(delivered).state).toBe(10);

      const admin = await official(fresh, "admin", "22");
      const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
      const report = await call(fresh, "GET", `/api/reports/indicators?from=${today}&to=${today}&unit=${COMMUNE}`, {
        token: admin.token,
      });
      expect(report.status, JSON.stringify(report.body)).toBe(200);
      const byNo = Object.fromEntries(
        (
          report.body.indicators as {
            no: number;
            numeratorValue: number;
            denominatorValue: number;
            numerator: string;
          }[]
        ).map((i) => [i.no, i]),
      );
      expect([byNo[5]?.numeratorValue, byNo[5]?.denominatorValue]).toEqual([1, 3]);
      expect([byNo[6]?.numeratorValue, byNo[6]?.denominatorValue]).toEqual([1, 2]);
      expect(byNo[6]?.numerator).toContain("không tính mã vận đơn nhập tay");
    } finally {
      await fresh.close();
    }
  });
});
