import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { type AppDeps, bootstrap, type Config, createLogger } from "@qn/bot-server";
import { ROOT } from "./run";

export type TestServer = {
  url: string;
  dataDir: string;
  config: Config;
  deps: AppDeps;
  close: () => Promise<void>;
};

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "qn-test-"));
}

/** Starts the real app on port 0 with a temporary DATA_DIR, as `npm start` would, but in-process. */
export type ServerOverrides = Omit<Partial<Config>, "zalo"> & { zalo?: Partial<Config["zalo"]> };

export async function startTestServer(overrides: ServerOverrides = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDataDir();
  const base: Config = {
    nodeEnv: "test",
    port: 0,
    host: "127.0.0.1",
    dataDir,
    logLevel: "silent",
    rateLimitPerMinute: 10_000,
    loginRateLimitPerMinute: 10_000,
    sessionSecret: "test-secret-test-secret-test-secret-0123456789",
    citizenSessionHours: 24,
    officialSessionHours: 8,
    loginMaxFailures: 5,
    loginLockMinutes: 15,
    portal: { mode: "embedded" },
    zalo: {
      appId: undefined,
      appSecret: undefined,
      graphUrl: "https://graph.zalo.me",
      oaId: undefined,
      oaSecretKey: undefined,
      oaAccessToken: undefined,
      oaRefreshToken: undefined,
      tokenEncryptionKey: undefined,
      openApiUrl: "https://openapi.zalo.me",
      oauthUrl: "https://oauth.zaloapp.com",
      znsUrl: "https://business.openapi.zalo.me",
      sendRatePerSecond: 1000,
    },
    miniAppId: "test-mini-app",
    handoffHours: 24,
    notifyCsWindowHours: 48,
    znsTemplates: {},
    outbox: { workers: 1, batch: 50, concurrency: 8, leaseSeconds: 60, maxAttempts: 8 },
    announcementApproval: true,
    maxUploadBytes: 10 * 1024 * 1024,
    maxFilesPerSubmission: 20,
    trustProxyHops: 0,
    corsOrigins: ["https://h5.zdn.vn", "zbrowser://h5.zdn.vn"],
    seedStarterCatalogue: true,
    miniAppDist: path.join(ROOT, "mini-app/dist"),
    consoleDist: path.join(ROOT, "mini-app/dist-console"),
    portalApi: { clients: undefined, callbackUrl: undefined, callbackSecret: undefined },
  };
  const config: Config = { ...base, ...overrides, zalo: { ...base.zalo, ...overrides.zalo } };
  const { app, deps, close } = await bootstrap(config, createLogger("silent"));
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    config,
    deps,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await close();
    },
  };
}
