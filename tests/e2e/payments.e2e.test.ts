import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, view } from "../helpers/api";
import { LARGE_TEXT_CSS, launchChromium, PHONE, settled, sidewaysOverflow } from "../helpers/browser";
import { png } from "../helpers/files";
import { buildMiniApp } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { COPY_PROCEDURE, fileWithFees, paySandbox, unitOfficial } from "../payments/helpers";

/**
 * The citizen's payment screens (issue 14), end to end in Chromium at 390×844 against a real test server in offline
 * mode, paying with the sandbox provider's test page: at the wizard's last step, later from the dossier page after
 * abandoning, and an official's request from the OA message's deep link. Screenshots go to test-results/screens.
 */
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

/**
 * A phone with the app's development identity fixed to `zaloId` (the same citizen the API helpers sign in), and,
 * when asked, Android's largest font size.
 */
async function phone(zaloId: string, large = false): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...PHONE, locale: "vi-VN", acceptDownloads: true });
  await context.addInitScript(
    ([id, css]) => {
      if (!localStorage.getItem("qn.dev-user")) localStorage.setItem("qn.dev-user", id as string);
      if (css) {
        document.addEventListener("DOMContentLoaded", () => {
          const style = document.createElement("style");
          style.textContent = css as string;
          document.head.append(style);
        });
      }
    },
    [zaloId, large ? LARGE_TEXT_CSS : ""],
  );
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => {
    throw error;
  });
  return { context, page };
}

