import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { LARGE_TEXT_CSS, launchChromium, PHONE, settled, sidewaysOverflow } from "../helpers/browser";
import { buildMiniAppForZalo } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server";
import {
  fakeNationalPlatform,
  NATIONAL_PARTNER,
  NATIONAL_SECRET,
  NATIONAL_TOKEN,
  NATIONAL_URL,
} from "../mocks/national-payment";
import { mockServer } from "../mocks/server";
import { CHECKOUT_PRIVATE_KEY, CHECKOUT_URL, fakeCheckout } from "../mocks/zalo-checkout";
import { ZALO_APP_SECRET, ZALO_GRAPH_URL, zaloGraphHandlers } from "../mocks/zalo-graph";
import { fileWithFees } from "../payments/helpers";
import { requestedDossier } from "../payments/providers";
import { startZaloHost, type ZaloHost } from "../zalo-double/host";
import { ZALO_EVENTS, type ZaloCall, type ZaloDoubleState, type ZaloScript } from "../zalo-double/script";

/**
 * Paying inside (a double of) Zalo with Zalo's Checkout SDK (issue 14): the Zalo build on Zalo's origin, the bot
 * server on its own with a Checkout provider whose server is the msw fake (tests/mocks/zalo-checkout.ts: the bot
 * server runs in this process, so msw answers its get-status), and zmp-sdk's Payment, events and downloadFile
 * scripted in the double. The fake's order is made from what the app passed to createOrder, as Zalo would.
 */
const SCREENS = path.join(ROOT, "test-results", "screens", "zalo");
const APP_ID = "4291763606161179100";
const ACCESS_TOKEN = "access-token-of-an-1234567";
const ORDER_ID = "ZCO-E2E-000001";

let server: TestServer;
let host: ZaloHost;
let browser: Browser;
const checkout = fakeCheckout({ appId: APP_ID });
const platform = fakeNationalPlatform();

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  host = await startZaloHost({ appId: APP_ID, tempFiles: {} });
  const base = testConfig();
  fs.rmSync(base.dataDir, { recursive: true, force: true });
  server = await startTestServer({
    corsOrigins: [host.origin],
    miniAppId: APP_ID,
    zalo: { appId: APP_ID, appSecret: ZALO_APP_SECRET, graphUrl: ZALO_GRAPH_URL },
    payments: {
      ...base.payments,
      sandbox: false,
      checkout: {
        privateKey: CHECKOUT_PRIVATE_KEY,
        url: CHECKOUT_URL,
        method: '{"id":"ZALOPAY_SANDBOX","isCustom":false}',
      },
      national: { url: NATIONAL_URL, partnerCode: NATIONAL_PARTNER, secret: NATIONAL_SECRET, token: NATIONAL_TOKEN },
    },
  });
  host.serve(await buildMiniAppForZalo(server.url));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await host?.close();
});

const ok = <T>(value: T) => ({ ok: value });
const calls = (page: Page): Promise<ZaloCall[]> =>
  page.evaluate(() => (window as { __zaloDouble?: ZaloDoubleState }).__zaloDouble?.calls ?? []);

