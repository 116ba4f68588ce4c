import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { type AppDeps, answerClientErrors, bootstrap, type Config, createLogger, loadConfig } from "@qn/bot-server";

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

/**
 * What a test server differs in from the defaults, as environment values: a default is written only in config.ts.
 * Quiet, local, no rate limits in the way, a fixed session secret, and Zalo sends as fast as the fakes answer.
 */
const TEST_ENV = {
  NODE_ENV: "test",
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "silent",
  RATE_LIMIT_PER_MINUTE: "10000",
  LOGIN_RATE_LIMIT_PER_MINUTE: "10000",
  SESSION_SECRET: "test-secret-test-secret-test-secret-0123456789",
  CITIZEN_SESSION_HOURS: "24",
  OFFICIAL_SESSION_HOURS: "8",
  ZALO_SEND_RATE_PER_SECOND: "1000",
  MINI_APP_ID: "test-mini-app",
  // The test post moves orders only when a test says so.
  POSTAL_SANDBOX_STEP_SECONDS: "0",
} as const;

export type ServerOverrides = Omit<Partial<Config>, "zalo"> & { zalo?: Partial<Config["zalo"]> };

/**
 * The config a test server runs with: `loadConfig` of TEST_ENV (never the process's environment), then the
 * overrides on top; `zalo` is merged key by key, every other override replaces the setting.
 */
export function testConfig(overrides: ServerOverrides = {}): Config {
  const base = loadConfig({ ...TEST_ENV, DATA_DIR: overrides.dataDir ?? tempDataDir() });
  return { ...base, ...overrides, zalo: { ...base.zalo, ...overrides.zalo } };
}

/** Starts the real app on port 0 with a temporary DATA_DIR, as `npm start` would, but in-process. */
export async function startTestServer(overrides: ServerOverrides = {}): Promise<TestServer> {
  const config = testConfig(overrides);
  const { dataDir } = config;
  const { app, deps, close } = await bootstrap(config, createLogger("silent"));
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = answerClientErrors(app.listen(0, "127.0.0.1", () => resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  deps.postalSandbox?.setCallbackUrl(`http://127.0.0.1:${port}/postal/callback`);
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
