import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Config } from "@qn/bot-server";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, procedure, requiredFiles, submission } from "../helpers/api";
import { launchChromium, PHONE } from "../helpers/browser";
import { png } from "../helpers/files";
import { buildMiniApp } from "../helpers/mini-app-build";
import { ROOT } from "../helpers/run";
import { startTestServer, type TestServer } from "../helpers/test-server";

const SCREENS = path.join(ROOT, "test-results", "screens");

/** A loopback port with nothing listening: the provincial portal is down. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const miniAppDist = await buildMiniApp();
  const portal: Config["portal"] = {
    mode: "http",
    url: `http://127.0.0.1:${await closedPort()}`,
    clientId: "bot-server",
    clientSecret: "client-secret-0123456789",
    callbackSecret: "callback-secret-0123456789",
    pollSeconds: 3600,
    retryBaseMs: 50,
    retryMaxMs: 200,
    queuePollMs: 50,
    client: {
      maxAttempts: 1,
      timeouts: { createDossier: 500, uploadAttachment: 500, getDossier: 500, dossierChanges: 500, withdraw: 500 },
      breakerCoolDownMs: 50,
    },
  };
  server = await startTestServer({ miniAppDist, portal });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("forwarding to the provincial portal, as the citizen sees it", () => {
  it("when the portal is down, then the dossier is accepted and its page says it is on its way to the portal", async () => {
    const birth = await procedure(server, "1.001193");
    // The citizen files (through the API) as the development identity the mini-app will sign in with.
    const zaloId = "dev-cong-dvc";
    const token = await citizen(server, zaloId);
    const filed = await file(server, token, submission(), requiredFiles(birth, png));
    expect(filed.status).toBe(201);
    expect(filed.body.portal).toMatchObject({ status: "forwarding", code: null });

    const context = await browser.newContext({ ...PHONE, locale: "vi-VN" });
    await context.addInitScript((id) => localStorage.setItem("qn.dev-user", id), zaloId);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.url}/?dossier=${encodeURIComponent(filed.body.code)}`);
    await page.getByRole("status").filter({ hasText: "Đang chuyển đến cổng dịch vụ công" }).waitFor();
    await page.screenshot({ path: path.join(SCREENS, "23-dang-chuyen-cong-dvc.png"), fullPage: true });
    // Still waiting: the portal stayed down, and the dossier is kept, not lost.
    const again = await call(server, "GET", `/api/dossiers/${encodeURIComponent(filed.body.code)}`, { token });
    expect(again.body.portal.status).toBe("forwarding");
    await context.close();
  });
});
