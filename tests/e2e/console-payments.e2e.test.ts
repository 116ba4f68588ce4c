import fs from "node:fs";
import path from "node:path";
import { DossierPayments, formatVnd } from "@qn/shared";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen } from "../helpers/api";
import { launchChromium } from "../helpers/browser";
import { buildConsole } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { fileWithFees, payments, paySandbox } from "../payments/helpers";

/**
 * The officials' side of online payment (issue 14) in the console, in Chromium: the day's ledger and its
 * reconciliation, what waits for an official (a refund after a withdrawal, a payment made twice), a dossier's fees with
 * its exemption checked, and a request for payment in two lines that the citizen then pays.
 */
const SCREENS = path.join(ROOT, "test-results", "screens");
/** A laptop's screen, as the brief of the console sets it. */
const DESKTOP = { viewport: { width: 1366, height: 768 }, locale: "vi-VN", acceptDownloads: true };
/** The browser's text at 130 %: every rem and the body's 15 px grow by 30 %. */
const LARGE_TEXT = "html { font-size: 130% !important; } body { font-size: 19.5px !important; }";
const PASSWORD = "mat-khau-that-dai-123";
/** Cấp Giấy xác nhận tình trạng hôn nhân: level 4, its lệ phí has no figure in the catalogue (the unit asks). */
const VARIABLE_FEE = "1.004873";

let server: TestServer;
let browser: Browser;
const tokens: Record<string, string> = {};
const seeded: {
  paid: { code: string; reference: string };
  refund: { code: string; reference: string };
  twice: { code: string };
  exempt: { code: string };
  variable: { code: string };
} = {} as never;

async function startPayment(token: string, code: string): Promise<string> {
  const res = await call(server, "POST", `/api/dossiers/${code}/payments`, { token, json: { method: "sandbox" } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.attempt.reference as string;
}

async function settle(reference: string, choice: "success" | "failure"): Promise<void> {
  const res = await fetch(`${server.url}/payments/sandbox/${reference}/${choice}`, {
    method: "POST",
    redirect: "manual",
  });
  expect(res.status).toBe(303);
}

async function officialToken(): Promise<string> {
  const res = await call(server, "POST", "/api/officials/login", {
    json: { username: "mot.cua.hatu", password: PASSWORD },
  });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const consoleDist = await buildConsole();
  server = await startTestServer({ consoleDist });
  browser = await launchChromium();
  await server.deps.auth.createOfficial({
    username: "mot.cua.hatu",
    name: "Trần Thị Hà",
    role: "hcc",
    unitCode: "06652",
    password: PASSWORD,
  });
  for (const [key, name] of [
    ["an", "Nguyễn Văn An"],
    ["binh", "Hoàng Thị Bình"],
    ["cuong", "Vũ Đức Cường"],
    ["dung", "Phạm Thị Dung"],
    ["em", "Lê Minh Em"],
  ] as const) {
    tokens[key] = await citizen(server, `zalo-pay-console-${key}`, name);
  }
  // Two copies paid at filing (16.000 đ), through the sandbox's page.
  const paid = await fileWithFees(server, tokens.an as string, { copies: 2 });
  seeded.paid = {
    code: paid.code,
    reference: (await paySandbox(server, tokens.an as string, paid.code, "success")).reference,
  };
  // Paid, then withdrawn: the money is owed back.
  const refund = await fileWithFees(server, tokens.binh as string, { copies: 1 });
  seeded.refund = {
    code: refund.code,
    reference: (await paySandbox(server, tokens.binh as string, refund.code, "success")).reference,
  };
  const withdrawn = await call(server, "POST", `/api/dossiers/${refund.code}/withdraw`, {
    token: tokens.binh,
    json: { reason: "Nộp nhầm thủ tục" },
  });
  expect(withdrawn.status).toBe(200);
  // Two payment pages open at once, both paid: the second is flagged and owed back.
  const twice = await fileWithFees(server, tokens.cuong as string, { copies: 1 });
  const first = await startPayment(tokens.cuong as string, twice.code);
  const second = await startPayment(tokens.cuong as string, twice.code);
  await settle(first, "success");
  await settle(second, "success");
  seeded.twice = { code: twice.code };
  // An exemption claimed: nothing to pay until an official checks it.
  const exempt = await fileWithFees(server, tokens.dung as string, {
    copies: 1,
    exemption: { index: 0, reason: "Gia đình thuộc hộ nghèo, sổ hộ nghèo năm 2026" },
  });
  seeded.exempt = { code: exempt.code };
  // A fee the unit works out: accepted, then asked for in the console.
  const variable = await fileWithFees(server, tokens.em as string, { code: VARIABLE_FEE, copies: 1 });
  expect(variable.feesDue ?? 0).toBe(0);
  const accepted = await call(server, "POST", `/api/officials/dossiers/${variable.code}/actions`, {
    token: await officialToken(),
    json: { action: "accept" },
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  seeded.variable = { code: variable.code };
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(): Promise<Page> {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.url}/console/`);
  await page.getByLabel("Tên đăng nhập").fill("mot.cua.hatu");
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
  return page;
}

/** A screenshot at the desktop size, then one at 130 % text; neither may push the page sideways. */
async function shots(page: Page, name: string): Promise<void> {
  // How far the page scrolls sideways, and the elements that stick out past its right edge.
  const sideways = () =>
    page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out = Array.from(document.querySelectorAll("body *"))
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? "").slice(0, 40)}`)
        .slice(0, 5);
      return { by: document.documentElement.scrollWidth - width, out };
    });
  const normal = await sideways();
  expect(normal.by, `${name}: the page scrolls sideways (${normal.out.join(" | ")})`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(SCREENS, `console-payments-${name}.png`), fullPage: true });
  const style = await page.addStyleTag({ content: LARGE_TEXT });
  const large = await sideways();
  await page.screenshot({ path: path.join(SCREENS, `console-payments-${name}-130.png`), fullPage: true });
  expect(large.by, `${name} at 130 %: the page scrolls sideways (${large.out.join(" | ")})`).toBeLessThanOrEqual(0);
  await style.evaluate((node) => (node as Element).remove());
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const saved = path.join(SCREENS, "..", `console-payments-${download.suggestedFilename()}`);
  await download.saveAs(saved);
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(saved) };
}

