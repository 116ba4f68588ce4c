import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { procedure as fixture } from "../../bot-server/test/fixtures";
import { call } from "../helpers/api";
import { launchChromium } from "../helpers/browser";
import { buildConsole } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { startTestServer, type TestServer } from "../helpers/test-server";

/** Screenshots of the "Quản trị" screen's tabs, kept as test artifacts to look at. */
const SCREENS = path.join(ROOT, "test-results", "screens");
const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: "vi-VN" };
const PASSWORD = "mat-khau-that-dai-123";

let server: TestServer;
let browser: Browser;
let files: string;

async function account(
  username: string,
  role: "official" | "hcc" | "volunteer" | "admin",
  unitCode: string,
  name: string,
) {
  await server.deps.auth.createOfficial({ username, name, role, unitCode, password: PASSWORD });
}

async function apiLogin(username: string, password = PASSWORD) {
  return call(server, "POST", "/api/officials/login", { json: { username, password } });
}

async function adminToken(): Promise<string> {
  const res = await apiLogin("quan.tri");
  expect(res.status).toBe(200);
  return res.body.token as string;
}

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  files = fs.mkdtempSync(path.join(os.tmpdir(), "qn-console-admin-"));
  const consoleDist = await buildConsole();
  server = await startTestServer({
    consoleDist,
    // One kind configured on the server, as ZNS_TEMPLATES would: the screen shows where each template comes from.
    znsTemplates: { "dossier.accepted": { templateId: "111111", params: { ma_ho_so: "code" } } },
    // Three wrong passwords in a row on one account alert the administrators (the alert test below).
    loginAlertFailures: 3,
  });
  browser = await launchChromium();
  await account("quan.tri", "admin", "22", "Nguyễn Quản Trị");
  await account("can.bo.hatu", "official", "06652", "Lê Văn Minh");
  await account("mot.cua.hatu", "hcc", "06652", "Trần Thị Hà");
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (files) fs.rmSync(files, { recursive: true, force: true });
});

