import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, official } from "../helpers/api";
import { LARGE_TEXT_CSS, launchChromium, PHONE, settled, sidewaysOverflow } from "../helpers/browser";
import { png } from "../helpers/files";
import { buildMiniApp } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { startTestServer, type TestServer } from "../helpers/test-server";

/** Screenshots of every screen, kept as test artifacts (test-results/screens) to look at. */
const SCREENS = path.join(ROOT, "test-results", "screens");

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const miniAppDist = await buildMiniApp();
  server = await startTestServer({ miniAppDist });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function citizenApp(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...PHONE, locale: "vi-VN" });
  const page = await context.newPage();
  // Shorter than the test's own timeout, so that a failure names the element that never came.
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (error) => {
    throw error;
  });
  return { context, page };
}

async function shot(page: Page, name: string) {
  await settled(page);
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`), fullPage: true });
}

/** Chooses files in the picker the app opens (a file input outside Zalo). */
async function attach(page: Page, button: ReturnType<Page["getByRole"]>, files: { name: string; buffer: Buffer }[]) {
  const chooser = page.waitForEvent("filechooser");
  await button.click();
  await (await chooser).setFiles(files.map((f) => ({ name: f.name, mimeType: "image/png", buffer: f.buffer })));
}

describe("the citizens' mini-app, end to end in Chromium at 390×844", () => {
  let code = "";
  let secret = "";

  it("when a citizen searches without diacritics and files with photos, then the receipt shows the code and its QR", async () => {
    const { page } = await citizenApp();
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: "Dịch vụ công trực tuyến" }).waitFor();
    await shot(page, "01-trang-chu");

    await page.getByRole("button", { name: "Bạn cần làm thủ tục gì?" }).click();
    await settled(page);
    await page.getByRole("textbox", { name: "Tìm thủ tục hành chính" }).fill("dang ky khai sinh");
    await expect.poll(() => page.locator(".result__name").first().textContent()).toBe("Đăng ký khai sinh");
    await shot(page, "02-tim-thu-tuc");

    await page.locator(".result").first().click();
    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).waitFor();
    await shot(page, "03-chi-tiet-thu-tuc");

    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
    await settled(page);
    // Step 1: a mistake first — the wizard says what is wrong and stays.
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Cần nhập họ và tên").waitFor();
    await page.getByLabel("Họ và tên").fill("Nguyễn Văn An");
    await page.getByLabel("Số định danh cá nhân (số căn cước, 12 chữ số)").fill("003090001234");
    await page.getByLabel("Xã, phường nơi cư trú").selectOption("06652");
    await page.getByLabel("Địa chỉ (số nhà, thôn, tổ)").fill("Số 5, tổ 3, khu 4");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("3 chữ số đầu không phải mã tỉnh").waitFor();
    await page.getByLabel("Số định danh cá nhân (số căn cước, 12 chữ số)").fill("022090001234");
    // The message goes as soon as the number is right.
    await expect.poll(() => page.getByText("3 chữ số đầu không phải mã tỉnh").count()).toBe(0);
    await shot(page, "04-nop-ho-so-nguoi-nop");
    await page.getByRole("button", { name: "Tiếp tục" }).click();

    // Step 2: the request.
    await page.getByLabel("Nội dung đề nghị").fill("Đăng ký khai sinh cho con Nguyễn Minh Khôi, sinh ngày 20/11/2026.");
    await shot(page, "05-nop-ho-so-to-khai");
    await page.getByRole("button", { name: "Tiếp tục" }).click();

    // Step 3: photos of each required document (two images for the first one), with previews.
    const documents = page.locator(".checklist__item");
    const required = await documents.filter({ hasText: "Bắt buộc" }).count();
    expect(required).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Cần chụp hoặc chọn giấy tờ này").first().waitFor();
    for (let i = 0; i < required; i++) {
      const item = documents.filter({ hasText: "Bắt buộc" }).nth(i);
      const files =
        i === 0
          ? [
              { name: "to-khai-trang-1.png", buffer: png(300) },
              { name: "to-khai-trang-2.png", buffer: png(301) },
            ]
          : [{ name: `giay-to-${i}.png`, buffer: png(302 + i) }];
      await attach(page, item.getByRole("button", { name: /^Chọn từ thư viện/ }), files);
    }
    await expect.poll(() => page.locator(".preview img").count()).toBe(required + 1);
    // The previews are the pictures themselves (decoded, not broken), and every "missing" message is gone.
    await expect
      .poll(() =>
        page.locator(".preview img").evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)),
      )
      .toBe(true);
    expect(await page.getByText("Cần chụp hoặc chọn giấy tờ này").count()).toBe(0);
    await shot(page, "06-nop-ho-so-giay-to");
    await page.getByRole("button", { name: "Tiếp tục" }).click();

    // Step 4: delivery; step 5: review and submit.
    await page.getByText("Nhận tại bộ phận một cửa").waitFor();
    await shot(page, "07-nop-ho-so-nhan-ket-qua");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Bằng việc nộp hồ sơ").waitFor();
    await shot(page, "08-nop-ho-so-xem-lai");
    await page.getByRole("button", { name: "Nộp hồ sơ" }).click();

    await page.getByRole("heading", { name: "Hồ sơ đã được gửi" }).waitFor();
    code = (await page.locator(".receipt__code").textContent()) ?? "";
    expect(code).toMatch(/^06652\.H49-\d{6}-\d{4}$/);
    expect(await page.getByRole("img", { name: `Mã QR của hồ sơ ${code}` }).isVisible()).toBe(true);
    // The receipt's secret beside the QR code (issue 13, finding 6): it shows the lookup's details.
    secret = (await page.locator(".receipt__secret").textContent()) ?? "";
    expect(secret).toMatch(/^[A-Z0-9]{6}$/);
    await shot(page, "09-bien-nhan");

    // The dossier on the server has the photos, typed by content.
    const stored = await server.deps.db
      .selectFrom("attachments")
      .innerJoin("dossiers", "dossiers.id", "attachments.dossier_id")
      .select(["attachments.mime"])
      .where("dossiers.code", "=", code)
      .execute();
    expect(stored.map((a) => a.mime)).toEqual(Array(required + 1).fill("image/png"));
    await page.context().storageState({ path: path.join(os.tmpdir(), "qn-citizen-a.json") });
  });

  it("when officials accept it and ask for a document, then the citizen sees the state and the notification and sends it", async () => {
    const hcc = await official(server, "hcc", "06652");
    for (const body of [
      { action: "accept" },
      { action: "request-supplement", missingDocuments: ["Giấy chứng sinh bản chính"] },
    ]) {
      const res = await call(server, "POST", `/api/officials/dossiers/${code}/actions`, {
        token: hcc.token,
        json: body,
      });
      expect(res.status).toBe(200);
    }
    await server.deps.worker.idle();

    const context = await browser.newContext({
      ...PHONE,
      locale: "vi-VN",
      storageState: path.join(os.tmpdir(), "qn-citizen-a.json"),
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: "Hồ sơ cần bạn xử lý" }).waitFor();
    await page.getByRole("button", { name: "Thông báo" }).click();
    // The home screen may still be on its way out, so wait for the list itself rather than for a text.
    await expect.poll(() => page.locator(".result--unread").count()).toBeGreaterThanOrEqual(2);
    await settled(page);
    await shot(page, "10-thong-bao");

    await page.getByRole("button", { name: "Hồ sơ", exact: true }).click();
    await settled(page);
    await shot(page, "11-ho-so-cua-toi");
    await page.locator(".result").first().click();
    await page.getByRole("heading", { name: "Cần bổ sung giấy tờ" }).waitFor();
    expect(await page.getByText("Giấy chứng sinh bản chính").isVisible()).toBe(true);
    await attach(page, page.getByRole("button", { name: "Thư viện" }), [
      { name: "giay-chung-sinh.png", buffer: png(400) },
    ]);
    await shot(page, "12-chi-tiet-ho-so-bo-sung");
    await page.getByRole("button", { name: "Gửi bổ sung" }).click();
    await page.locator(".state-chip", { hasText: "Đang xử lý" }).waitFor();
    expect(await page.getByText("Bổ sung giấy tờ").first().isVisible()).toBe(true);
    // The confirmation carries our own icon, not the name of a glyph from Zalo's icon font (offline here).
    await page.getByText("Đã gửi giấy tờ bổ sung").waitFor();
    expect(await page.locator(".snackbar-icon--success svg").count()).toBe(1);
    expect(await page.getByText(/zi_/).count()).toBe(0);
    await shot(page, "13-chi-tiet-ho-so-da-bo-sung");
    await context.close();
  });

  it("when an anonymous visitor looks the code up, then they see the state; with the receipt's secret also a masked name", async () => {
    const { page, context } = await citizenApp();
    await page.goto(`${server.url}/?page=lookup`);
    await page.getByLabel("Mã hồ sơ").waitFor();
    await settled(page);
    await page.getByLabel("Mã hồ sơ").fill("khong-phai-ma");
    await page.getByRole("button", { name: "Tra cứu", exact: true }).click();
    await page.getByText("Mã hồ sơ có dạng").waitFor();
    await page.getByLabel("Mã hồ sơ").fill(code.toLowerCase());
    await page.getByRole("button", { name: "Tra cứu", exact: true }).click();
    await page.getByText("Nhập thêm mã bảo mật").waitFor();
    expect(await page.getByText("Nguyễn V** A*").count()).toBe(0);
    await page.getByLabel("Mã bảo mật (không bắt buộc)").fill(secret.toLowerCase());
    await page.getByRole("button", { name: "Tra cứu", exact: true }).click();
    await page.getByText("Nguyễn V** A*").waitFor();
    await shot(page, "14-tra-cuu");
    await context.close();
  });

  it("when a second citizen opens the first one's dossier link, then it is not shown to them", async () => {
    const { page, context } = await citizenApp();
    await page.goto(`${server.url}/?dossier=${encodeURIComponent(code)}`);
    await page.getByText("Không tìm thấy hồ sơ").waitFor();
    expect(await page.getByText("Nguyễn Văn An").count()).toBe(0);
    await shot(page, "15-ho-so-nguoi-khac");
    // Not a dead end: the citizen can look the code up (and sees only the masked public view).
    await page.getByRole("button", { name: "Tra cứu bằng mã" }).click();
    await page.getByRole("textbox", { name: "Mã hồ sơ" }).waitFor();
    await context.close();
  });

  it("when a volunteer signs in and files for a citizen, then the consent is recorded and the citizen looks it up by code", {
    timeout: 60_000,
  }, async () => {
    const password = "mat-khau-tinh-nguyen-vien-1";
    await server.deps.auth.createOfficial({
      username: "tnv.hatu",
      name: "Tình nguyện viên Hà Tu",
      role: "volunteer",
      unitCode: "06652",
      password,
    });
    await server.deps.auth.createOfficial({
      username: "cb.xuly",
      name: "Cán bộ xử lý",
      role: "official",
      unitCode: "06652",
      password,
    });
    const { page, context } = await citizenApp();
    await page.goto(`${server.url}/?page=profile`);
    await page.getByRole("button", { name: "Đăng nhập tài khoản nộp thay" }).waitFor();
    await settled(page);
    await page.getByRole("button", { name: "Đăng nhập tài khoản nộp thay" }).click();
    await settled(page);
    const login = async (username: string, secret: string) => {
      await page.getByLabel("Tên đăng nhập").fill(username);
      await page.getByLabel("Mật khẩu").fill(secret);
      await page.getByRole("button", { name: "Đăng nhập" }).click();
    };
    await login("tnv.hatu", "sai-mat-khau");
    await page.getByRole("alert").getByText("Tên đăng nhập hoặc mật khẩu không đúng.").waitFor();
    // A processing officer's account is not for filing on behalf: refused, and not kept on the device.
    await login("cb.xuly", password);
    await page.getByRole("alert").getByText("không nộp thay được").waitFor();
    await shot(page, "19-dang-nhap-nop-thay");
    await login("tnv.hatu", password);
    await page.getByText("Tình nguyện viên Hà Tu").waitFor();

    await page.goto(`${server.url}/?procedure=1.001193`);
    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
    await settled(page);
    await page.getByText("Nộp thay công dân").click();
    await page.getByLabel("Họ và tên công dân").fill("Trần Thị Bình");
    await page.getByLabel("Số định danh cá nhân (số căn cước, 12 chữ số)").fill("022190004321");
    await page.getByLabel("Xã, phường nơi cư trú").selectOption("06652");
    await page.getByLabel("Địa chỉ (số nhà, thôn, tổ)").fill("Tổ 2, khu 5");
    await page.getByLabel("Số điện thoại của công dân (không bắt buộc)").fill("0912 345 678");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Cần ghi nhận công dân đồng ý cho bạn nộp thay").waitFor();
    await page.getByLabel("Sự đồng ý của công dân").selectOption("in-person");
    await page.getByLabel("Ghi chú về sự đồng ý (không bắt buộc)").fill("Tại nhà văn hóa khu 5");
    await shot(page, "20-nop-thay-nguoi-nop");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    const documents = page.locator(".checklist__item").filter({ hasText: "Bắt buộc" });
    for (let i = 0; i < (await documents.count()); i++) {
      await attach(page, documents.nth(i).getByRole("button", { name: /^Chọn từ thư viện/ }), [
        { name: `giay-to-nop-thay-${i}.png`, buffer: png(500 + i) },
      ]);
    }
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Công dân đồng ý trực tiếp với tôi (Tại nhà văn hóa khu 5)").waitFor();
    await page.getByRole("button", { name: "Nộp hồ sơ" }).click();

    await page.getByText("Mã hồ sơ của công dân").waitFor();
    const filed = (await page.locator(".receipt__code").textContent()) ?? "";
    expect(filed).toMatch(/^06652\.H49-\d{6}-\d{4}$/);
    const filedSecret = (await page.locator(".receipt__secret").textContent()) ?? "";
    await shot(page, "21-bien-nhan-nop-thay");
    const row = await server.deps.db
      .selectFrom("dossiers")
      .innerJoin("officials", "officials.id", "dossiers.filed_by_official_id")
      .select(["dossiers.citizen_id", "dossiers.on_behalf_consent", "dossiers.applicant", "officials.username"])
      .where("dossiers.code", "=", filed)
      .executeTakeFirstOrThrow();
    expect(row.username).toBe("tnv.hatu");
    expect(row.citizen_id).toBeNull();
    expect(JSON.parse(row.on_behalf_consent ?? "{}")).toEqual({ method: "in-person", note: "Tại nhà văn hóa khu 5" });
    expect(JSON.parse(row.applicant).phone).toBe("0912345678");

    // It is the citizen's dossier, not the volunteer's own: the lookup shows it, "Hồ sơ của tôi" does not.
    await page.getByRole("button", { name: "Tra cứu hồ sơ" }).click();
    await page.getByRole("textbox", { name: "Mã hồ sơ" }).fill(filed);
    await page.getByLabel("Mã bảo mật (không bắt buộc)").fill(filedSecret);
    await page.getByRole("button", { name: "Tra cứu", exact: true }).click();
    await page.getByText("Trần T** B***").waitFor();
    await page.goto(`${server.url}/?page=dossiers`);
    await page.getByText("Bạn chưa có hồ sơ nào").waitFor();
    await context.close();
  });

  it("when the phone is 360 px wide and its text 130 % larger, then no screen scrolls sideways", async () => {
    const context = await browser.newContext({ ...PHONE, viewport: { width: 360, height: 740 }, locale: "vi-VN" });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    // What Android's "font size: largest" does to a WebView: every text larger, boxes reflowing around it.
    await page.addInitScript((css) => {
      document.addEventListener("DOMContentLoaded", () => {
        const style = document.createElement("style");
        style.textContent = css;
        document.head.append(style);
      });
    }, LARGE_TEXT_CSS);
    const overflow = () => sidewaysOverflow(page);
    const screens: [string, string][] = [
      ["/", "Thủ tục hay dùng"],
      ["/?page=search", "Lĩnh vực"],
      ["/?procedure=1.001193", "Giấy tờ cần chuẩn bị"],
      ["/?page=lookup", "Mã hồ sơ"],
      ["/?page=support", "Nơi nộp trực tiếp"],
      ["/?page=profile", "Nhận tin qua Zalo"],
      ["/?page=notifications", "Chưa có thông báo"],
    ];
    for (const [url, text] of screens) {
      await page.goto(`${server.url}${url}`);
      await page.getByText(text).first().waitFor();
      await settled(page);
      expect(await overflow(), url).toEqual([]);
    }
    // The wizard too, with its stepper and errors.
    await page.goto(`${server.url}/?procedure=1.001193`);
    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
    await settled(page);
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Cần nhập họ và tên").waitFor();
    expect(await overflow(), "wizard").toEqual([]);
    await page.screenshot({ path: path.join(SCREENS, "22-chu-lon-360px.png"), fullPage: true });
    await context.close();
  });

  it("when the other screens open, then each has content and a way back (screenshots for review)", async () => {
    const { page, context } = await citizenApp();
    await page.goto(`${server.url}/`);
    await page.getByRole("button", { name: "Cá nhân" }).click();
    await page.getByText("Nhận tin qua Zalo").waitFor();
    await shot(page, "16-ca-nhan");
    await page.getByRole("button", { name: "Trang chủ" }).click();
    await settled(page);
    await page.getByRole("button", { name: "Hướng dẫn" }).click();
    await page.getByRole("heading", { name: "Nộp hồ sơ trực tuyến trong 5 bước" }).waitFor();
    await shot(page, "17-ho-tro");
    await page.getByRole("button", { name: "Quay lại" }).click();
    await settled(page);
    await page.getByRole("button", { name: "Xem tất cả" }).click();
    await page.getByText("Chưa có tin mới").or(page.locator(".card--news").first()).waitFor();
    await shot(page, "18-tin-tuc");
    await context.close();
  });
});
