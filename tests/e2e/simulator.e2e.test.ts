import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the chat simulator (offline mode)", () => {
  it("when a developer follows the OA and asks a question, then the page signs real webhook events and shows the bot's replies", async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 860 }, locale: "vi-VN" });
    // The link the server prints at start: the simulator's session is in the fragment.
    await page.goto(`${server.url}/dev/chat#t=${server.deps.simulatorToken}`);
    await page.getByText("Sẵn sàng").waitFor();
    await page.getByRole("button", { name: "Quan tâm OA" }).click();
    await page.locator(".bot", { hasText: "Chào mừng bạn" }).waitFor();
    await page.getByLabel("Tin nhắn").fill("lam giay khai sinh can gi");
    await page.keyboard.press("Enter");
    const answer = page.locator(".bot", { hasText: "Giấy tờ cần có" });
    await answer.waitFor();
    expect(await answer.locator(".item").first().textContent()).toContain("Đăng ký khai sinh");
    // A quick-reply button sends its payload as the user's next message.
    await page.locator(".bot").first().getByRole("button", { name: "Hướng dẫn nộp hồ sơ" }).click();
    await page.locator(".bot", { hasText: "Nộp hồ sơ trực tuyến trong 5 bước" }).waitFor();
    const stored = await server.deps.db.selectFrom("webhook_events").select("event_name").execute();
    expect(stored.map((e) => e.event_name)).toEqual(["follow", "user_send_text", "user_send_text"]);
    await page.close();
  });

  it("when the simulator is opened without its session, then it says where the link is; with the link once, then also from the mini-app's plain /dev/chat", async () => {
    const context = await browser.newContext({ locale: "vi-VN" });
    const bare = await context.newPage();
    await bare.goto(`${server.url}/dev/chat`);
    await bare.getByText("Cần phiên của trình mô phỏng").waitFor();
    const linked = await context.newPage();
    await linked.goto(`${server.url}/dev/chat#t=${server.deps.simulatorToken}`);
    await linked.getByText("Sẵn sàng").waitFor();
    // The token leaves the address bar (kept in this browser's storage).
    expect(linked.url()).toBe(`${server.url}/dev/chat`);
    const fromMiniApp = await context.newPage();
    await fromMiniApp.goto(`${server.url}/dev/chat`);
    await fromMiniApp.getByText("Sẵn sàng").waitFor();
    await context.close();
  });
});
