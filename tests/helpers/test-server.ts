import { createHash } from "node:crypto";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { type AppDeps, answerClientErrors, bootstrap, type Config, createLogger, loadConfig } from "@qn/bot-server";
import pg from "pg";
import { type Db, openDatabase, openPostgres } from "../../bot-server/src/db/database";

/** This run's servers use PostgreSQL (the api-postgres project): tests of SQLite's own behaviour skip on it. */
export const onPostgres = process.env.QN_TEST_POSTGRES === "1" && !!process.env.TEST_DATABASE_URL;

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

/**
 * When the suite runs on PostgreSQL (the api-postgres project: QN_TEST_POSTGRES=1 with TEST_DATABASE_URL, an
 * administrator's connection), each DATA_DIR gets a database of its own, named after it: two servers a test starts on
 * one DATA_DIR (two instances) share it, as two instances share one PostgreSQL. Undefined: SQLite, as `npm start`.
 */
export async function postgresFor(dataDir: string): Promise<string | undefined> {
  const admin = process.env.TEST_DATABASE_URL;
  const url = postgresUrlFor(dataDir);
  if (!admin || !url) return undefined;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${new URL(url).pathname.slice(1)}`);
  } catch (error) {
    // 42P04: it exists (the second instance on this DATA_DIR).
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await client.end();
  }
  return url;
}

/** The PostgreSQL database a DATA_DIR gets on this run, or undefined on SQLite (postgresFor creates it). */
export function postgresUrlFor(dataDir: string): string | undefined {
  const admin = process.env.TEST_DATABASE_URL;
  if (process.env.QN_TEST_POSTGRES !== "1" || !admin) return undefined;
  const url = new URL(admin);
  url.pathname = `/qn_t_${createHash("sha1").update(dataDir).digest("hex").slice(0, 20)}`;
  return url.toString();
}

/**
 * For a server process a test spawns on `dataDir` (the crash tests): its DATABASE_URL on PostgreSQL runs, so that it
 * shares the database of the test's in-process servers on that DATA_DIR; nothing on SQLite. Call postgresFor first.
 */
export function databaseEnv(dataDir: string): Record<string, string> {
  const url = postgresUrlFor(dataDir);
  return url ? { DATABASE_URL: url } : {};
}

/** The database of `dataDir` as its servers see it: PostgreSQL on PostgreSQL runs, else its SQLite file. */
export async function openTestDatabase(dataDir: string): Promise<Db> {
  const url = await postgresFor(dataDir);
  return url ? openPostgres(url, { poolSize: 2 }) : openDatabase(dataDir);
}

/** Starts the real app on port 0 with a temporary DATA_DIR, as `npm start` would, but in-process. */
export async function startTestServer(overrides: ServerOverrides = {}): Promise<TestServer> {
  const base = testConfig(overrides);
  const postgres = overrides.database === undefined ? await postgresFor(base.dataDir) : undefined;
  const config = postgres ? { ...base, database: { url: postgres, poolSize: 5 } } : base;
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
