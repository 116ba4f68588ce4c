import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { OfficialPostalOrder } from "@qn/shared";
import type { Browser, BrowserContextOptions, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { call } from "../helpers/api";
import { launchChromium } from "../helpers/browser";
import { buildConsole } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { type TestServer, testConfig } from "../helpers/test-server";
import { COMMUNE, completed, filePostal, newCitizen, pickupDate, settle, startPostalServer } from "../postal/helpers";

/**
 * The officials' side of the public postal service (issue 15) in the console, in Chromium: results ready to go by
 * post dispatched in bulk, their labels printed from the page (the PDF checked for each waybill and dossier code), the
 * day's pick-ups, a failed delivery in "Cần xử lý" with the citizen's choice, the post down (the order waits with its
 * error, then goes out), the dossier's postal panel, and the administrator's sender form and waybill pool.
 */
const SCREENS = path.join(ROOT, "test-results", "screens");
const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
  locale: "vi-VN",
  acceptDownloads: true,
};
const NARROW: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "vi-VN",
};
const PASSWORD = "mat-khau-that-dai-123";
const OFFICIAL = "mot.cua.buu.chinh";
const ADMIN = "quan.tri.buu.chinh";

let server: TestServer;
let browser: Browser;
/** Three results by post (the first also had its originals picked up at home), and their citizens' tokens. */
const seeded: { codes: string[]; tokens: string[]; pickupDay: string } = { codes: [], tokens: [], pickupDay: "" };
/** The orders the bulk dispatch created, by dossier code. */
const created = new Map<string, { reference: string; waybill: string }>();

async function token(username: string): Promise<string> {
  const res = await call(server, "POST", "/api/officials/login", { json: { username, password: PASSWORD } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token as string;
}

async function orders(list: string): Promise<OfficialPostalOrder[]> {
  const res = await call(server, "GET", `/api/officials/postal/orders?list=${list}`, { token: await token(OFFICIAL) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as OfficialPostalOrder[];
}

async function deliveryOf(code: string): Promise<OfficialPostalOrder> {
  const res = await call(server, "GET", "/api/officials/postal/orders?list=all", { token: await token(OFFICIAL) });
  const found = (res.body as OfficialPostalOrder[]).find((o) => o.dossierCode === code && o.kind === "delivery");
  if (!found) throw new Error(`no delivery order for ${code}`);
  return found;
}

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const consoleDist = await buildConsole();
  // The queue's retries a fifth of a second apart (30 s by default), so that the post coming back is seen at once.
  const postal = { ...testConfig().postal, retryBaseMs: 200, retryMaxMs: 1000 };
  server = await startPostalServer({ consoleDist, postal });
  browser = await launchChromium();
  await server.deps.auth.createOfficial({
    username: OFFICIAL,
    name: "Trần Thị Hà",
    role: "hcc",
    unitCode: COMMUNE,
    password: PASSWORD,
  });
  await server.deps.auth.createOfficial({
    username: ADMIN,
    name: "Nguyễn Quản Trị",
    role: "admin",
    unitCode: "22",
    password: PASSWORD,
  });
  seeded.pickupDay = await pickupDate(server);
  for (const [i, name] of ["Nguyễn Văn An", "Hoàng Thị Bình", "Vũ Đức Cường"].entries()) {
    const citizen = await newCitizen(server, name);
    const dossier = await filePostal(server, citizen, { pickup: i === 0, resultByPost: true });
    seeded.tokens.push(citizen);
    seeded.codes.push(dossier.code);
  }
  // The pick-up asked for at filing goes to the post; then the three are processed.
  await settle(server);
  for (const code of seeded.codes) await completed(server, code);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(username: string, options: BrowserContextOptions = DESKTOP): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.url}/console/`);
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
  return page;
}

/**
 * A screenshot (the full page, or what the screen shows when a dialog is open, or one element); the page must not
 * scroll sideways.
 */
async function shot(page: Page, name: string, what: "page" | "screen" | Locator = "page"): Promise<void> {
  const sideways = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = Array.from(document.querySelectorAll("body *"))
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? "").slice(0, 40)}`)
      .slice(0, 5);
    return { by: document.documentElement.scrollWidth - width, out };
  });
  const file = path.join(SCREENS, `console-postal-${name}.png`);
  if (what === "page" || what === "screen") await page.screenshot({ path: file, fullPage: what === "page" });
  else await what.screenshot({ path: file });
  expect(sideways.by, `${name}: the page scrolls sideways (${sideways.out.join(" | ")})`).toBeLessThanOrEqual(0);
}