describe("online payment in the officials' console, end to end in Chromium", () => {
  it("when the citizen has paid through the sandbox, then the official sees it in the day's ledger and downloads the reconciliation", async () => {
    const token = await officialToken();
    const api = await call(server, "GET", "/api/officials/payments", { token });
    expect(api.status).toBe(200);
    const entry = api.body.items.find((i: { reference: string }) => i.reference === seeded.paid.reference);
    expect(entry).toMatchObject({ status: "paid", amount: 16000 });

    const page = await signIn();
    await page.getByRole("link", { name: /Thu phí trực tuyến/ }).click();
    await page.getByRole("heading", { name: "Thu phí trực tuyến" }).waitFor();
    const row = page.locator(`tr[data-reference="${seeded.paid.reference}"]`);
    await row.waitFor();
    await row.getByRole("link", { name: seeded.paid.code }).waitFor();
    for (const text of [formatVnd(16000), "Thành công", "Nguyễn Văn An", entry.transactionId, "Thử nghiệm"]) {
      await row.getByText(text, { exact: false }).first().waitFor();
    }
    await row.getByRole("button", { name: `Tải biên lai ${entry.receiptNumber} (PDF)` }).waitFor();
    // The day's takings are the server's total.
    await expect.poll(() => page.locator('[data-field="day-total"]').textContent()).toBe(formatVnd(api.body.total));
    await shots(page, "01-so-thu");

    const book = await downloaded(page, () => page.getByRole("button", { name: "Tải bảng đối soát (XLSX)" }).click());
    expect(book.name).toMatch(/^doi-soat-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(book.bytes.subarray(0, 2).toString()).toBe("PK");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(book.bytes as unknown as ArrayBuffer);
    const references: string[] = [];
    workbook.worksheets[0]?.eachRow((r) => references.push(String(r.getCell(1).value)));
    expect(references).toContain(seeded.paid.reference);

    // A filter that matches nothing says so, and clearing it brings the row back.
    await page.getByLabel("Trạng thái").selectOption("abandoned");
    await page.getByText(/Không có lần thanh toán nào trong ngày .* khớp bộ lọc\./).waitFor();
    await page.getByLabel("Trạng thái").selectOption("");
    await row.waitFor();

    // The receipt of a paid row is a PDF.
    const receipt = await downloaded(page, () =>
      row.getByRole("button", { name: `Tải biên lai ${entry.receiptNumber} (PDF)` }).click(),
    );
    expect(receipt.bytes.subarray(0, 5).toString()).toBe("%PDF-");
    await page.context().close();
  });

  it("when a paid dossier was withdrawn and another paid twice, then the official records the refund and resolves the flag", async () => {
    const page = await signIn();
    await page.goto(`${server.url}/console/thu-phi`);
    const refunds = page.getByRole("list", { name: "Khoản cần hoàn tiền" });
    const item = refunds.getByRole("listitem").filter({ hasText: seeded.refund.code });
    await item.getByText("Hồ sơ đã rút sau khi thanh toán").waitFor();
    // The payer is the dossier's applicant (the filing helper's, Nguyễn Văn An).
    await item.getByText(`Hoàn ${formatVnd(8000)} cho Nguyễn Văn An`).waitFor();
    // The paid-twice refund waits too, beside its flag.
    await refunds.getByRole("listitem").filter({ hasText: seeded.twice.code }).waitFor();
    const flags = page.getByRole("list", { name: "Cảnh báo thanh toán" });
    const flag = flags.getByRole("listitem").filter({ hasText: seeded.twice.code });
    await flag.getByText("Khoản phí được thanh toán hai lần").waitFor();
    await shots(page, "02-can-xu-ly");

    // No note: it says what is missing instead of sending.
    await item.getByRole("button", { name: "Đã hoàn tiền" }).click();
    await item.getByText("Cần ghi cách đã hoàn tiền.").waitFor();
    await item.getByLabel("Cách đã hoàn tiền").fill("Đã chuyển khoản hoàn lại 8.000 đ vào tài khoản người nộp");
    await item.getByRole("button", { name: "Đã hoàn tiền" }).click();
    await page.getByText(`Đã ghi nhận hoàn tiền cho hồ sơ ${seeded.refund.code}.`).waitFor();
    await expect.poll(() => refunds.getByRole("listitem").filter({ hasText: seeded.refund.code }).count()).toBe(0);

    await flag.getByLabel("Cách đã xử lý").fill("Đối chiếu với cổng: giao dịch trùng, hoàn tiền theo mục hoàn tiền");
    await flag.getByRole("button", { name: "Đã xử lý" }).click();
    await page.getByText("Đã xử lý cảnh báo: Khoản phí được thanh toán hai lần.").waitFor();
    await page.getByText("Cảnh báo đã xử lý (1)").waitFor();

    const token = await officialToken();
    const due = await call(server, "GET", "/api/officials/payments?refundDue=true", { token });
    expect(due.body.items.map((i: { dossierCode: string }) => i.dossierCode)).toEqual([seeded.twice.code]);
    const recorded = await server.deps.db
      .selectFrom("payment_refunds")
      .select(["done_at", "note"])
      .where("dossier_code", "=", seeded.refund.code)
      .executeTakeFirstOrThrow();
    expect(recorded.done_at).not.toBeNull();
    expect(recorded.note).toBe("Đã chuyển khoản hoàn lại 8.000 đ vào tài khoản người nộp");
    const open = await call(server, "GET", "/api/officials/payments/flags", { token });
    expect(open.body.items.filter((f: { resolvedAt: string | null }) => !f.resolvedAt)).toEqual([]);
    // Recorded already (another tab): the console says so and reads the list again.
    const again = await call(server, "POST", `/api/officials/payments/refunds/${due.body.items[0].refund.id}/done`, {
      token,
      json: { note: "Hoàn lại khoản thanh toán trùng" },
    });
    expect(again.status).toBe(204);
    const twice = page.getByRole("list", { name: "Khoản cần hoàn tiền" }).getByRole("listitem");
    await twice.getByLabel("Cách đã hoàn tiền").fill("Lần nữa");
    await twice.getByRole("button", { name: "Đã hoàn tiền" }).click();
    await page.getByText(/Khoản hoàn tiền này đã được ghi nhận trước đó\. Danh sách đã được cập nhật\./).waitFor();
    await page.getByText("Không có cảnh báo thanh toán hay khoản hoàn tiền nào đang chờ.").waitFor();
    await page.context().close();
  });

  it("when a dossier has paid fees and another claims an exemption, then the panel shows the timeline and the official checks the claim", async () => {
    const page = await signIn();
    await page.goto(`${server.url}/console/ho-so/${seeded.paid.code}`);
    const panel = page.getByRole("region", { name: "Phí, lệ phí" });
    await panel.getByText("Khoản thu khi nộp hồ sơ").waitFor();
    await panel.getByText("Đã thanh toán trực tuyến").waitFor();
    await panel.getByRole("cell", { name: "Phí cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh" }).waitFor();
    await panel.getByText(seeded.paid.reference).waitFor();
    const receipt = await downloaded(page, () => panel.getByRole("button", { name: /^Tải biên lai BL/ }).click());
    expect(receipt.bytes.subarray(0, 5).toString()).toBe("%PDF-");
    await shots(page, "03-ho-so-da-nop");

    await page.goto(`${server.url}/console/ho-so/${seeded.exempt.code}`);
    const claim = page.getByRole("region", { name: "Đề nghị miễn phí, lệ phí" });
    await claim.getByText("Gia đình thuộc hộ nghèo, sổ hộ nghèo năm 2026").waitFor();
    await claim.getByText("Chưa kiểm tra").waitFor();
    await shots(page, "04-de-nghi-mien");
    await claim.getByLabel("Ghi chú kiểm tra (không bắt buộc)").fill("Đã đối chiếu sổ hộ nghèo năm 2026");
    await claim.getByRole("button", { name: "Chấp nhận miễn" }).click();
    await claim.getByText("Đã chấp nhận miễn").waitFor();
    await claim.getByText(/Trần Thị Hà, \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/).waitFor();
    const seen = await payments(server, tokens.dung as string, seeded.exempt.code);
    expect(seen.exemption?.check).toMatchObject({
      accepted: true,
      by: "Trần Thị Hà",
      note: "Đã đối chiếu sổ hộ nghèo năm 2026",
    });
    expect(seen.payable).toBeNull();
    await page.context().close();
  });

  it("when the official requests a payment in two lines, then the citizen sees them payable and, paid, the dossier moves on", async () => {
    const page = await signIn();
    await page.goto(`${server.url}/console/ho-so/${seeded.variable.code}`);
    await page
      .getByRole("region", { name: "Phí, lệ phí" })
      .getByText(/chưa có khoản phí/)
      .waitFor();
    await page.getByRole("button", { name: "Yêu cầu thực hiện nghĩa vụ tài chính" }).click();
    const dialog = page.getByRole("dialog");
    // Prefilled from the catalogue: its lệ phí, without a figure, for the official to fill.
    await expect
      .poll(() => dialog.getByLabel("Tên khoản 1").inputValue())
      .toBe("Lệ phí cấp Giấy xác nhận tình trạng hôn nhân");
    expect(await dialog.getByLabel("Loại khoản 1").inputValue()).toBe("le-phi");
    await dialog.getByText(/Danh mục chưa ghi mức thu/).waitFor();
    await dialog.getByRole("button", { name: "Xác nhận" }).click();
    await dialog.getByText("Cần nhập số tiền.").waitFor();
    await dialog.getByLabel("Đơn giá khoản 1").fill("15.000");
    await dialog.getByRole("button", { name: "+ Thêm khoản" }).click();
    await dialog.getByLabel("Tên khoản 2").fill("Phí cấp bản sao trích lục");
    await dialog.getByLabel("Loại khoản 2").selectOption("phi");
    await dialog.getByLabel("Số lượng khoản 2").fill("2");
    await dialog.getByLabel("Đơn giá khoản 2").fill("5000");
    await expect.poll(() => dialog.locator('[data-field="total"]').textContent()).toBe(formatVnd(25000));
    await dialog.getByLabel(/Ghi chú/).fill("Lệ phí theo Nghị quyết của HĐND tỉnh");
    await shots(page, "05-yeu-cau-nop-phi");
    await dialog.getByRole("button", { name: "Xác nhận" }).click();
    await page.getByText("Đã thực hiện: Yêu cầu thực hiện nghĩa vụ tài chính.").waitFor();
    const panel = page.getByRole("region", { name: "Phí, lệ phí" });
    await panel.getByText("Khoản thu theo yêu cầu của cán bộ").waitFor();
    await panel.getByText("Chưa thanh toán", { exact: true }).waitFor();

    // The citizen's side, over the API: the two lines, payable now.
    const due = await payments(server, tokens.em as string, seeded.variable.code);
    expect(due.payable).toMatchObject({ amount: 25000 });
    const charge = due.charges.find((c) => c.id === due.payable?.chargeId);
    expect(charge?.lines).toEqual([
      { index: 0, name: "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", kind: "le-phi", quantity: 1, amount: 15000 },
      { index: null, name: "Phí cấp bản sao trích lục", kind: "phi", quantity: 2, amount: 10000 },
    ]);
    const view = await call(server, "GET", `/api/dossiers/${seeded.variable.code}`, { token: tokens.em });
    expect(view.body).toMatchObject({ state: 6, feesDue: 25000 });

    await paySandbox(server, tokens.em as string, seeded.variable.code, "success");
    expect((await call(server, "GET", `/api/dossiers/${seeded.variable.code}`, { token: tokens.em })).body.state).toBe(
      4,
    );
    await page.reload();
    await panel.getByText("Đã thanh toán trực tuyến").waitFor();
    DossierPayments.parse(await payments(server, tokens.em as string, seeded.variable.code));
    await shots(page, "06-da-nop-theo-yeu-cau");
    await page.context().close();
  });
});
