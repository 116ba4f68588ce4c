import { vietnamDate } from "@qn/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, view } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { fileWithFees, payments, paySandbox, unitOfficial } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe("paying a level-4 dossier's fixed fees at filing, offline, with the test page", () => {
  it("when the citizen files two copies, then 16.000 đ is due with its line, and paying it gives a receipt", async () => {
    const token = await citizen(server, "pay-an");
    const dossier = await fileWithFees(server, token, { copies: 2 });
    expect(dossier.feesDue).toBe(16000);
    const before = await payments(server, token, dossier.code);
    expect(before.payable).toMatchObject({ amount: 16000 });
    expect(before.charges[0]?.lines).toEqual([
      {
        index: 0,
        name: "Phí cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",
        kind: "phi",
        quantity: 2,
        amount: 16000,
      },
    ]);
    expect(before.methods.map((m) => m.id)).toEqual(["sandbox"]);

    const { reference, redirect } = await paySandbox(server, token, dossier.code, "success");
    expect(redirect).toBe(`/dossiers/${dossier.code}/pay?ref=${reference}&ket-qua=success`);
    const after = await payments(server, token, dossier.code);
    expect(after.payable).toBeNull();
    expect(after.charges[0]).toMatchObject({ status: "paid" });
    const attempt = after.charges[0]?.attempts[0];
    expect(attempt).toMatchObject({ reference, status: "paid", amount: 16000 });
    expect(attempt?.receiptNumber).toMatch(/^BL\d{4}-\d{7}$/);

    const receipt = await fetch(`${server.url}/api/dossiers/${dossier.code}/receipts/${attempt?.receiptNumber}.pdf`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await receipt.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");

    // Nobody else reads the dossier's payments or its receipt.
    const other = await citizen(server, "pay-binh");
    expect((await call(server, "GET", `/api/dossiers/${dossier.code}/payments`, { token: other })).status).toBe(404);
    const stolen = await fetch(`${server.url}/api/dossiers/${dossier.code}/receipts/${attempt?.receiptNumber}.pdf`, {
      headers: { authorization: `Bearer ${other}` },
    });
    expect(stolen.status).toBe(404);
    expect(
      (
        await call(server, "POST", `/api/dossiers/${dossier.code}/payments`, {
          token: other,
          json: { method: "sandbox" },
        })
      ).status,
    ).toBe(404);
  });

  it("when the citizen abandons, then nothing is paid and a later try succeeds", async () => {
    const token = await citizen(server, "pay-chi");
    const dossier = await fileWithFees(server, token, { copies: 1 });
    const first = await paySandbox(server, token, dossier.code, "abandon");
    const check = await call(server, "POST", `/api/payments/${first.reference}/check`, { token });
    expect(check.body.status).toBe("open");
    expect((await payments(server, token, dossier.code)).payable).toMatchObject({ amount: 8000 });
    const failed = await paySandbox(server, token, dossier.code, "failure");
    expect((await call(server, "POST", `/api/payments/${failed.reference}/check`, { token })).body.status).toBe(
      "failed",
    );
    await paySandbox(server, token, dossier.code, "success");
    const after = await payments(server, token, dossier.code);
    expect(after.charges[0]?.status).toBe("paid");
    expect(after.charges[0]?.attempts.map((a) => a.status)).toEqual(["open", "failed", "paid"]);
  });

  it("when an official requests a variable fee, then the citizen pays it and the dossier moves on by itself", async () => {
    const token = await citizen(server, "pay-dung");
    const dossier = await fileWithFees(server, token, { copies: 1 });
    await paySandbox(server, token, dossier.code, "success");
    const hcc = await unitOfficial(server);
    const act = (body: Record<string, unknown>) =>
      call(server, "POST", `/api/officials/dossiers/${dossier.code}/actions`, { token: hcc.token, json: body });
    expect(view(await act({ action: "accept" })).state).toBe(2);
    const asked = await act({
      action: "request-payment",
      lines: [{ index: null, name: "Phí cấp thêm bản sao", kind: "phi", quantity: 3, amount: 24000 }],
    });
    expect(view(asked)).toMatchObject({ state: 6, feesDue: 24000 });
    const due = await payments(server, token, dossier.code);
    expect(due.payable).toMatchObject({ amount: 24000 });
    await paySandbox(server, token, dossier.code, "success");
    const moved = view(await call(server, "GET", `/api/dossiers/${dossier.code}`, { token }));
    expect(moved.state).toBe(4);
    expect(moved.history.at(-1)).toMatchObject({ action: "confirm-payment", fromState: 6, toState: 4 });
  });

  it("when the dossier is withdrawn after payment, then a refund is due and officials see it", async () => {
    const token = await citizen(server, "pay-em");
    const dossier = await fileWithFees(server, token, { copies: 1 });
    const { reference } = await paySandbox(server, token, dossier.code, "success");
    const withdrawn = await call(server, "POST", `/api/dossiers/${dossier.code}/withdraw`, {
      token,
      json: { reason: "Nộp nhầm" },
    });
    expect(withdrawn.status).toBe(200);
    const hcc = await unitOfficial(server);
    const due = await call(server, "GET", "/api/officials/payments?refundDue=true", { token: hcc.token });
    expect(due.status).toBe(200);
    const entry = due.body.items.find((i: { reference: string }) => i.reference === reference);
    expect(entry?.refund).toMatchObject({ amount: 8000, doneAt: null });
    const done = await call(server, "POST", `/api/officials/payments/refunds/${entry.refund.id}/done`, {
      token: hcc.token,
      json: { note: "Đã chuyển khoản hoàn lại" },
    });
    expect(done.status).toBe(204);
    const again = await call(server, "POST", `/api/officials/payments/refunds/${entry.refund.id}/done`, {
      token: hcc.token,
      json: { note: "Lần nữa" },
    });
    expect(again.status).toBe(409);
  });
});

