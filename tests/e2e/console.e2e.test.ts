import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, procedure, requiredFiles, submission } from "../helpers/api";
import { launchChromium } from "../helpers/browser";
import { png } from "../helpers/files";
import { buildConsole } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { citizenWrites } from "../helpers/webhook";

/** Screenshots of the console's screens, kept as test artifacts to look at. */
const SCREENS = path.join(ROOT, "test-results", "screens");
const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: "vi-VN", acceptDownloads: true };
const PASSWORD = "mat-khau-that-dai-123";

let server: TestServer;
let browser: Browser;
const filed: string[] = [];

async function account(
  username: string,
  role: "official" | "hcc" | "volunteer" | "admin",
  unitCode: string,
  name: string,
) {
  await server.deps.auth.createOfficial({ username, name, role, unitCode, password: PASSWORD });
}

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const consoleDist = await buildConsole();
  server = await startTestServer({ consoleDist });
  browser = await launchChromium();
  await account("mot.cua.hatu", "hcc", "06652", "Trần Thị Hà");
  await account("can.bo.hatu", "official", "06652", "Lê Văn Minh");
  await account("mot.cua.baichay", "hcc", "06673", "Phạm Thu Trang");
  await account("quan.tri", "admin", "22", "Nguyễn Quản Trị");
  await account("trung.tam", "hcc", "22", "Đỗ Văn Tỉnh");

  // Three citizens file a birth registration online at phường Hà Tu (06652), each with photos of their papers.
  const birth = await procedure(server, "1.001193");
  for (const [i, name] of ["Nguyễn Văn An", "Hoàng Thị Bình", "Vũ Đức Cường"].entries()) {
    const token = await citizen(server, `zalo-console-${i}`, name);
    const res = await file(
      server,
      token,
      submission({ applicant: { ...submission().applicant, name } }),
      requiredFiles(birth, () => png(300)),
    );
    expect(res.status).toBe(201);
    filed.push(res.body.code);
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(username: string, password = PASSWORD): Promise<Page> {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.url}/console/`);
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  if (password === PASSWORD) await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
  return page;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENS, `console-${name}.png`), fullPage: true });
}

describe("the officials' console, end to end in Chromium", () => {
  it("when an officer signs in with a wrong password, then a Vietnamese error shows and the right one lets them in", async () => {
    const page = await signIn("mot.cua.hatu", "sai-mat-khau-roi");
    await page
      .getByRole("alert")
      .filter({ hasText: /không đúng/ })
      .waitFor();
    await shot(page, "01-dang-nhap-sai");
    await page.getByLabel("Mật khẩu").fill(PASSWORD);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByRole("heading", { name: "Hồ sơ", exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "Quản trị" }).count()).toBe(0);
    await page.context().close();
  });

  it("when the one-stop officer accepts a dossier and asks for a document, then the citizen's dossier moves", async () => {
    const page = await signIn("mot.cua.hatu");
    const code = filed[0] as string;
    await page.getByRole("link", { name: code }).waitFor();
    await shot(page, "02-ho-so");
    await page.getByRole("link", { name: code }).click();
    await page.getByRole("heading", { name: `Hồ sơ ${code}` }).waitFor();
    // The attachments are shown inline: real images, decoded.
    const image = page.locator(".attachment img").first();
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await shot(page, "03-chi-tiet-ho-so");

    await page.getByRole("button", { name: "Tiếp nhận hồ sơ" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Xác nhận" }).click();
    await page.getByText("Đã thực hiện: Tiếp nhận hồ sơ.").waitFor();
    await expect.poll(() => page.locator(".page-header .chip").textContent()).toBe("Được tiếp nhận");

    await page.getByRole("button", { name: "Yêu cầu bổ sung giấy tờ" }).click();
    const dialog = page.getByRole("dialog");
    // Nothing chosen: the dialog says what is missing instead of sending.
    await dialog.getByRole("button", { name: "Xác nhận" }).click();
    await dialog.getByText("Chọn hoặc ghi ít nhất một giấy tờ cần bổ sung.").waitFor();
    await dialog.getByRole("checkbox").first().check();
    await dialog.getByLabel(/Giấy tờ khác/).fill("Ảnh CCCD của mẹ rõ nét hơn");
    await dialog.getByLabel(/Ghi chú/).fill("Ảnh giấy chứng sinh bị mờ");
    await shot(page, "04-yeu-cau-bo-sung");
    await dialog.getByRole("button", { name: "Xác nhận" }).click();
    await page.getByText("Đã thực hiện: Yêu cầu bổ sung giấy tờ.").waitFor();

    const lookup = await call(server, "GET", `/api/lookup/${code}`);
    expect(lookup.body.state).toBe(5);
    const row = await server.deps.db
      .selectFrom("dossiers")
      .select("missing_documents")
      .where("code", "=", code)
      .executeTakeFirstOrThrow();
    const missing = JSON.parse(row.missing_documents) as string[];
    expect(missing).toHaveLength(2);
    expect(missing).toContain("Ảnh CCCD của mẹ rõ nét hơn");
    await page.context().close();
  });

  it("when the officer selects several new dossiers, then they are accepted together and each outcome is told", async () => {
    const page = await signIn("mot.cua.hatu");
    await page.getByLabel("Trạng thái").selectOption("1");
    for (const code of filed.slice(1)) await page.getByLabel(`Chọn hồ sơ ${code}`).check();
    await page.getByRole("region", { name: "Thao tác hàng loạt" }).waitFor();
    await shot(page, "05-chon-nhieu");
    await page.getByRole("button", { name: /Tiếp nhận các hồ sơ đã chọn \(2\)/ }).click();
    await page.getByText("Đã thực hiện 2/2 hồ sơ.").waitFor();
    for (const code of filed.slice(1)) {
      expect((await call(server, "GET", `/api/lookup/${code}`)).body.state).toBe(2);
    }
    await page.context().close();
  });

  it("when an officer of another commune opens the dossier's address, then it is not shown", async () => {
    const page = await signIn("mot.cua.baichay");
    await page.getByRole("heading", { name: "Hồ sơ", exact: true }).waitFor();
    expect(await page.getByRole("link", { name: filed[0] as string }).count()).toBe(0);
    await page.goto(`${server.url}/console/ho-so/${filed[0]}`);
    await page.getByRole("alert").filter({ hasText: "Không tìm thấy hồ sơ" }).waitFor();
    await page.context().close();
  });

  it("when an officer marks a dossier as spam, then it leaves the list, the spam filter shows it, and the mark can be cleared", async () => {
    const page = await signIn("can.bo.hatu");
    const code = filed[2] as string;
    await page.goto(`${server.url}/console/ho-so/${code}`);
    await page.getByRole("heading", { name: `Hồ sơ ${code}` }).waitFor();
    await page.getByText("Hồ sơ rác?").click();
    await page.getByLabel("Lý do (không bắt buộc)").fill("Nộp hàng loạt");
    await page.getByRole("button", { name: "Đánh dấu hồ sơ rác" }).click();
    await page.getByText("Đã đánh dấu hồ sơ rác.").waitFor();
    await page.getByText(/do Lê Văn Minh đánh dấu lúc .*: Nộp hàng loạt/).waitFor();
    await shot(page, "05b-ho-so-rac");
    await page.getByRole("link", { name: "Danh sách hồ sơ" }).click();
    await page.getByRole("link", { name: filed[1] as string }).waitFor();
    expect(await page.getByRole("link", { name: code }).count()).toBe(0);
    await page.getByLabel("Chỉ hồ sơ rác").check();
    await page.getByRole("link", { name: code }).click();
    await page.getByRole("button", { name: "Bỏ đánh dấu hồ sơ rác" }).click();
    await page.getByText("Đã bỏ đánh dấu hồ sơ rác.").waitFor();
    await page.context().close();
  });

  it("when one officer writes an announcement and another approves it, then it goes out and its progress shows", async () => {
    const author = await signIn("mot.cua.hatu");
    await author.getByRole("link", { name: "Thông báo" }).click();
    await author.getByRole("link", { name: "Soạn thông báo" }).click();
    await author.getByLabel("Tiêu đề").fill("Lịch");
    await author.getByRole("button", { name: "Lưu bản nháp" }).click();
    await author.locator(".field--error", { hasText: "Tiêu đề" }).getByText("Tối thiểu 5 ký tự").waitFor();
    await author.getByLabel("Tiêu đề").fill("Lịch làm việc dịp Tết Dương lịch 2027");
    await author
      .getByRole("textbox", { name: /^Nội dung/ })
      .fill("Bộ phận một cửa phường Hà Tu nghỉ ngày 01/01/2027 và làm việc bình thường từ ngày 04/01/2027.");
    // A commune's officer writes to their own commune's subscribers; everyone and topics are the province's.
    expect(await author.getByLabel("Tất cả người quan tâm OA").isDisabled()).toBe(true);
    expect(await author.getByLabel("Theo xã, phường").isChecked()).toBe(true);
    await author.getByRole("button", { name: "Lưu bản nháp" }).click();
    await author.getByText("Đã lưu bản nháp.").waitFor();
    await author
      .locator(".zalo-card")
      .getByText(/Bộ phận một cửa phường Hà Tu/)
      .waitFor();
    await shot(author, "06-soan-thong-bao");
    await author.getByRole("button", { name: "Gửi duyệt" }).click();
    await author.getByText("Chờ một cán bộ khác của đơn vị hoặc cán bộ cấp tỉnh phê duyệt").waitFor();
    const id = author.url().split("/").at(-1);
    await author.context().close();

    const approver = await signIn("can.bo.hatu");
    await approver.goto(`${server.url}/console/thong-bao/${id}`);
    await approver.getByRole("button", { name: "Phê duyệt" }).click();
    await approver.getByText("Đã phê duyệt.").waitFor();
    // Every step is in its history, with who did it.
    await approver
      .getByRole("region", { name: "Lịch sử thay đổi" })
      .getByText(/Trần Thị Hà · Soạn/)
      .waitFor();
    await approver
      .getByRole("region", { name: "Lịch sử thay đổi" })
      .getByText(/Lê Văn Minh · Phê duyệt/)
      .waitFor();
    await approver.getByRole("button", { name: "Gửi ngay" }).click();
    await approver.getByRole("progressbar").waitFor();
    await server.deps.announcements.idle();
    await approver.reload();
    await approver.locator(".chip", { hasText: "Đã gửi xong" }).waitFor();
    await shot(approver, "07-thong-bao-da-gui");
    await approver.context().close();
  });

  it("when a citizen asks the chatbot for an official, then an officer answers through the OA and hands back", async () => {
    const userId = "zalo-user-hotro-1";
    await citizenWrites(server, userId, "cho tôi gặp cán bộ");
    await citizenWrites(server, userId, "Con tôi sinh ở nhà, làm giấy khai sinh cần giấy tờ gì ạ?");

    // Nothing says which commune the citizen is from: the province's desk has the thread, and routes it to Hà Tu.
    const commune = await signIn("mot.cua.hatu");
    await commune.getByRole("link", { name: "Hỗ trợ trực tuyến" }).click();
    await commune.getByRole("heading", { name: "Đang chờ cán bộ (0)" }).waitFor();
    await commune.context().close();
    const desk = await signIn("trung.tam");
    await desk.getByRole("link", { name: "Hỗ trợ trực tuyến" }).click();
    await desk.getByRole("heading", { name: "Đang chờ cán bộ (1)" }).waitFor();
    await desk.locator(".list-select button").first().click();
    await desk.getByText("Đơn vị phụ trách: Tỉnh Quảng Ninh").waitFor();
    await desk.getByLabel("Chuyển cho đơn vị").selectOption({ label: "Phường Hà Tu" });
    await desk.getByRole("button", { name: "Chuyển", exact: true }).click();
    await desk.getByText("Đã chuyển cuộc trò chuyện cho Phường Hà Tu.").waitFor();
    await desk.context().close();

    const page = await signIn("mot.cua.hatu");
    await page.getByRole("link", { name: "Hỗ trợ trực tuyến" }).click();
    await page.getByRole("heading", { name: "Đang chờ cán bộ (1)" }).waitFor();
    await page.locator(".list-select button").first().click();
    await page.getByText("Con tôi sinh ở nhà, làm giấy khai sinh cần giấy tờ gì ạ?").first().waitFor();
    // An empty reply is not sent.
    await page.getByRole("button", { name: "Gửi trả lời" }).click();
    await page.getByText("Nhập nội dung trả lời.").waitFor();
    const reply =
      "Chào bạn, trẻ sinh tại nhà cần văn bản của người làm chứng xác nhận việc sinh thay cho giấy chứng sinh.";
    await page.getByLabel("Trả lời qua Zalo OA").fill(reply);
    await page.getByRole("button", { name: "Gửi trả lời" }).click();
    // Offline (no Zalo credentials): the reply is recorded in the developer outbox and says so, never "sent".
    await page
      .locator(".bubble--out", { hasText: reply })
      .getByText(/Chế độ ngoại tuyến/)
      .waitFor();
    await shot(page, "10-ho-tro-truc-tuyen");
    const outbox = await server.deps.db
      .selectFrom("dev_outbox")
      .select("payload")
      .where("recipient", "=", userId)
      .execute();
    expect(outbox.some((o) => o.payload.includes("người làm chứng"))).toBe(true);

    await page.getByRole("button", { name: "Trả lại cho chatbot" }).click();
    await page.getByRole("heading", { name: "Đang chờ cán bộ (0)" }).waitFor();
    const zaloUser = await server.deps.db
      .selectFrom("zalo_users")
      .select("handoff_until")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    expect(zaloUser.handoff_until === null || zaloUser.handoff_until < new Date().toISOString()).toBe(true);
    await page.context().close();
  });

  it("when the province's centre reads the indicators, then the table matches the API and the XLSX export", async () => {
    const page = await signIn("trung.tam");
    await page.getByRole("link", { name: /Báo cáo/ }).click();
    await page.locator("#h-report", { hasText: "Toàn tỉnh Quảng Ninh" }).waitFor();
    await page.locator("canvas").first().waitFor();
    // Today is inside the reminder window (30 days before the 15th of the quarter's last month) or not: the banner
    // follows the server's answer.
    const due = await call(server, "GET", "/api/reports/due", {
      token: (
        await call(server, "POST", "/api/officials/login", { json: { username: "trung.tam", password: PASSWORD } })
      ).body.token,
    });
    if (due.body.showing) await page.getByLabel("Nhắc báo cáo quý").waitFor();
    await shot(page, "08-bao-cao");

    const login = await call(server, "POST", "/api/officials/login", {
      json: { username: "trung.tam", password: PASSWORD },
    });
    const period = await page.evaluate(() => document.querySelector("#h-report")?.textContent ?? "");
    const [from, to] = (period.match(/\d{2}\/\d{2}\/\d{4}/g) ?? []).map((d) => d.split("/").reverse().join("-"));
    const api = await call(server, "GET", `/api/reports/indicators?from=${from}&to=${to}&unit=all`, {
      token: login.body.token,
    });
    expect(api.status).toBe(200);
    for (const i of api.body.indicators as { no: number; numeratorValue: number; denominatorValue: number }[]) {
      const row = page.locator(`tr[data-indicator="${i.no}"]`);
      expect(await row.locator('[data-field="numerator"]').textContent()).toBe(
        i.numeratorValue.toLocaleString("vi-VN"),
      );
      expect(await row.locator('[data-field="denominator"]').textContent()).toBe(
        i.denominatorValue.toLocaleString("vi-VN"),
      );
    }
    // 3 dossiers were filed online at level 4 in this quarter: indicator 3 counts them all.
    expect(api.body.indicators[2]).toMatchObject({ numeratorValue: 3, denominatorValue: 3 });

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Xuất Excel (XLSX)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^bao-cao-chi-thi-07_all_.*\.xlsx$/);
    const saved = path.join(SCREENS, "..", download.suggestedFilename());
    await download.saveAs(saved);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(saved);
    const values: number[][] = [];
    book.getWorksheet("Báo cáo")?.eachRow((row) => {
      const no = row.getCell(1).value;
      if (typeof no === "number") values.push([no, Number(row.getCell(3).value), Number(row.getCell(5).value)]);
    });
    expect(values).toEqual(
      (api.body.indicators as { no: number; numeratorValue: number; denominatorValue: number }[]).map((i) => [
        i.no,
        i.numeratorValue,
        i.denominatorValue,
      ]),
    );
    await page.context().close();
  });

  it("when a commune's officer opens the reports, then only their unit is offered and they can send the quarter's report", async () => {
    const page = await signIn("can.bo.hatu");
    await page.getByRole("link", { name: /Báo cáo/ }).click();
    await page.locator("#h-report", { hasText: /phường Hà Tu/i }).waitFor();
    expect(await page.getByRole("combobox", { name: "Đơn vị", exact: true }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: /Gửi báo cáo quý/ }).click();
    await page.getByText(/Đơn vị đã gửi lúc/).waitFor();
    const sent = await server.deps.db
      .selectFrom("report_submissions")
      .selectAll()
      .where("unit_code", "=", "06652")
      .execute();
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]?.figures ?? "{}").indicators).toHaveLength(6);
    await shot(page, "09-bao-cao-xa");
    await page.context().close();
  });
});
