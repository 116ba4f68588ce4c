import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { citizen, file, procedure, requiredFiles, submission } from "../helpers/api";
import { launchChromium, PHONE, settled } from "../helpers/browser";
import { png } from "../helpers/files";
import { buildConsole, buildMiniApp } from "../helpers/mini-app-build";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * Dates are Vietnam's, whatever the zone of the server or the browser (issue 12): a dossier filed at 06:30 on
 * 12/03/2026 in Vietnam is 23:30 on 11/03 in UTC and 18:30 on 11/03 in New York, and its code says 260312.
 */
const FILED_AT = "2026-03-11T23:30:00.000Z";
const PASSWORD = "mat-khau-that-dai-123";

let server: TestServer;
let browser: Browser;
let code = "";

beforeAll(async () => {
  const [miniAppDist, consoleDist] = await Promise.all([buildMiniApp(), buildConsole()]);
  server = await startTestServer({ miniAppDist, consoleDist });
  browser = await launchChromium();
  const token = await citizen(server, "vn-time-citizen");
  const res = await file(
    server,
    token,
    submission(),
    requiredFiles(await procedure(server, "1.001193"), () => png(64)),
  );
  expect(res.status).toBe(201);
  code = res.body.code;
  // As if filed at 06:30 Vietnam time: the moment the system of record keeps.
  await server.deps.db.updateTable("dossiers").set({ submitted_at: FILED_AT }).where("code", "=", code).execute();
  await server.deps.auth.createOfficial({
    username: "mot.cua.gio",
    name: "Trần Thị Giờ",
    role: "hcc",
    unitCode: "06652",
    password: PASSWORD,
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("a dossier filed at 06:30 on 12/03 in Vietnam, seen from a browser in New York", () => {
  it("when the citizen opens it in the mini-app, then it says filed on 12/03/2026", async () => {
    const context = await browser.newContext({ ...PHONE, locale: "vi-VN", timezoneId: "America/New_York" });
    // The browser signs in as the development identity that filed the dossier.
    await context.addInitScript(() => localStorage.setItem("qn.dev-user", "vn-time-citizen"));
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.url}/?dossier=${encodeURIComponent(code)}`);
    await page.getByText(code).first().waitFor();
    await settled(page);
    const text = await page.locator("body").textContent();
    expect(text).toContain("12/03/2026");
    expect(text).not.toContain("11/03/2026");
    await context.close();
  });

  it("when an officer opens it in the console, then it says filed on 12/03/2026", async () => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 900 },
      locale: "vi-VN",
      timezoneId: "America/New_York",
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.url}/console/`);
    await page.getByLabel("Tên đăng nhập").fill("mot.cua.gio");
    await page.getByLabel("Mật khẩu").fill(PASSWORD);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
    const row = page.getByRole("row").filter({ hasText: code });
    await row.waitFor();
    expect(await row.textContent()).toContain("12/03/2026");
    await page.goto(`${server.url}/console/ho-so/${code}`);
    await page.getByRole("heading", { name: code }).waitFor();
    const text = await page.locator("main").textContent();
    expect(text).toContain("12/03/2026");
    expect(text).not.toContain("11/03/2026");
    await context.close();
  });
});
