import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LARGE_TEXT_CSS, launchChromium, PHONE, settled, sidewaysOverflow } from "../helpers/browser";
import { png } from "../helpers/files";
import { buildMiniApp, buildMiniAppForZalo } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { ZALO_APP_SECRET } from "../mocks/zalo-graph";
import { startZaloHost, type ZaloHost } from "../zalo-double/host";
import { FOLLOW_DECLINED, REFUSED, type ZaloCall, type ZaloDoubleState, type ZaloScript } from "../zalo-double/script";

/**
 * The mini-app as Zalo runs it: the Zalo build (MINI_APP_API_URL set), served by a stand-in for Zalo's host on one
 * origin, the bot server on another (CORS_ORIGINS lists the host), Zalo's Graph API faked in its own process, and
 * the app's zmp-sdk module replaced by a scripted double (tests/zalo-double), so that every in-Zalo branch runs.
 */
const SCREENS = path.join(ROOT, "test-results", "screens", "zalo");
const APP_ID = "4291763606161179100";
const OA_ID = "2938470000000000001";
const CCCD = "022090001234||Nguyễn Văn An|15031990|Nam|Số 5, tổ 3, khu 4, Phường Hà Tu, Tỉnh Quảng Ninh|20042021";

let graph: ChildProcess;
let graphLog = "";
let server: TestServer;
let host: ZaloHost;
let browser: Browser;

function startGraph(): Promise<string> {
  graph = spawn(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "tests/zalo-double/graph-server.ts")], {
    cwd: ROOT,
  });
  graph.stderr?.on("data", (d) => {
    graphLog += d;
  });
  return new Promise((resolve, reject) => {
    graph.once("exit", (code) => reject(new Error(`fake Graph exited (${code}): ${graphLog}`)));
    graph.stdout?.on("data", (d: Buffer) => {
      const port = /listening (\d+)/.exec(String(d))?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
  });
}

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const graphUrl = await startGraph();
  host = await startZaloHost({
    appId: APP_ID,
    tempFiles: {
      "scan-1.png": { type: "image/png", body: png(2000) },
      "scan-2.png": { type: "image/png", body: png(2100) },
      "huge.png": { type: "image/png", body: png(300_000) },
    },
  });
  server = await startTestServer({
    corsOrigins: [host.origin],
    miniAppId: APP_ID,
    maxUploadBytes: 200_000,
    zalo: { appId: APP_ID, appSecret: ZALO_APP_SECRET, graphUrl, oaId: OA_ID },
  });
  host.serve(await buildMiniAppForZalo(server.url));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await host?.close();
  graph?.kill("SIGTERM");
});

const ok = <T>(value: T) => ({ ok: value });

async function zaloApp(script: Partial<ZaloScript>, context?: BrowserContext) {
  const ctx = context ?? (await browser.newContext({ ...PHONE, locale: "vi-VN" }));
  // Runs before the app on every load: the script for this opening of the app (a later one replaces it).
  await ctx.addInitScript((s) => {
    (window as { __zaloDoubleScript?: unknown }).__zaloDoubleScript = s;
  }, script);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (error) => {
    throw error;
  });
  if (process.env.DEBUG_ZALO) {
    page.on("console", (m) => console.log("console:", m.text()));
    page.on("response", (r) => r.status() >= 400 && console.log("http:", r.status(), r.url()));
  }
  return { context: ctx, page };
}

const calls = (page: Page): Promise<ZaloCall[]> =>
  page.evaluate(() => (window as { __zaloDouble?: ZaloDoubleState }).__zaloDouble?.calls ?? []);