function pdfText(pdf: Buffer): string {
  return execFileSync("pdftotext", ["-enc", "UTF-8", "-", "-"], { input: pdf })
    .toString("utf8")
    .normalize("NFC")
    .replace(/\s+/g, " ");
}

/** Clicks `click` and returns the labels PDF the page fetched for it, after the viewer shows it. */
async function labelsFrom(page: Page, click: () => Promise<void>): Promise<{ pdf: Buffer; refs: string[] }> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/api/officials/postal/labels.pdf")),
    click(),
  ]);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/pdf");
  const refs = (new URL(response.url()).searchParams.get("refs") ?? "").split(",");
  const pdf = await response.body();
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  await page.getByRole("dialog", { name: /Nhãn bưu gửi/ }).waitFor();
  return { pdf, refs };
}

const tab = (page: Page, name: RegExp) =>
  page.getByRole("navigation", { name: "Danh sách bưu chính" }).getByRole("link", { name });

describe("the public postal service in the officials' console, end to end in Chromium", () => {
  it("when three results wait to go by post, then the official selects all, dispatches them in bulk and prints their labels", async () => {
    const page = await signIn(OFFICIAL);
    await page
      .getByRole("navigation", { name: "Chức năng" })
      .getByRole("link", { name: /Bưu chính/ })
      .click();
    await page.getByRole("heading", { name: "Kết quả chờ gửi qua bưu điện" }).waitFor();
    for (const code of seeded.codes) {
      const row = page.locator(`tr[data-code="${code}"]`);
      await row.getByRole("link", { name: code }).waitFor();
      await row.getByText("Số 5, tổ 3, khu 4, Phường Hà Tu").waitFor();
    }
    await expect.poll(() => tab(page, /Chờ gửi kết quả/).textContent()).toContain("3");
    const send = page.getByRole("button", { name: "Gửi kết quả qua bưu điện" });
    expect(await send.isDisabled()).toBe(true);
    await page.getByLabel("Chọn tất cả (3)").check();
    await page.getByText("Đã chọn 3 hồ sơ").waitFor();
    await shot(page, "01-cho-gui");

    await send.click();
    const results = page.getByRole("list", { name: "Kết quả gửi từng hồ sơ" });
    await results.waitFor();
    for (const code of seeded.codes) {
      await results.locator(`li[data-code="${code}"][data-outcome="created"]`).getByText("Đã tạo đơn").waitFor();
    }
    await page.getByRole("heading", { name: "Đã tạo 3 đơn gửi kết quả." }).waitFor();
    // Sent: nothing is left waiting.
    await page.getByText("Không có kết quả nào chờ gửi qua bưu điện.", { exact: false }).waitFor();
    await shot(page, "02-da-gui");

    // The queue sends them to the (test) post, which gives each a waybill.
    await settle(server);
    for (const code of seeded.codes) {
      const order = await deliveryOf(code);
      expect(order.status, code).toBe("created");
      expect(order.waybill, code).toMatch(/^[A-Z]{2}\d{9}[A-Z]{2}$/);
      created.set(code, { reference: order.reference, waybill: order.waybill as string });
    }

    // The labels of the orders just created, from the dispatch's results.
    const fromResults = await labelsFrom(page, () =>
      page.getByRole("button", { name: "In nhãn các đơn vừa tạo (3)" }).click(),
    );
    expect(fromResults.refs.sort()).toEqual([...created.values()].map((c) => c.reference).sort());
    await shot(page, "03-nhan-xem", "screen");
    await page
      .getByRole("dialog", { name: /Nhãn bưu gửi/ })
      .getByRole("button", { name: "Đóng" })
      .click();

    // And in "Đang vận chuyển": the three selected, their labels printed at once.
    await tab(page, /Đang vận chuyển/).click();
    await page.getByRole("heading", { name: "Đơn đang thực hiện" }).waitFor();
    for (const [code, c] of created) {
      const row = page.locator(`tr[data-reference="${c.reference}"]`);
      await row.getByRole("link", { name: code }).waitFor();
      await row.getByText(c.waybill).waitFor();
      await row.getByText("Đã tạo đơn gửi kết quả qua bưu điện").waitFor();
      await row.getByRole("checkbox").check();
    }
    await shot(page, "04-dang-van-chuyen");
    const { pdf, refs } = await labelsFrom(page, () =>
      page.getByRole("button", { name: "In nhãn các đơn đã chọn (3)" }).click(),
    );
    expect(refs.sort()).toEqual([...created.values()].map((c) => c.reference).sort());
    fs.writeFileSync(path.join(SCREENS, "..", "console-postal-labels.pdf"), pdf);
    // poppler-utils reads the PDF back (.ci/run installs it), and draws each A6 page to look at.
    const text = pdfText(pdf);
    for (const [code, c] of created) {
      expect(text, `the labels name ${c.waybill}`).toContain(c.waybill);
      expect(text, `the labels name ${code}`).toContain(code);
    }
    expect(text).toContain("Nguyễn Văn An");
    expect(text).toContain("Phường Hà Tu");
    execFileSync("pdftoppm", [
      "-png",
      "-r",
      "100",
      path.join(SCREENS, "..", "console-postal-labels.pdf"),
      path.join(SCREENS, "console-postal-label"),
    ]);
    // "Tải về" saves the same PDF.
    const viewer = page.getByRole("dialog", { name: /Nhãn bưu gửi/ });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      viewer.getByRole("button", { name: "Tải về" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("nhan-buu-gui-3.pdf");
    expect(fs.readFileSync(await download.path()).equals(pdf)).toBe(true);
    await viewer.getByRole("button", { name: "Đóng" }).click();

    // One order's own "In nhãn".
    const [first] = [...created.values()];
    const single = await labelsFrom(page, () =>
      page
        .locator(`tr[data-reference="${first?.reference}"]`)
        .getByRole("button", { name: /^In nhãn đơn/ })
        .click(),
    );
    expect(single.refs).toEqual([first?.reference]);
    await page.context().close();
  });

  it("when the post comes to a citizen's home tomorrow, then the day's pick-ups list them with the address, the slot and the waybill", async () => {
    const [code] = seeded.codes as [string];
    const pickup = (await orders("all")).find((o) => o.dossierCode === code && o.kind === "pickup");
    expect(pickup?.waybill).toBeTruthy();
    const page = await signIn(OFFICIAL);
    await page.goto(`${server.url}/console/buu-chinh/lay-ho-so`);
    await page.getByRole("heading", { name: /^Lấy hồ sơ gốc tại nhà ngày/ }).waitFor();
    await page.getByLabel("Ngày hẹn lấy").fill(seeded.pickupDay);
    const row = page.locator(`tr[data-reference="${pickup?.reference}"]`);
    await row.getByRole("link", { name: code }).waitFor();
    for (const text of [
      "Nguyễn Văn An",
      "0912345678",
      "Số 5, tổ 3, khu 4, Phường Hà Tu",
      "Buổi sáng (8:00–11:30)",
      pickup?.waybill as string,
      "Bưu điện đã nhận yêu cầu lấy hồ sơ",
    ]) {
      await row.getByText(text, { exact: false }).first().waitFor();
    }
    await shot(page, "05-lay-ho-so");
    // Another day has none, and says so.
    await page.getByRole("button", { name: "Ngày sau →" }).click();
    await page.getByText("Không có lịch bưu điện đến lấy hồ sơ gốc ngày", { exact: false }).waitFor();
    await page.context().close();
  });

  it("when a delivery fails, then it shows in “Cần xử lý” with what the citizen chose", async () => {
    const code = seeded.codes[1] as string;
    const c = created.get(code) as { reference: string; waybill: string };
    const post = server.deps.postalSandbox;
    if (!post) throw new Error("the test post is off");
    post.advance(c.waybill);
    post.advance(c.waybill);
    post.fail(c.waybill, "Không liên lạc được với người nhận");
    await settle(server);
    expect((await deliveryOf(code)).status).toBe("failed");

    const page = await signIn(OFFICIAL);
    await page
      .getByRole("navigation", { name: "Chức năng" })
      .getByRole("link", { name: /Bưu chính/ })
      .click();
    await tab(page, /Cần xử lý/).click();
    await page.getByRole("heading", { name: /Giao không thành công, chuyển hoàn/ }).waitFor();
    const row = page.locator(`tr[data-reference="${c.reference}"]`);
    await row.getByText("Giao kết quả không thành công").waitFor();
    await row.getByText("Công dân chưa chọn cách nhận lại kết quả (đã được báo qua Zalo).").waitFor();
    await row.getByText("Bưu điện ghi: Không liên lạc được với người nhận").waitFor();
    // The navigation counts it.
    await expect
      .poll(() =>
        page
          .getByRole("navigation", { name: "Chức năng" })
          .getByRole("link", { name: /Bưu chính/ })
          .textContent(),
      )
      .toContain("1");

    // The citizen chooses the counter in Zalo: the official is told to hand it over there.
    const chose = await call(server, "POST", `/api/dossiers/${code}/postal/orders/${c.reference}/choice`, {
      token: seeded.tokens[1],
      json: { choice: "counter" },
    });
    expect(chose.status, JSON.stringify(chose.body)).toBe(200);
    await page.getByRole("button", { name: "Làm mới" }).click();
    await row.getByText("Công dân chọn: Nhận tại bộ phận một cửa.").waitFor();
    await row.getByText("Trả kết quả khi công dân đến quầy", { exact: false }).waitFor();
    await shot(page, "06-can-xu-ly");
    await page.context().close();
  });

  it("when the post is down, then a dispatched order waits in “Cần xử lý” with its error and tries, and goes out once the post is back", async () => {
    const post = server.deps.postalSandbox;
    if (!post) throw new Error("the test post is off");
    const citizen = await newCitizen(server, "Phạm Thị Dung");
    const dossier = await filePostal(server, citizen, { resultByPost: true });
    await completed(server, dossier.code);
    post.down(true);
    try {
      const page = await signIn(OFFICIAL);
      await page.goto(`${server.url}/console/buu-chinh/cho-gui`);
      await page.getByLabel(`Chọn hồ sơ ${dossier.code}`).check();
      await page.getByRole("button", { name: "Gửi kết quả qua bưu điện" }).click();
      await page.locator(`li[data-code="${dossier.code}"][data-outcome="created"]`).waitFor();
      await settle(server);
      const waiting = await deliveryOf(dossier.code);
      expect(waiting.status).toBe("waiting");
      expect(waiting.sending?.lastError).toBeTruthy();

      await tab(page, /Cần xử lý/).click();
      await page.getByRole("heading", { name: /Chưa gửi được tới bưu điện/ }).waitFor();
      const alert = page.getByRole("alert").filter({ hasText: "Bưu điện chưa nhận" });
      await alert.getByText(waiting.sending?.lastError as string, { exact: false }).waitFor();
      await alert.getByText("không cần tạo lại đơn", { exact: false }).waitFor();
      const row = page.locator(`tr[data-reference="${waiting.reference}"]`);
      await row.getByText("Đang gửi yêu cầu tới bưu điện").waitFor();
      await row.getByText(`Bưu điện chưa nhận đơn: ${waiting.sending?.lastError}`, { exact: false }).waitFor();
      await row.getByText(/Đã thử \d+ lần\. Hệ thống tự thử lại lúc \d{2}:\d{2}/).waitFor();
      expect(await row.getByRole("button", { name: /^In nhãn đơn/ }).isDisabled()).toBe(true);
      await shot(page, "07-buu-dien-loi");

      // Back up: the next try sends it.
      post.down(false);
      await vi.waitFor(
        async () => {
          await settle(server);
          expect((await deliveryOf(dossier.code)).status).toBe("created");
        },
        { timeout: 15_000, interval: 300 },
      );
      await page.getByRole("button", { name: "Làm mới" }).click();
      await page.locator(`tr[data-reference="${waiting.reference}"]`).waitFor({ state: "detached" });
      await tab(page, /Đang vận chuyển/).click();
      const sent = await deliveryOf(dossier.code);
      await page
        .locator(`tr[data-reference="${waiting.reference}"]`)
        .getByText(sent.waybill as string)
        .waitFor();
      await page.context().close();
    } finally {
      post.down(false);
    }
  });

  it("when the official opens a dossier, then its postal panel shows the orders, their timeline and the delivery proof", async () => {
    const code = seeded.codes[2] as string;
    const c = created.get(code) as { reference: string; waybill: string };
    server.deps.postalSandbox?.deliver(c.waybill, "Vũ Đức Cường");
    await settle(server);
    expect((await deliveryOf(code)).status).toBe("delivered");

    const page = await signIn(OFFICIAL);
    await page.goto(`${server.url}/console/ho-so/${encodeURIComponent(code)}`);
    const panel = page.locator("section", { has: page.getByRole("heading", { name: "Bưu chính công ích" }) });
    const order = panel.locator(`article[data-reference="${c.reference}"]`);
    await order.getByText(c.waybill).waitFor();
    for (const text of [
      "Đã giao kết quả",
      "Bưu điện đã nhận kết quả từ cơ quan",
      "Kết quả đang được chuyển phát",
      "Bằng chứng giao",
      "Người nhận: Vũ Đức Cường",
    ]) {
      await order.getByText(text, { exact: false }).first().waitFor();
    }
    // The dossier followed: "Đã trả kết quả".
    await page.getByRole("heading", { name: `Hồ sơ ${code}` }).waitFor();
    await page.locator(".page-header .chip").getByText("Đã trả kết quả").waitFor();
    await shot(page, "08-ho-so");
    // An attachment opened and saved from the same page (a blob kept, not fetched again from its blob: URL).
    await page.locator(".attachment button").first().click();
    const [saved] = await Promise.all([
      page.waitForEvent("download"),
      page.locator(".viewer").getByRole("button", { name: "Tải về" }).click(),
    ]);
    expect(
      fs
        .readFileSync(await saved.path())
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
    await page.locator(".viewer").getByRole("button", { name: "Đóng" }).click();

    // The first dossier: its pick-up and its delivery; the pick-up is cancelled from here.
    const first = seeded.codes[0] as string;
    await page.goto(`${server.url}/console/ho-so/${encodeURIComponent(first)}`);
    await panel.getByRole("heading", { name: "Bưu điện đến lấy hồ sơ gốc" }).waitFor();
    await panel.getByRole("heading", { name: "Nhận kết quả qua bưu điện" }).waitFor();
    const pickup = (await orders("all")).find((o) => o.dossierCode === first && o.kind === "pickup");
    await panel
      .locator(`article[data-reference="${pickup?.reference}"]`)
      .getByRole("button", { name: /^Hủy đơn/ })
      .click();
    const dialog = page.getByRole("dialog", { name: `Hủy đơn ${pickup?.reference}?` });
    await dialog.getByText("bưu điện sẽ không đến lấy hồ sơ gốc", { exact: false }).waitFor();
    await dialog.getByRole("button", { name: "Hủy đơn" }).click();
    await panel.getByText(`Đã gửi yêu cầu hủy đơn ${pickup?.reference}`, { exact: false }).waitFor();
    await settle(server);
    await expect
      .poll(async () => (await orders("all")).find((o) => o.reference === pickup?.reference)?.status)
      .toBe("cancelled");
    await page.reload();
    await panel
      .locator(`article[data-reference="${pickup?.reference}"]`)
      .getByText("Đã hủy yêu cầu lấy hồ sơ")
      .first()
      .waitFor();
    await page.context().close();
  });

  it("when the administrator edits a unit's sender details with mistakes, then each field says why; corrected, they are saved", async () => {
    const page = await signIn(ADMIN);
    await page.getByRole("link", { name: "Quản trị" }).click();
    await page.getByRole("navigation", { name: "Mục quản trị" }).getByRole("link", { name: "Bưu chính" }).click();
    await page.getByRole("heading", { name: "Thông tin gửi bưu điện của đơn vị" }).waitFor();
    const row = page.locator(`tr[data-unit="${COMMUNE}"]`);
    await row.getByRole("button", { name: /^Sửa thông tin gửi bưu điện/ }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Tên đơn vị gửi (in trên nhãn)").fill("");
    await dialog.getByLabel("Điện thoại").fill("12");
    await dialog.getByLabel("Thu gom hồ sơ").fill("hai mươi nghìn");
    await dialog.getByLabel("Phí thu hộ").fill("20.000.000");
    await dialog.getByRole("button", { name: "Lưu" }).click();
    await dialog.getByText("Cần nhập tên đơn vị gửi").waitFor();
    await dialog.getByText("Số điện thoại của đơn vị không hợp lệ").waitFor();
    await dialog.getByText("Nhập số tiền bằng chữ số, VD 20.000").waitFor();
    await dialog.getByText("Tối đa 10.000.000 đ").waitFor();
    await shot(page, "09-quan-tri-loi", "screen");

    await dialog.getByLabel("Tên đơn vị gửi (in trên nhãn)").fill("Bộ phận một cửa phường Hà Tu");
    await dialog.getByLabel("Điện thoại").fill("0203 3835 123");
    await dialog.getByLabel("Xã, phường, đặc khu").selectOption(COMMUNE);
    await dialog.getByLabel("Địa chỉ (số nhà, đường, tổ)").fill("Tổ 1, khu 2");
    await dialog.getByLabel("Mã khách hàng của bưu điện").fill("QN-HATU-01");
    await dialog.getByLabel("Thu gom hồ sơ").fill("20.000");
    await dialog.getByLabel("Chuyển phát kết quả").fill("25000");
    await dialog.getByLabel("Phí thu hộ").fill("5.000");
    await dialog.getByText("công dân trả 30.000 đ", { exact: false }).waitFor();
    await dialog.getByRole("button", { name: "Lưu" }).click();
    await page.getByText("Đã lưu thông tin gửi bưu điện của", { exact: false }).waitFor();
    await row.getByText("QN-HATU-01").waitFor();
    await row.getByText("20.000 đ · 25.000 đ · 5.000 đ").waitFor();
    const saved = await call(server, "GET", "/api/admin/postal/senders", { token: await token(ADMIN) });
    expect(saved.body.find((u: { unitCode: string }) => u.unitCode === COMMUNE).sender).toEqual({
      name: "Bộ phận một cửa phường Hà Tu",
      phone: "0203 3835 123",
      address: { communeCode: COMMUNE, street: "Tổ 1, khu 2" },
      customerCode: "QN-HATU-01",
      tariff: { pickup: 20000, delivery: 25000, cod: 5000 },
    });

    // The waybill pool: a bad number is named; without it, the numbers are added.
    const pool = page.getByLabel("Số vận đơn (mỗi dòng một số)");
    await pool.fill("eb100000001vn\nEB100000002VN\nEB-12");
    await page.getByText("Không phải số vận đơn", { exact: false }).getByText("EB-12", { exact: false }).waitFor();
    await pool.fill("eb100000001vn\nEB100000002VN\nEB100000002VN");
    await page.getByText("2 số hợp lệ, 1 số lặp lại được bỏ qua.").waitFor();
    await page.getByRole("button", { name: "Thêm vào kho (2 số)" }).click();
    await page.getByText("Đã thêm 2 số vận đơn mới", { exact: false }).waitFor();
    await page.context().close();
  });

  it("when the pages are opened on a narrow screen, then nothing scrolls sideways", async () => {
    const page = await signIn(OFFICIAL, NARROW);
    await page.goto(`${server.url}/console/buu-chinh/can-xu-ly`);
    await page.getByRole("heading", { name: /Giao không thành công, chuyển hoàn/ }).waitFor();
    await shot(page, "10-can-xu-ly-390");
    await page.goto(`${server.url}/console/buu-chinh/dang-van-chuyen`);
    await page.getByRole("heading", { name: "Đơn đang thực hiện" }).waitFor();
    await page.locator("tr[data-reference]").first().waitFor();
    await shot(page, "11-dang-van-chuyen-390");
    await page.goto(`${server.url}/console/ho-so/${encodeURIComponent(seeded.codes[2] as string)}`);
    await page.getByRole("heading", { name: "Bưu chính công ích" }).waitFor();
    await page.getByText("Bằng chứng giao").waitFor();
    await shot(page, "12-ho-so-390");
    await shot(
      page,
      "12b-ho-so-buu-chinh-390",
      page.locator("section", { has: page.getByRole("heading", { name: "Bưu chính công ích" }) }),
    );
    await page.context().close();

    const admin = await signIn(ADMIN, NARROW);
    await admin.goto(`${server.url}/console/quan-tri/buu-chinh`);
    await admin.locator(`tr[data-unit="${COMMUNE}"]`).getByRole("button", { name: /^Sửa/ }).click();
    await admin.getByRole("dialog").getByLabel("Điện thoại").fill("x");
    await admin.getByRole("dialog").getByRole("button", { name: "Lưu" }).click();
    await admin.getByRole("dialog").getByText("Số điện thoại của đơn vị không hợp lệ").waitFor();
    await shot(admin, "13-quan-tri-390", "screen");
    await admin.context().close();
  });
});