/** The whole screen: the page scrolls inside zmp-ui's page, so the viewport grows to its height for the picture. */
async function shot(page: Page, name: string) {
  await settled(page);
  const height = await page.evaluate(() => document.querySelector(".zaui-page")?.scrollHeight ?? 0);
  const viewport = page.viewportSize() ?? PHONE.viewport;
  if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`) });
  await page.setViewportSize(viewport);
}

/** The sandbox's test page: says plainly that it is a test, then the chosen outcome sends the citizen back. */
async function sandbox(page: Page, button: "Thanh toán thành công" | "Thanh toán thất bại" | "Bỏ dở, quay lại") {
  await page.getByRole("heading", { name: "Cổng thanh toán thử nghiệm" }).waitFor();
  expect(await page.getByText("THỬ NGHIỆM — KHÔNG THU TIỀN THẬT").isVisible()).toBe(true);
  await page.getByRole("button", { name: button }).click();
}

/** Presses "Tải biên lai điện tử" and returns the downloaded file's name and first bytes. */
async function downloadReceipt(page: Page, scope: Page | ReturnType<Page["locator"]> = page) {
  const download = page.waitForEvent("download");
  await scope.getByRole("button", { name: "Tải biên lai điện tử" }).first().click();
  const file = await download;
  const saved = await file.path();
  return { name: file.suggestedFilename(), head: fs.readFileSync(saved).subarray(0, 5).toString() };
}

async function payments(token: string, code: string) {
  const res = await call(server, "GET", `/api/dossiers/${code}/payments`, { token });
  expect(res.status).toBe(200);
  return res.body as { payable: { amount: number } | null; charges: { status: string; attempts: unknown[] }[] };
}

describe("the citizen pays fees in the mini-app, end to end in Chromium at 390×844", () => {
  it("when a citizen files 2.000635 for two copies, then the last step pays 16.000 đ with the test page and the receipt downloads as a PDF", {
    timeout: 90_000,
  }, async () => {
    const zaloId = "e2e-pay-an";
    const { page, context } = await phone(zaloId);
    await page.goto(`${server.url}/?procedure=${COPY_PROCEDURE}`);
    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
    await settled(page);
    await page.getByLabel("Họ và tên").fill("Nguyễn Văn An");
    await page.getByLabel("Số định danh cá nhân (số căn cước, 12 chữ số)").fill("022090001234");
    await page.getByLabel("Xã, phường nơi cư trú").selectOption("06652");
    await page.getByLabel("Địa chỉ (số nhà, thôn, tổ)").fill("Số 5, tổ 3, khu 4");
    await page.getByRole("button", { name: "Tiếp tục" }).click();

    // Step 2: the fees for online filing, quoted by the one fee rule as the copies change.
    await page.getByLabel("Nội dung đề nghị").fill("Cấp 2 bản sao Trích lục khai sinh cho con Nguyễn Minh Khôi.");
    const fees = page.getByRole("region", { name: "Phí, lệ phí (nộp trực tuyến)" });
    await fees.getByText("8.000 đ / bản").waitFor();
    expect(await fees.locator(".fee-lines__total").textContent()).toBe("Tổng cộng8.000 đ");
    await fees.getByRole("button", { name: "Thêm một bản" }).click();
    await expect.poll(() => fees.locator(".fee-lines__total").textContent()).toBe("Tổng cộng16.000 đ");
    expect(await fees.getByLabel("Số bản").inputValue()).toBe("2");
    // Claiming an exemption asks for its reason; going back to "none" keeps the fees.
    await fees.getByText("Người thuộc gia đình có công với cách mạng, hộ nghèo, người khuyết tật").click();
    await expect.poll(() => fees.locator(".fee-lines__total").textContent()).toBe("Tổng cộng0 đ");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Cần ghi rõ lý do được miễn").waitFor();
    await shot(page, "pay-01-nop-ho-so-phi-mien");
    await fees.getByText("Không thuộc đối tượng miễn, giảm").click();
    await expect.poll(() => fees.locator(".fee-lines__total").textContent()).toBe("Tổng cộng16.000 đ");
    await shot(page, "pay-02-nop-ho-so-phi");
    await page.getByRole("button", { name: "Tiếp tục" }).click();

    // The draft keeps the choice: reopened, the wizard is back with two copies.
    await page.reload();
    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
    await settled(page);
    await page.locator(".wizard__nav").getByRole("button", { name: "Quay lại" }).click();
    await expect.poll(() => page.getByLabel("Số bản").inputValue()).toBe("2");
    await page.getByRole("button", { name: "Tiếp tục" }).click();

    const documents = page.locator(".checklist__item").filter({ hasText: "Bắt buộc" });
    for (let i = 0; i < (await documents.count()); i++) {
      const chooser = page.waitForEvent("filechooser");
      await documents
        .nth(i)
        .getByRole("button", { name: /^Chọn từ thư viện/ })
        .click();
      await (await chooser).setFiles([{ name: `giay-to-${i}.png`, mimeType: "image/png", buffer: png(600 + i) }]);
    }
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Tổng cộng: 16.000 đ").waitFor();
    await shot(page, "pay-03-nop-ho-so-xem-lai");
    await page.getByRole("button", { name: "Nộp hồ sơ" }).click();

    // The last step: the dossier is filed; its fees are payable now, or later.
    await page.getByRole("heading", { name: "Nộp phí, lệ phí", exact: true, level: 2 }).waitFor();
    const status = (await page.locator(".notice--ok").textContent()) ?? "";
    const code = /(\d{5}\.H49-\d{6}-\d{4})/.exec(status)?.[1] ?? "";
    expect(code).not.toBe("");
    expect(await page.locator(".pay__amount strong").textContent()).toBe("16.000 đ");
    expect(await page.getByText("Số lượng: 2").isVisible()).toBe(true);
    // Outside Zalo there is no Checkout; offline, the test page is the one method.
    expect(await page.getByRole("radio").count()).toBe(1);
    expect(await page.getByText("Thanh toán trong Zalo").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Để sau" }).isVisible()).toBe(true);
    await shot(page, "pay-04-buoc-cuoi-nop-phi");
    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();

    await sandbox(page, "Thanh toán thành công");
    expect(page.url()).toMatch(
      new RegExp(`/dossiers/${code.replace(".", "\\.")}/pay\\?ref=TT\\d{18}&ket-qua=success$`),
    );
    await page.getByRole("heading", { name: "Đã thanh toán" }).waitFor();
    expect(await page.locator(".pay-result .receipt__code").textContent()).toBe("16.000 đ");
    expect(await page.getByText(/^SBX\d+/).isVisible()).toBe(true);
    await shot(page, "pay-05-da-thanh-toan");
    const receipt = await downloadReceipt(page);
    expect(receipt.name).toMatch(/^bien-lai-BL\d{4}-\d{7}\.pdf$/);
    expect(receipt.head).toBe("%PDF-");

    // The dossier page: the charge paid, its attempt with the transaction id, and the receipt again.
    await page.getByRole("button", { name: "Xem hồ sơ" }).click();
    const section = page.getByRole("region", { name: "Phí, lệ phí" });
    await section.getByText("Đã thanh toán trực tuyến").waitFor();
    expect(await section.getByText(/^Mã giao dịch: SBX\d+/).isVisible()).toBe(true);
    expect(await section.getByRole("button", { name: "Nộp phí" }).count()).toBe(0);
    await shot(page, "pay-06-ho-so-da-nop-phi");
    const again = await downloadReceipt(page, section);
    expect(again.head).toBe("%PDF-");

    const token = await citizen(server, zaloId);
    const after = await payments(token, code);
    expect(after.payable).toBeNull();
    expect(after.charges[0]?.status).toBe("paid");
    await context.close();
  });

  it("when the citizen abandons the payment, then the screen says so with Thử lại, and the fees are paid later from the dossier page", {
    timeout: 60_000,
  }, async () => {
    const zaloId = "e2e-pay-binh";
    const token = await citizen(server, zaloId);
    const dossier = await fileWithFees(server, token, { copies: 1 });
    const { page, context } = await phone(zaloId);
    await page.goto(`${server.url}/?dossier=${encodeURIComponent(dossier.code)}`);
    const section = page.getByRole("region", { name: "Phí, lệ phí" });
    await section.getByText("Chưa thanh toán").waitFor();
    await shot(page, "pay-07-ho-so-chua-nop-phi");
    await section.getByRole("button", { name: "Nộp phí" }).click();
    await page.getByRole("heading", { name: "Nộp phí, lệ phí", exact: true, level: 2 }).waitFor();
    await shot(page, "pay-08-man-hinh-nop-phi");
    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();

    await sandbox(page, "Bỏ dở, quay lại");
    await page.getByRole("heading", { name: "Bạn đã dừng thanh toán" }).waitFor();
    await shot(page, "pay-09-da-dung-thanh-toan");
    // "Để sau": back to the dossier, where the fees are still payable, and a failure says so too.
    await page.getByRole("button", { name: "Để sau" }).click();
    await section.getByRole("button", { name: "Nộp phí" }).click();
    await page.getByText("chưa có kết quả").waitFor();
    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
    await sandbox(page, "Thanh toán thất bại");
    await page.getByRole("heading", { name: "Thanh toán chưa thành công" }).waitFor();
    expect(await page.getByText("Giao dịch thử nghiệm không thành công").isVisible()).toBe(true);
    await shot(page, "pay-10-thanh-toan-that-bai");

    await page.getByRole("button", { name: "Thử lại" }).click();
    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
    await sandbox(page, "Thanh toán thành công");
    await page.getByRole("heading", { name: "Đã thanh toán" }).waitFor();
    expect((await downloadReceipt(page)).head).toBe("%PDF-");

    await page.getByRole("button", { name: "Xem hồ sơ" }).click();
    await section.getByText("Đã thanh toán trực tuyến").waitFor();
    // Every attempt is listed, newest first.
    expect(await section.locator(".attempts li .state-chip").allTextContents()).toEqual([
      "Thành công",
      "Không thành công",
      "Đang chờ cổng thanh toán",
    ]);
    await shot(page, "pay-11-ho-so-cac-lan-thanh-toan");

    // Nothing left to pay: the payment screen says so, with the way back to the dossier.
    await page.goto(`${server.url}/?page=pay&code=${encodeURIComponent(dossier.code)}`);
    await page.getByText("Hồ sơ không còn khoản phí nào cần nộp").waitFor();
    await shot(page, "pay-12-khong-con-phi");
    await page.getByRole("button", { name: "Xem hồ sơ" }).click();
    await section.waitFor();
    await context.close();
  });

  it("when an official requests a fee, then the citizen pays it from the OA message's link and the dossier moves to Đang xử lý", {
    timeout: 60_000,
  }, async () => {
    const zaloId = "e2e-pay-chi";
    const token = await citizen(server, zaloId);
    const dossier = await fileWithFees(server, token, { copies: 1, exemption: { index: 0, reason: "Hộ nghèo" } });
    expect(dossier.feesDue).toBe(0);
    const hcc = await unitOfficial(server);
    const act = (body: Record<string, unknown>) =>
      call(server, "POST", `/api/officials/dossiers/${dossier.code}/actions`, { token: hcc.token, json: body });
    expect(view(await act({ action: "accept" })).state).toBe(2);
    const asked = await act({
      action: "request-payment",
      lines: [{ index: null, name: "Phí cấp thêm bản sao Trích lục", kind: "phi", quantity: 3, amount: 24000 }],
    });
    expect(view(asked)).toMatchObject({ state: 6, feesDue: 24000 });

    const { page, context } = await phone(zaloId);
    await page.goto(`${server.url}/?page=pay&code=${encodeURIComponent(dossier.code)}`);
    await page.getByRole("heading", { name: "Nộp phí, lệ phí", exact: true, level: 2 }).waitFor();
    expect(await page.locator(".pay__amount strong").textContent()).toBe("24.000 đ");
    expect(await page.getByText("Phí cấp thêm bản sao Trích lục").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
    await sandbox(page, "Thanh toán thành công");
    await page.getByRole("heading", { name: "Đã thanh toán" }).waitFor();
    await page.getByRole("button", { name: "Xem hồ sơ" }).click();
    await page.locator(".state-chip", { hasText: "Đang xử lý" }).first().waitFor();
    const section = page.getByRole("region", { name: "Phí, lệ phí" });
    await section.getByText("Phí, lệ phí cán bộ yêu cầu nộp").waitFor();
    // The exemption claimed at filing, not yet checked by an official.
    expect(await section.getByText("Chờ cán bộ kiểm tra").isVisible()).toBe(true);
    await shot(page, "pay-13-ho-so-yeu-cau-nop-phi-da-nop");
    const moved = view(await call(server, "GET", `/api/dossiers/${dossier.code}`, { token }));
    expect(moved.state).toBe(4);
    await context.close();
  });

  it("when the text is 130 % larger, then the payment screens fit the phone without sideways scrolling", {
    timeout: 60_000,
  }, async () => {
    const zaloId = "e2e-pay-dung";
    const token = await citizen(server, zaloId);
    const dossier = await fileWithFees(server, token, { copies: 3 });
    const { page, context } = await phone(zaloId, true);

    await page.goto(`${server.url}/?procedure=${COPY_PROCEDURE}`);
    await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
    await settled(page);
    await page.getByLabel("Họ và tên").fill("Nguyễn Văn Dũng");
    await page.getByLabel("Số định danh cá nhân (số căn cước, 12 chữ số)").fill("022090004321");
    await page.getByLabel("Xã, phường nơi cư trú").selectOption("06652");
    await page.getByLabel("Địa chỉ (số nhà, thôn, tổ)").fill("Tổ 1, khu 2");
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("8.000 đ / bản").waitFor();
    await page.getByText("Người thuộc gia đình có công với cách mạng, hộ nghèo, người khuyết tật").click();
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await page.getByText("Cần ghi rõ lý do được miễn").waitFor();
    await settled(page);
    expect(await sidewaysOverflow(page), "wizard fees").toEqual([]);
    await shot(page, "pay-20-chu-lon-nop-ho-so-phi");

    await page.goto(`${server.url}/?page=pay&code=${encodeURIComponent(dossier.code)}`);
    await page.getByRole("button", { name: "Thanh toán", exact: true }).waitFor();
    await settled(page);
    expect(await sidewaysOverflow(page), "pay").toEqual([]);
    await shot(page, "pay-21-chu-lon-nop-phi");
    await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
    await sandbox(page, "Bỏ dở, quay lại");
    await page.getByRole("heading", { name: "Bạn đã dừng thanh toán" }).waitFor();
    await settled(page);
    expect(await sidewaysOverflow(page), "abandoned").toEqual([]);
    await shot(page, "pay-22-chu-lon-da-dung");

    // Opened again with that attempt's reference and no outcome: the screen waits for the provider, asking every
    // 2 s; after a minute without an answer it says so, and not to pay twice (the clock is Playwright's).
    const open = (await payments(token, dossier.code)).charges[0]?.attempts.at(-1) as { reference: string };
    const waiting = await context.newPage();
    await waiting.clock.install();
    await waiting.goto(`${server.url}/dossiers/${encodeURIComponent(dossier.code)}/pay?ref=${open.reference}`);
    await waiting.getByRole("heading", { name: "Đang chờ xác nhận từ cổng thanh toán…" }).waitFor();
    await settled(waiting);
    expect(await sidewaysOverflow(waiting), "waiting").toEqual([]);
    await shot(waiting, "pay-25-chu-lon-dang-cho-xac-nhan");
    await waiting.clock.fastForward(61_000);
    await waiting.getByRole("heading", { name: "Chưa nhận được xác nhận từ cổng thanh toán" }).waitFor();
    expect(await waiting.getByText("đừng thanh toán lại").isVisible()).toBe(true);
    await settled(waiting);
    expect(await sidewaysOverflow(waiting), "unconfirmed").toEqual([]);
    await shot(waiting, "pay-26-chu-lon-chua-xac-nhan");
    await waiting.close();

    await paySandbox(server, token, dossier.code, "success");
    await page.goto(`${server.url}/?dossier=${encodeURIComponent(dossier.code)}`);
    await page.getByRole("region", { name: "Phí, lệ phí" }).getByText("Đã thanh toán trực tuyến").waitFor();
    await settled(page);
    expect(await sidewaysOverflow(page), "dossier").toEqual([]);
    await shot(page, "pay-23-chu-lon-ho-so");

    // The paid screen, back from the test page with the last attempt's reference.
    const last = (await payments(token, dossier.code)).charges[0]?.attempts.at(-1) as { reference: string };
    await page.goto(`${server.url}/dossiers/${encodeURIComponent(dossier.code)}/pay?ref=${last.reference}`);
    await page.getByRole("heading", { name: "Đã thanh toán" }).waitFor();
    await settled(page);
    expect(await sidewaysOverflow(page), "paid").toEqual([]);
    await shot(page, "pay-24-chu-lon-da-thanh-toan");
    await context.close();
  });
});