async function shot(page: Page, name: string) {
  await settled(page);
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`), fullPage: true });
}

/** The same screen with Android's largest text (130 %): shot, and nothing may stick out sideways. */
async function shotLarge(page: Page, name: string) {
  const tag = await page.addStyleTag({ content: LARGE_TEXT_CSS });
  await shot(page, `${name}-chu-130`);
  expect(await sidewaysOverflow(page)).toEqual([]);
  await tag.evaluate((el) => (el as Element).remove());
}

const media = (...names: string[]) => ok({ data: names.map((n) => `${host.origin}/zalo-temp/${n}`) });

describe("the mini-app inside (a double of) Zalo, on Zalo's origin, with the API on its own", () => {
  let code = "";
  let context: BrowserContext;

  it("when a citizen signs in with Zalo, shares the phone, scans the CCCD and files with scanned papers, then the receipt comes", async () => {
    const app = await zaloApp({
      accessToken: [ok("access-token-of-an-1234567")],
      phone: [ok({ token: "phone-token-of-an-123456" })],
      scanQR: [ok({ content: CCCD })],
      media: [media("scan-1.png", "scan-2.png"), media("scan-1.png")],
    });
    context = app.context;
    const { page } = app;
    await page.goto(host.appUrl);
    await page.getByRole("heading", { name: "Dịch vụ công trực tuyến" }).waitFor();
    await shot(page, "01-trang-chu");
    // Nothing is asked at start-up.
    expect((await calls(page)).map((c) => c.api)).not.toContain("followOA");

    await page.getByRole("button", { name: "Bạn cần làm thủ tục gì?" }).click();
    await settled(page);
    await page.getByRole("textbox", { name: "Tìm thủ tục hành chính" }).fill("dang ky khai sinh");
    await expect.poll(() => page.locator(".result__name").first().textContent()).toBe("Đăng ký khai sinh");
    await page.locator(".result").first().click();
    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
    await settled(page);

    // The name Zalo knows comes first (signed in through Graph); the card's QR code fills the rest, once confirmed.
    await expect.poll(() => page.getByLabel("Họ và tên").inputValue()).toBe("Nguyễn Văn An");
    await page.getByRole("button", { name: "Quét mã QR trên thẻ căn cước" }).click();
    await page.getByRole("heading", { name: "Thông tin đọc từ thẻ căn cước" }).waitFor();
    await shot(page, "02-doc-the-can-cuoc");
    await shotLarge(page, "02-doc-the-can-cuoc");
    await page.getByRole("button", { name: "Dùng thông tin này" }).click();
    expect(await page.getByLabel("Số định danh cá nhân (số căn cước, 12 chữ số)").inputValue()).toBe("022090001234");
    expect(await page.getByLabel("Ngày sinh (không bắt buộc)").inputValue()).toBe("1990-03-15");
    expect(await page.getByLabel("Xã, phường nơi cư trú").inputValue()).toBe("06652");
    expect(await page.getByLabel("Địa chỉ (số nhà, thôn, tổ)").inputValue()).toBe("Số 5, tổ 3, khu 4");

    await page.getByRole("button", { name: "Chia sẻ số điện thoại Zalo" }).click();
    await page.getByText("(từ tài khoản Zalo của bạn)").waitFor();
    await shot(page, "03-nguoi-nop");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByLabel("Nội dung đề nghị").fill("Đăng ký khai sinh cho con Nguyễn Minh Khôi.");
    await page.getByRole("button", { name: "Tiếp tục" }).click();

    // Papers from Zalo's camera in scan mode, with a hint of what a good photo looks like.
    const documents = page.locator(".checklist__item").filter({ hasText: "Bắt buộc" });
    const required = await documents.count();
    expect(required).toBeGreaterThan(0);
    expect(await page.locator(".checklist__hint").first().textContent()).toMatch(/\S{3,}/);
    for (let i = 0; i < required; i++)
      await documents
        .nth(i)
        .getByRole("button", { name: /^Chụp ảnh/ })
        .click();
    await expect.poll(() => page.locator(".preview img").count()).toBe(required + 1);
    const pickers = (await calls(page)).filter((c) => c.api === "openMediaPicker");
    expect(pickers[0]?.args).toMatchObject({ type: "zcamera_scan", compressLevel: 2, maxItemSize: 200_000 });
    await shot(page, "04-giay-to-chup-quet");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByRole("button", { name: "Nộp hồ sơ" }).click();

    await page.getByRole("heading", { name: "Hồ sơ đã được gửi" }).waitFor();
    code = (await page.locator(".receipt__code").textContent()) ?? "";
    expect(code).toMatch(/^06652\.H49-\d{6}-\d{4}$/);
    // After filing, not before: the offer to follow the OA and to be notified, with the reason.
    await page.getByRole("heading", { name: "Nhận tin báo về hồ sơ" }).waitFor();
    await shot(page, "05-bien-nhan");
    await shotLarge(page, "05-bien-nhan");

    // On the server: the Zalo identity Graph vouched for, the phone Graph exchanged, the card's birth date.
    const row = await server.deps.db
      .selectFrom("dossiers")
      .innerJoin("citizens", "citizens.id", "dossiers.citizen_id")
      .select(["citizens.zalo_id", "citizens.phone", "dossiers.applicant"])
      .where("dossiers.code", "=", code)
      .executeTakeFirstOrThrow();
    expect(row.zalo_id).toBe("5001000000000001");
    expect(row.phone).toMatch(/912345678$/);
    expect(JSON.parse(row.applicant).birthDate).toBe("1990-03-15");
    expect(graphLog).toContain("GET /v2.0/me/info");

    // Sessions and drafts live in Zalo's nativeStorage, not in the webview's localStorage.
    const keys = await page.evaluate(() => Object.keys(localStorage));
    expect(keys).toContain("zalo-native-storage:qn.session");
    expect(keys.filter((k) => k.startsWith("qn."))).toEqual([]);
  });

  it("when the OA's link opens the dossier, then it shows with its papers; the citizen follows the OA and refuses notifications", async () => {
    const { page } = await zaloApp(
      {
        routeParams: { dossier: code },
        followOA: [ok(null)],
        notification: [REFUSED],
        accessToken: [ok("access-token-of-an-1234567")],
      },
      context,
    );
    await page.goto(host.appUrl);
    await page.getByText(`Mã hồ sơ ${code}`).waitFor();
    // Zalo's own bar shows the title; the page keeps it for screen readers only.
    expect(await page.getByRole("heading", { name: "Chi tiết hồ sơ", level: 1 }).count()).toBe(1);
    expect(await page.locator(".top-bar").count()).toBe(0);
    // The session was kept: no second sign-in. Zalo's own bar carries the title.
    const made = await calls(page);
    expect(made.map((c) => c.api)).not.toContain("getAccessToken");
    expect(made).toContainEqual({ api: "setNavigationBarTitle", args: { title: "Chi tiết hồ sơ" } });
    // The papers' previews come from the API's origin with the Bearer token.
    await expect
      .poll(() =>
        page
          .locator("img.attachment-thumb")
          .evaluateAll((imgs) => imgs.length > 0 && imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)),
      )
      .toBe(true);

    await page.getByRole("button", { name: "Quan tâm Official Account" }).click();
    await page.getByText("Bạn đã quan tâm Official Account.").waitFor();
    await page.getByRole("button", { name: "Cho phép nhận thông báo" }).click();
    await page.getByText(/Bạn chưa cho phép thông báo.*có thể cho phép sau ở mục Cá nhân/).waitFor();
    expect((await calls(page)).find((c) => c.api === "followOA")?.args).toEqual({ id: OA_ID });
    await shot(page, "06-chi-tiet-ho-so-tu-lien-ket");
    await shotLarge(page, "06-chi-tiet-ho-so-tu-lien-ket");

    await page.getByRole("button", { name: "Thêm ra màn hình chính" }).waitFor();
    await context.close();
  });

  it("when Zalo or the citizen refuses (sign-in, Graph, phone, camera, a wrong QR, a large photo), then each says why in Vietnamese and offers a way on", async () => {
    const { page, context: ctx } = await zaloApp({
      routeParams: { page: "dossiers" },
      // The home screen signs in quietly at start, and may use up the first answer where nothing shows it.
      accessToken: [REFUSED, REFUSED, ok("a-token-graph-does-not-know"), ok("access-token-of-binh-12345")],
      phone: [REFUSED],
      media: [REFUSED, media("huge.png")],
      scanQR: [ok({ content: "https://example.vn/khuyen-mai" })],
      followOA: [FOLLOW_DECLINED],
    });
    await page.goto(host.appUrl);
    // Each refusal is a message with "Thử lại", never a blank screen; retrying gets through once Zalo says yes.
    const seen: string[] = [];
    const list = page.getByText("Bạn chưa có hồ sơ nào");
    for (let i = 0; i < 5; i++) {
      await page.locator(".state--error").or(list).first().waitFor();
      if (await list.isVisible()) break;
      seen.push((await page.locator(".state--error .state__title").textContent()) ?? "");
      if (seen.length === 1) await shot(page, "07-tu-choi-dang-nhap");
      // The next attempt has begun once the app asks Zalo for a token again (a refusal may come back at once).
      const asked = (await calls(page)).filter((c) => c.api === "getAccessToken").length;
      await page.getByRole("button", { name: "Thử lại" }).click();
      await expect
        .poll(async () => (await calls(page)).filter((c) => c.api === "getAccessToken").length)
        .toBeGreaterThan(asked);
    }
    await list.waitFor();
    expect(seen).toContain("Zalo chưa cho ứng dụng đăng nhập. Vui lòng thử lại.");
    // Graph refused the unknown token: the server's own Vietnamese message.
    const graphRefusal = seen.find((m) => m !== "Zalo chưa cho ứng dụng đăng nhập. Vui lòng thử lại.");
    expect(graphRefusal).toMatch(/[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/);

    // The phone refused: filing goes on, and the consequence is stated.
    await page.getByRole("button", { name: "Trang chủ" }).click();
    await settled(page);
    await page.getByRole("button", { name: "Bạn cần làm thủ tục gì?" }).click();
    await settled(page);
    await page.getByRole("textbox", { name: "Tìm thủ tục hành chính" }).fill("khai sinh");
    await page.locator(".result").first().click();
    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
    await settled(page);
    await page.getByRole("button", { name: "Chia sẻ số điện thoại Zalo" }).click();
    await page.getByText(/Bạn chưa chia sẻ số điện thoại\. Bạn vẫn nộp được hồ sơ/).waitFor();
    await page.getByRole("button", { name: "Quét mã QR trên thẻ căn cước" }).click();
    await page.getByText(/không phải mã trên thẻ căn cước/).waitFor();
    await shot(page, "08-tu-choi-so-dien-thoai-ma-qr-sai");

    await page.getByLabel("Số định danh cá nhân (số căn cước, 12 chữ số)").fill("022090001234");
    await page.getByLabel("Xã, phường nơi cư trú").selectOption("06652");
    await page.getByLabel("Địa chỉ (số nhà, thôn, tổ)").fill("Số 5");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    const first = page.locator(".checklist__item").first();
    await first.getByRole("button", { name: /^Chụp ảnh/ }).click();
    await page.getByText(/Bạn chưa cho Zalo dùng máy ảnh.*chọn ảnh từ Thư viện/).waitFor();
    await first.getByRole("button", { name: /^Chụp ảnh/ }).click();
    await page.getByText(/lớn hơn 0,2 MB, chưa được thêm/).waitFor();
    expect(await page.locator(".preview img").count()).toBe(0);
    await shot(page, "09-tu-choi-may-anh-anh-qua-lon");
    await ctx.close();
  });

  it("when a link names a screen the app does not have, then the app's own not-found screen offers the way home", async () => {
    const { page, context: ctx } = await zaloApp({ routeParams: { page: "khuyen-mai" } });
    await page.goto(host.appUrl);
    await page.getByText("Không tìm thấy trang bạn cần").waitFor();
    await shot(page, "10-khong-tim-thay");
    await shotLarge(page, "10-khong-tim-thay");
    await page.getByRole("button", { name: "Về trang chủ" }).click();
    await page.getByRole("heading", { name: "Dịch vụ công trực tuyến" }).waitFor();
    await ctx.close();
  });

  it("when the same build is opened from an origin not in CORS_ORIGINS, then the browser refuses its API calls", async () => {
    const { page, context: ctx } = await zaloApp({ routeParams: { page: "dossiers" }, accessToken: [ok("x")] });
    const other = host.appUrl.replace("localhost", "127.0.0.1");
    await page.goto(other);
    await page.getByText("Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.").waitFor();
    const direct = await page.evaluate(
      (url) =>
        fetch(`${url}/api/procedures?q=khai+sinh`).then(
          (r) => `answered ${r.status}`,
          () => "refused",
        ),
      server.url,
    );
    expect(direct).toBe("refused");
    // From the allowed origin the same call is answered.
    await page.goto(host.appUrl);
    const allowed = await page.evaluate(
      (url) => fetch(`${url}/api/procedures?q=khai+sinh`).then((r) => r.status),
      server.url,
    );
    expect(allowed).toBe(200);
    await ctx.close();
  });

  it("when the production bundle is built, then it carries no Zalo double (the test build does)", async () => {
    const texts = (dir: string) =>
      fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => /\.(js|html|json)$/.test(f))
        .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
        .join("\n");
    const production = texts(await buildMiniApp());
    expect(production).toContain("getRouteParams");
    expect(production).not.toContain("qn-zalo-double");
    expect(production).not.toContain("__zaloDouble");
    const withDouble = texts(await buildMiniAppForZalo(server.url));
    expect(withDouble).toContain("qn-zalo-double");
  }, 120_000);
});