describe("the reports' online-payment rate", () => {
  it("when two dossiers with fees are filed in a commune and one is paid online, then its rate is 1/2 with the formula", async () => {
    const hcc = await unitOfficial(server, "06658");
    const code = "06658";
    const token = await citizen(server, "pay-rate");
    const a = await fileWithFees(server, token, { copies: 1, commune: code });
    await fileWithFees(server, token, { copies: 1, commune: code });
    await paySandbox(server, token, a.code, "success");
    const today = vietnamDate(new Date());
    const res = await call(server, "GET", `/api/reports/indicators?from=${today}&to=${today}&unit=${code}`, {
      token: hcc.token,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.beyond).toEqual([
      expect.objectContaining({ id: "online-payment", numeratorValue: 1, denominatorValue: 2, ratio: 0.5 }),
    ]);
    expect(res.body.beyond[0].numerator).toContain("thanh toán trực tuyến");
  });
});

describe("a receipt's short-lived link (Zalo's document viewer sends no session header)", () => {
  it("when the owner asks, then the link opens that receipt without a session; forged, foreign or other links do not", async () => {
    const token = await citizen(server, "pay-link");
    const dossier = await fileWithFees(server, token, { copies: 1 });
    await paySandbox(server, token, dossier.code, "success");
    const number = (await payments(server, token, dossier.code)).charges[0]?.attempts[0]?.receiptNumber as string;
    const link = await call(server, "POST", `/api/dossiers/${dossier.code}/receipts/${number}/link`, { token });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    expect(link.body.url).toMatch(new RegExp(`^/receipts/${number}\\.pdf\\?t=`));
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    const opened = await fetch(`${server.url}${link.body.url}`);
    expect(opened.status).toBe(200);
    expect(opened.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await opened.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");

    const [path, query] = (link.body.url as string).split("?t=") as [string, string];
    const [payload, signature] = query.split(".") as [string, string];
    const flipped = `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`;
    expect((await fetch(`${server.url}${path}?t=${payload}.${flipped}`)).status).toBe(404);
    expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    // The same token for another receipt number: refused (the token names its receipt).
    const other = number.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    expect((await fetch(`${server.url}/receipts/${other}.pdf?t=${query}`)).status).toBe(404);
    // A token whose expiry was rewritten is no longer signed.
    const [code, n] = Buffer.from(payload, "base64url").toString().split("|");
    const later = Buffer.from(`${code}|${n}|${Date.now() + 86_400_000}`).toString("base64url");
    expect((await fetch(`${server.url}${path}?t=${later}.${signature}`)).status).toBe(404);
    // Someone else cannot ask for one.
    const stranger = await citizen(server, "pay-link-other");
    const refused = await call(server, "POST", `/api/dossiers/${dossier.code}/receipts/${number}/link`, {
      token: stranger,
    });
    expect(refused.status).toBe(404);
  });
});