async function shot(page: Page, name: string) {
  await settled(page);
  const height = await page.evaluate(() => document.querySelector(".zaui-page")?.scrollHeight ?? 0);
  const viewport = page.viewportSize() ?? PHONE.viewport;
  if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`) });
  await page.setViewportSize(viewport);
}

describe("paying inside (a double of) Zalo with Zalo's Checkout", () => {
  it("when the citizen opens the OA message's payment link, then Checkout is offered first, pays, and the receipt is saved through zmp-sdk", {
    timeout: 90_000,
  }, async () => {
    mockServer.use(...zaloGraphHandlers, ...checkout.handlers);
    const signedIn = await call(server, "POST", "/api/auth/zalo", { json: { accessToken: ACCESS_TOKEN } });
    expect(signedIn.status).toBe(200);
    const dossier = await fileWithFees(server, signedIn.body.token as string, { copies: 2 });

    const script: Partial<ZaloScript> = {
      accessToken: [ok(ACCESS_TOKEN)],
      routeParams: { page: "pay", code: dossier.code },
      createOrder: [ok({ orderId: ORDER_ID })],
      checkTransaction: [ok({ resultCode: 1 })],
      openDocument: [ok(null)],
    };
    const context = await browser.newContext({ ...PHONE, locale: "vi-VN" });
    await context.addInitScript((s) => {
      (window as { __zaloDoubleScript?: unknown }).__zaloDoubleScript = s;
    }, script);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => {
      throw error;
    });
    await page.goto(host.appUrl);

    // Inside Zalo: Checkout is offered (outside it never is), and chosen.
    await page.getByRole("heading", { name: "Nộp phí, lệ phí", level: 2 }).waitFor();
    expect(await page.locator(".pay__amount strong").textContent()).toBe("16.000 đ");
    const checkoutRadio = page.getByRole("radio", { name: "Thanh toán trong Zalo" });
    expect(await checkoutRadio.isChecked()).toBe(true);
    await shot(page, "pay-01-nop-phi-trong-zalo");
    const large = await page.addStyleTag({ content: LARGE_TEXT_CSS });
    await settled(page);
    expect(await sidewaysOverflow(page)).toEqual([]);
    await shot(page, "pay-01-nop-phi-trong-zalo-chu-130");
    await large.evaluate((el) => (el as Element).remove());

    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
    // Zalo's payment screen is open: the app passed the server's signed order as it came.
    await expect.poll(async () => (await calls(page)).some((c) => c.api === "createOrder")).toBe(true);
    const order = (await calls(page)).find((c) => c.api === "createOrder")?.args as {
      amount: number;
      desc: string;
      extradata: string;
      mac: string;
      method: string;
      item: unknown[];
    };
    expect(order).toMatchObject({ amount: 16000, method: '{"id":"ZALOPAY_SANDBOX","isCustom":false}' });
    expect(order.mac).toMatch(/^[0-9a-f]{64}$/);
    await page.getByText("Đang thanh toán trong Zalo…").waitFor();
    await shot(page, "pay-02-dang-thanh-toan-trong-zalo");
    // The orderId reached the server (its status queries go by it).
    await expect
      .poll(
        async () =>
          (
            await server.deps.db
              .selectFrom("payment_attempts")
              .select("provider_order_id")
              .where("dossier_code", "=", dossier.code)
              .executeTakeFirst()
          )?.provider_order_id,
      )
      .toBe(ORDER_ID);

    // The citizen pays in Zalo's screen: Checkout's server knows the order paid; Zalo tells the app it is done.
    checkout.createOrder({ orderId: ORDER_ID, amount: order.amount, extradata: order.extradata, desc: order.desc });
    checkout.pay(ORDER_ID);
    await page.evaluate(
      (event) => (window as { __zaloDouble?: ZaloDoubleState }).__zaloDouble?.emit(event),
      ZALO_EVENTS.PaymentDone,
    );

    await page.getByRole("heading", { name: "Đã thanh toán" }).waitFor();
    expect(await page.getByText("Thanh toán trong Zalo").isVisible()).toBe(true);
    expect((await calls(page)).find((c) => c.api === "checkTransaction")?.args).toEqual({
      data: { orderId: ORDER_ID },
    });
    // The server asked Checkout itself: the device's word is not a payment.
    expect(checkout.state.requests.some((r) => r.operation === "get-status" && r.query.orderId === ORDER_ID)).toBe(
      true,
    );
    await shot(page, "pay-03-da-thanh-toan-trong-zalo");

    await page.getByRole("button", { name: "Tải biên lai điện tử" }).click();
    await page.getByText("Đã tải biên lai điện tử").waitFor();
    // Zalo's document viewer gets a short-lived https link (it sends no session header), which opens the PDF alone.
    const opened = (await calls(page)).find((c) => c.api === "openDocument")?.args as { url?: string };
    expect(opened.url).toMatch(new RegExp(`^${server.url}/receipts/BL\\d{4}-\\d{7}\\.pdf\\?t=`));
    const pdf = await fetch(opened.url as string);
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
    await context.close();
  });

  it("when the citizen picks the national platform inside Zalo's payment screen, then its page opens and the charge is paid once", {
    timeout: 90_000,
  }, async () => {
    mockServer.use(...zaloGraphHandlers, ...checkout.handlers, ...platform.handlers);
    const signedIn = await call(server, "POST", "/api/auth/zalo", { json: { accessToken: ACCESS_TOKEN } });
    const dossier = await fileWithFees(server, signedIn.body.token as string, { copies: 1 });
    const orderId = "ZCO-E2E-CUSTOM-1";
    const script: Partial<ZaloScript> = {
      accessToken: [ok(ACCESS_TOKEN)],
      routeParams: { page: "pay", code: dossier.code },
      createOrder: [ok({ orderId })],
      // The citizen closes the national platform's page half a second after it opens.
      webviewClosedAfterMs: 500,
    };
    const context = await browser.newContext({ ...PHONE, locale: "vi-VN" });
    await context.addInitScript((s) => {
      (window as { __zaloDoubleScript?: unknown }).__zaloDoubleScript = s;
    }, script);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(host.appUrl);
    await page.getByRole("heading", { name: "Nộp phí, lệ phí", level: 2 }).waitFor();
    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
    await expect.poll(async () => (await calls(page)).some((c) => c.api === "createOrder")).toBe(true);
    // In Zalo's payment screen the citizen picks the partner's own method: Zalo hands it to the app.
    await page.evaluate(
      ([event, data]) => (window as { __zaloDouble?: ZaloDoubleState }).__zaloDouble?.emit(event as string, data),
      ["h5.event.webview.result", { eventType: "PAY_BY_CUSTOM_METHOD", data: { orderId } }] as const,
    );
    // The national platform's page opens in Zalo's webview, at the address its INIT answered.
    await expect.poll(async () => (await calls(page)).some((c) => c.api === "openWebview")).toBe(true);
    const national = await server.deps.db
      .selectFrom("payment_attempts")
      .select(["reference", "provider", "via_attempt_id"])
      .where("dossier_code", "=", dossier.code)
      .where("provider", "=", "national")
      .executeTakeFirstOrThrow();
    expect(national.via_attempt_id).not.toBeNull();
    const opened = (await calls(page)).find((c) => c.api === "openWebview")?.args as { url: string };
    expect(opened.url).toBe(platform.payUrl(national.reference));
    // The citizen paid there; the page closes, the app asks the server, which asks the platform (QUERY).
    platform.markPaid(national.reference);
    await page.getByRole("heading", { name: "Đã thanh toán" }).waitFor({ timeout: 30_000 });
    const attempts = await server.deps.db
      .selectFrom("payment_attempts")
      .select(["provider", "status"])
      .where("dossier_code", "=", dossier.code)
      .orderBy("id")
      .execute();
    expect(attempts).toEqual([
      { provider: "zalo-checkout", status: "failed" },
      { provider: "national", status: "paid" },
    ]);
    // Checkout was told the order is paid.
    expect(
      checkout.state.requests.some(
        (r) => r.operation === "update-order-status" && (r.body as { orderId?: string }).orderId === orderId,
      ),
    ).toBe(true);
    await shot(page, "pay-04-da-thanh-toan-qua-nen-tang-quoc-gia");
    await context.close();
  });

  it("when an official asks for a fee, then the citizen pays it inside Zalo from the OA message's link after abandoning once, and the dossier moves on", {
    timeout: 90_000,
  }, async () => {
    mockServer.use(...zaloGraphHandlers, ...checkout.handlers);
    const signedIn = await call(server, "POST", "/api/auth/zalo", { json: { accessToken: ACCESS_TOKEN } });
    const { dossier } = await requestedDossier(server, signedIn.body.token as string, 24_000);
    const [first, second] = ["ZCO-E2E-ABANDON-1", "ZCO-E2E-ABANDON-2"];
    const script: Partial<ZaloScript> = {
      accessToken: [ok(ACCESS_TOKEN)],
      // The OA message's button: https://zalo.me/s/<app>/?page=pay&code=…
      routeParams: { page: "pay", code: dossier.code },
      createOrder: [ok({ orderId: first }), ok({ orderId: second })],
      // The first time the citizen closes Zalo's payment screen without choosing (-2), the second time it is paid.
      checkTransaction: [ok({ resultCode: -2 }), ok({ resultCode: 1 })],
    };
    const context = await browser.newContext({ ...PHONE, locale: "vi-VN" });
    await context.addInitScript((s) => {
      (window as { __zaloDoubleScript?: unknown }).__zaloDoubleScript = s;
    }, script);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(host.appUrl);
    await page.getByRole("heading", { name: "Nộp phí, lệ phí", level: 2 }).waitFor();
    expect(await page.locator(".pay__amount strong").textContent()).toBe("24.000 đ");

    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
    await expect.poll(async () => (await calls(page)).filter((c) => c.api === "createOrder").length).toBe(1);
    const order = (await calls(page)).find((c) => c.api === "createOrder")?.args as {
      amount: number;
      extradata: string;
    };
    checkout.createOrder({ orderId: first, amount: order.amount, extradata: order.extradata });
    await page.evaluate(
      (event) => (window as { __zaloDouble?: ZaloDoubleState }).__zaloDouble?.emit(event),
      ZALO_EVENTS.PaymentClose,
    );
    await page.getByRole("heading", { name: "Bạn đã dừng thanh toán" }).waitFor();
    await shot(page, "pay-05-da-dung-thanh-toan-trong-zalo");
    await page.getByRole("button", { name: "Thử lại" }).first().click();

    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
    await expect.poll(async () => (await calls(page)).filter((c) => c.api === "createOrder").length).toBe(2);
    const again = (await calls(page)).filter((c) => c.api === "createOrder")[1]?.args as {
      amount: number;
      extradata: string;
    };
    checkout.createOrder({ orderId: second, amount: again.amount, extradata: again.extradata });
    checkout.pay(second);
    await page.evaluate(
      (event) => (window as { __zaloDouble?: ZaloDoubleState }).__zaloDouble?.emit(event),
      ZALO_EVENTS.PaymentDone,
    );
    await page.getByRole("heading", { name: "Đã thanh toán" }).waitFor();
    const moved = await call(server, "GET", `/api/dossiers/${dossier.code}`, { token: signedIn.body.token });
    expect(moved.body).toMatchObject({ state: 4, stateLabel: "Đang xử lý" });
    const attempts = await server.deps.db
      .selectFrom("payment_attempts")
      .select(["provider_order_id", "status"])
      .where("dossier_code", "=", dossier.code)
      .orderBy("id")
      .execute();
    expect(attempts).toEqual([
      { provider_order_id: first, status: "open" },
      { provider_order_id: second, status: "paid" },
    ]);
    await context.close();
  });
});
