import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, PHONE, settled } from "../helpers/browser";
import { buildMiniApp } from "../helpers/mini-app-build";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  const miniAppDist = await buildMiniApp();
  server = await startTestServer({ miniAppDist });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the app and goes to Tìm thủ tục from the home screen's search box. */
async function openApp(): Promise<Page> {
  const page = await browser.newPage({ ...PHONE, locale: "vi-VN" });
  await page.goto(`${server.url}/`);
  await page.getByRole("button", { name: "Bạn cần làm thủ tục gì?" }).click();
  await settled(page);
  return page;
}

const searchBox = (page: Page) => page.getByRole("textbox", { name: "Tìm thủ tục hành chính" });

describe("Tìm thủ tục, in Chromium at a phone's size", () => {
  it("when a citizen types without diacritics, then the procedure comes first and its page shows documents and fees", async () => {
    const page = await openApp();
    await expect.poll(() => page.locator(".result").count()).toBeGreaterThan(10);

    await searchBox(page).fill("lam giay khai sinh");
    const first = page.locator(".result").first();
    await expect.poll(() => first.locator(".result__name").textContent()).toBe("Đăng ký khai sinh");
    await expect.poll(() => page.locator(".result-count").textContent()).toMatch(/thủ tục phù hợp/);

    await first.click();
    await page.getByRole("heading", { name: "Đăng ký khai sinh" }).waitFor();
    await settled(page);
    expect(await page.getByRole("heading", { name: "Giấy tờ cần chuẩn bị" }).isVisible()).toBe(true);
    expect(await page.locator(".documents li").count()).toBeGreaterThan(0);
    expect(await page.locator(".fees").textContent()).toContain("Miễn phí");
    expect(await page.locator(".facts").textContent()).toContain("Mức độ 4 · Dịch vụ công trực tuyến toàn trình");

    await page.getByRole("button", { name: "Quay lại" }).click();
    await settled(page);
    await expect.poll(() => searchBox(page).inputValue()).toBe("lam giay khai sinh");
    await expect.poll(() => page.locator(".result__name").first().textContent()).toBe("Đăng ký khai sinh");
    await page.close();
  });

  it("when nothing matches, then the citizen gets examples to try instead of a dead end", async () => {
    const page = await openApp();
    await searchBox(page).fill("karaoke bluetooth");
    await page.getByText("Chưa tìm thấy thủ tục phù hợp").waitFor();
    await page.getByRole("button", { name: "đăng ký tạm trú" }).click();
    await expect.poll(() => page.locator(".result__name").first().textContent()).toBe("Đăng ký tạm trú");
    await page.close();
  });

  it("when the server cannot be reached, then a Vietnamese error with Thử lại appears, and retrying recovers", async () => {
    const page = await openApp();
    await expect.poll(() => page.locator(".result").count()).toBeGreaterThan(0);
    await page.route("**/api/procedures?**", (route) => route.abort("connectionfailed"));
    await searchBox(page).fill("đăng ký kết hôn");
    await page.getByRole("alert").getByText("Không kết nối được máy chủ").waitFor();
    await page.unroute("**/api/procedures?**");
    await page.getByRole("button", { name: "Thử lại" }).click();
    await expect.poll(() => page.locator(".result__name").first().textContent()).toBe("Đăng ký kết hôn");
    await page.close();
  });

  it("when a filter is chosen, then only procedures of that level are listed", async () => {
    const page = await openApp();
    await page.getByRole("button", { name: "Cấp tỉnh", exact: true }).click();
    await expect
      .poll(() => page.getByRole("button", { name: "Cấp tỉnh", exact: true }).getAttribute("aria-pressed"))
      .toBe("true");
    await expect
      .poll(async () => {
        const metas = await page.locator(".result__meta").allTextContents();
        return metas.length > 0 && metas.every((m) => m.startsWith("Cấp tỉnh"));
      })
      .toBe(true);
    await page.close();
  });
});