async function signIn(username: string): Promise<Page> {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.url}/console/`);
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
  return page;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENS, `console-admin-${name}.png`), fullPage: true });
}

function catalogueFile(name: string, content: unknown): string {
  const file = path.join(files, name);
  fs.writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

/** The first Tuesday of June next year: an ordinary working day, in no shipped holiday period. */
function ordinaryTuesday(): string {
  const year = new Date().getFullYear() + 1;
  const d = new Date(Date.UTC(year, 5, 1));
  while (d.getUTCDay() !== 2) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

describe("the console's administration screen, end to end in Chromium", () => {
  it("when the administrator creates an account with a short password, then the field says why; fixed, the new official can sign in", async () => {
    const page = await signIn("quan.tri");
    await page.getByRole("link", { name: "Quản trị" }).click();
    // /quan-tri opens the first tab.
    await page.waitForURL(/\/console\/quan-tri\/can-bo$/);
    await page.getByRole("row", { name: /can\.bo\.hatu/ }).waitFor();
    await shot(page, "01-can-bo");

    await page.getByRole("button", { name: "Thêm tài khoản" }).click();
    const dialog = page.getByRole("dialog", { name: "Thêm tài khoản cán bộ" });
    await dialog.getByLabel("Tên đăng nhập").fill("tiep.nhan.baichay");
    await dialog.getByLabel("Họ và tên").fill("Phạm Thị Lan");
    await dialog.getByLabel("Vai trò").selectOption("hcc");
    await dialog.getByLabel("Đơn vị công tác").selectOption("06673");
    await dialog.getByLabel("Mật khẩu ban đầu").fill("ngan123");
    await dialog.getByRole("button", { name: "Tạo tài khoản" }).click();
    await dialog.locator(".field--error", { hasText: "Mật khẩu ban đầu" }).getByText("Tối thiểu 10 ký tự").waitFor();
    await shot(page, "02-them-can-bo-loi");

    await dialog.getByLabel("Mật khẩu ban đầu").fill("mot-mat-khau-moi-2026");
    await dialog.getByRole("button", { name: "Tạo tài khoản" }).click();
    await page.getByText("Đã tạo tài khoản tiep.nhan.baichay (Phạm Thị Lan).").waitFor();
    const row = page.getByRole("row", { name: /tiep\.nhan\.baichay/ });
    await row.getByText("Cán bộ Trung tâm Phục vụ hành chính công").waitFor();
    await row.getByText("Đang hoạt động").waitFor();

    const login = await apiLogin("tiep.nhan.baichay", "mot-mat-khau-moi-2026");
    expect(login.status).toBe(200);
    expect(login.body.official).toMatchObject({ username: "tiep.nhan.baichay", role: "hcc", unitCode: "06673" });
    await page.context().close();
  });

  it("when an account collects wrong passwords, then the administrator sees an alert above the accounts and marks it seen", async () => {
    await account("bi.thu.mat.khau", "official", "22", "Đỗ Văn Khải");
    for (const guess of ["123456", "matkhau", "quangninh2026"]) {
      expect((await apiLogin("bi.thu.mat.khau", guess)).status).toBe(401);
    }
    const page = await signIn("quan.tri");
    await page.goto(`${server.url}/console/quan-tri/can-bo`);
    const panel = page.getByRole("region", { name: /Cảnh báo đăng nhập/ });
    await panel.getByText("Tài khoản bi.thu.mat.khau bị nhập sai mật khẩu 3 lần liên tiếp").waitFor();
    await page
      .getByRole("row", { name: /bi\.thu\.mat\.khau/ })
      .getByText("Nhập sai 3 lần")
      .waitFor();
    await shot(page, "canh-bao-dang-nhap");
    await panel.getByRole("button", { name: "Đã xem" }).click();
    await panel.waitFor({ state: "detached" });
    await page.context().close();
  });

  it("when the administrator deactivates an account, then it can no longer sign in; their own account is protected", async () => {
    expect((await apiLogin("can.bo.hatu")).status).toBe(200);
    const page = await signIn("quan.tri");
    await page.goto(`${server.url}/console/quan-tri/can-bo`);
    await page.getByRole("button", { name: "Vô hiệu hóa tài khoản can.bo.hatu" }).click();
    const dialog = page.getByRole("dialog", { name: "Vô hiệu hóa tài khoản can.bo.hatu?" });
    await dialog.getByRole("button", { name: "Vô hiệu hóa" }).click();
    await page.getByText("Đã vô hiệu hóa tài khoản can.bo.hatu").waitFor();
    await page
      .getByRole("row", { name: /can\.bo\.hatu/ })
      .getByText("Đã vô hiệu hóa")
      .waitFor();
    const refused = await apiLogin("can.bo.hatu");
    expect(refused.status).toBe(401);

    // Their own account: the server's 409 OWN_ACCOUNT_PROTECTED is shown in the dialog.
    await page.getByRole("button", { name: "Sửa tài khoản quan.tri" }).click();
    const own = page.getByRole("dialog", { name: "Sửa tài khoản quan.tri" });
    await own.getByLabel(/Tài khoản đang hoạt động/).uncheck();
    await own.getByRole("button", { name: "Lưu thay đổi" }).click();
    await own.getByRole("alert").getByText("Không thể thay đổi tài khoản của chính bạn.").waitFor();
    await own.getByText(/không thể tự khóa hoặc tự hạ quyền/).waitFor();
    await shot(page, "03-tu-khoa-minh");
    await own.getByRole("button", { name: "Hủy" }).click();
    expect((await apiLogin("quan.tri")).status).toBe(200);
    await page.context().close();
  });

  it("when the administrator opens the units, then each receiving unit shows with its active officials", async () => {
    const page = await signIn("quan.tri");
    await page.goto(`${server.url}/console/quan-tri/don-vi`);
    const hatu = page.getByRole("row", { name: /06652/ });
    await hatu.waitFor();
    // mot.cua.hatu is active; can.bo.hatu was deactivated above.
    await hatu.getByRole("link", { name: /^1 cán bộ đang hoạt động/ }).waitFor();
    await page
      .getByRole("row", { name: /Cấp tỉnh/ })
      .first()
      .waitFor();
    await shot(page, "04-don-vi");
    await hatu.getByRole("link", { name: /^1 cán bộ đang hoạt động/ }).click();
    await page.waitForURL(/\/quan-tri\/can-bo\?don-vi=06652$/);
    await page.getByRole("row", { name: /mot\.cua\.hatu/ }).waitFor();
    expect(await page.getByRole("row", { name: /tiep\.nhan\.baichay/ }).count()).toBe(0);
    await page.context().close();
  });

  it("when the administrator adds a holiday, then it is listed and the API's calendar has it", async () => {
    const date = ordinaryTuesday();
    const year = date.slice(0, 4);
    const shown = date.split("-").reverse().join("/");
    const page = await signIn("quan.tri");
    await page.goto(`${server.url}/console/quan-tri/ngay-nghi`);
    await page.getByRole("combobox", { name: "Năm" }).selectOption(year);
    await page.getByRole("heading", { name: `Lịch ngày nghỉ năm ${year}` }).waitFor();
    const form = page.getByRole("region", { name: "Thêm ngày nghỉ hoặc ngày làm bù" });
    // A Tuesday cannot be a swapped working day: it is one already.
    await form.getByLabel("Ngày", { exact: true }).fill(date);
    await form.getByLabel(/^Tên/).fill("Nghỉ kỷ niệm ngày thành lập tỉnh");
    await form.getByLabel("Loại ngày").selectOption("working-day");
    await form.getByRole("button", { name: "Thêm vào lịch" }).click();
    await form.getByText(`Ngày ${shown} là Thứ Ba, vốn đã là ngày làm việc.`, { exact: false }).waitFor();
    await form.getByLabel("Loại ngày").selectOption("holiday");
    await form.getByRole("button", { name: "Thêm vào lịch" }).click();
    await page.getByText(`Đã thêm ngày ${shown} (Nghỉ kỷ niệm ngày thành lập tỉnh) vào lịch.`).waitFor();
    const row = page.getByRole("row", { name: new RegExp(shown) });
    await row.getByText("Nghỉ kỷ niệm ngày thành lập tỉnh").waitFor();
    await row.getByText("Ngày nghỉ lễ, Tết").waitFor();
    await shot(page, "05-ngay-nghi");

    const res = await call(server, "GET", `/api/admin/calendar?year=${year}`, { token: await adminToken() });
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual({ date, name: "Nghỉ kỷ niệm ngày thành lập tỉnh", kind: "holiday" });
    await page.context().close();
  });

  it("when the administrator checks a catalogue with an invalid procedure, then the error row shows; a valid file is imported", async () => {
    const page = await signIn("quan.tri");
    await page.goto(`${server.url}/console/quan-tri/danh-muc`);
    const invalid = catalogueFile("danh-muc-loi.json", [
      fixture("1.009101", "Thủ tục thử hợp lệ"),
      { ...fixture("1.009102", "Thủ tục thử sai mức độ"), onlineLevel: 5 },
    ]);
    await page.getByLabel("Chọn tệp danh mục (.json)").setInputFiles(invalid);
    await page.getByText("danh-muc-loi.json").waitFor();
    await page.getByRole("button", { name: "Kiểm tra tệp (chạy thử)" }).click();
    await page.getByText("Danh mục có 1 lỗi; không thủ tục nào được nhập.").waitFor();
    const errors = page.getByRole("table", { name: "Lỗi trong tệp danh mục" });
    const errorRow = errors.getByRole("row", { name: /1\.009102/ });
    await errorRow.getByRole("cell", { name: "1", exact: true }).waitFor();
    await errorRow.getByRole("cell", { name: "onlineLevel" }).waitFor();
    expect(await page.getByRole("button", { name: "Nhập danh mục" }).isDisabled()).toBe(true);
    await shot(page, "06-danh-muc-loi");

    const valid = catalogueFile("danh-muc-moi.json", {
      procedures: [fixture("1.009103", "Cấp giấy phép tổ chức lễ hội truyền thống thử nghiệm", { field: "Văn hóa" })],
    });
    await page.getByLabel("Chọn tệp danh mục (.json)").setInputFiles(valid);
    await page.getByRole("button", { name: "Kiểm tra tệp (chạy thử)" }).click();
    await page.getByText("Tệp hợp lệ: 1 thủ tục không có lỗi.", { exact: false }).waitFor();
    const facts = page.locator("dl.facts");
    expect(await facts.textContent()).toContain("Sẽ thêm mới1");
    expect((await call(server, "GET", "/api/procedures/1.009103")).status).toBe(404);
    await page.getByRole("button", { name: "Nhập danh mục" }).click();
    await page.getByText("Đã nhập 1 thủ tục.", { exact: false }).waitFor();
    expect(await facts.textContent()).toContain("Thêm mới1");
    await shot(page, "07-danh-muc-da-nhap");

    const imported = await call(server, "GET", "/api/procedures/1.009103");
    expect(imported.status).toBe(200);
    expect(imported.body.name).toBe("Cấp giấy phép tổ chức lễ hội truyền thống thử nghiệm");
    await page.context().close();
  });

  it("when the administrator maps a ZNS template with its parameters, then the API returns it", async () => {
    const page = await signIn("quan.tri");
    await page.goto(`${server.url}/console/quan-tri/mau-zns`);
    const accepted = page.getByRole("row", { name: /Hồ sơ được tiếp nhận/ });
    await accepted.getByText("Cấu hình máy chủ", { exact: true }).waitFor();

    const input = page.getByLabel("Mã mẫu ZNS: Đã có kết quả");
    await input.fill("mau-12");
    await page.getByRole("button", { name: "Lưu tất cả" }).click();
    await page.getByText("Mã mẫu ZNS là dãy chữ số (tối đa 20), ví dụ 231456").waitFor();
    await page.getByText("Cần khai báo tham số của mẫu").waitFor();
    await shot(page, "08-mau-zns-loi");

    await input.fill("245678");
    await page.getByRole("button", { name: "Sửa tham số: Đã có kết quả" }).click();
    const dialog = page.getByRole("dialog", { name: "Tham số mẫu ZNS: Đã có kết quả" });
    await dialog.getByLabel("Tên tham số 1").fill("ma_ho_so");
    await dialog.getByLabel("Thông tin của tham số 1").selectOption("code");
    await dialog.getByRole("button", { name: "Thêm tham số" }).click();
    await dialog.getByLabel("Tên tham số 2").fill("ten_thu_tuc");
    await dialog.getByLabel("Thông tin của tham số 2").selectOption("procedureName");
    await shot(page, "09-mau-zns-tham-so");
    await dialog.getByRole("button", { name: "Xong" }).click();
    await page.getByRole("button", { name: "Lưu tất cả" }).click();
    await page.getByText("Đã lưu mẫu ZNS.", { exact: false }).waitFor();
    const done = page.getByRole("row", { name: /Đã có kết quả/ });
    await done.getByText("Quản trị viên đặt").waitFor();
    await shot(page, "10-mau-zns");

    const res = await call(server, "GET", "/api/admin/zalo-templates", { token: await adminToken() });
    expect(res.status).toBe(200);
    const items = res.body.items as { kind: string; templateId: string | null; source: string; params: unknown }[];
    expect(items.find((i) => i.kind === "dossier.done")).toMatchObject({
      templateId: "245678",
      source: "database",
      params: { ma_ho_so: "code", ten_thu_tuc: "procedureName" },
      updatedBy: "quan.tri",
    });
    // The kind configured on the server was left as it was.
    expect(items.find((i) => i.kind === "dossier.accepted")).toMatchObject({
      templateId: "111111",
      source: "environment",
    });
    await page.context().close();
  });

  it("when an official who is not an administrator opens /console/quan-tri, then it is refused and no Quản trị link shows", async () => {
    const page = await signIn("mot.cua.hatu");
    await page.getByRole("heading", { name: "Hồ sơ", exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "Quản trị" }).count()).toBe(0);
    await page.goto(`${server.url}/console/quan-tri`);
    await page
      .getByRole("alert")
      .getByText(/^Chỉ quản trị viên/)
      .waitFor();
    expect(await page.getByRole("link", { name: "Quản trị" }).count()).toBe(0);
    expect(await page.getByRole("navigation", { name: "Mục quản trị" }).count()).toBe(0);
    await shot(page, "11-khong-co-quyen");
    const token = (await apiLogin("mot.cua.hatu")).body.token as string;
    expect((await call(server, "GET", "/api/admin/officials", { token })).status).toBe(403);
    await page.context().close();
  });
});
