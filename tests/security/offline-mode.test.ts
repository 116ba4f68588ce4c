import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "@qn/bot-server";
import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, devOutbox, SIMULATOR_HEADER } from "../helpers/api";
import { ROOT, runTs } from "../helpers/run";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/test-server";
import { citizenWrites } from "../helpers/webhook";
import { mockServer } from "../mocks/server";
import { ZALO_GRAPH_URL, zaloGraphHandlers } from "../mocks/zalo-graph";

/**
 * Issue 13, finding 1: offline mode (no Zalo credentials) is for a developer's own computer. Reachable from the
 * network, its development sign-in, its outbox and its simulator's signing secret were open to anyone.
 */

type LogLine = { level: number; msg: string; [key: string]: unknown };
type Running = { port: number; log: LogLine[]; stop: () => void };

const SERVER = "bot-server/src/server.ts";
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

/** `npm start` in its own process, with only the given environment; resolves once it says it is ready. */
function startServerProcess(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, SERVER)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATA_DIR: tempDataDir(), PORT: "0", ...env },
  });
  children.push(child);
  const log: LogLine[] = [];
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start\n${output}`)), 30_000);
    let pending = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const text of lines) {
        try {
          const line = JSON.parse(text) as LogLine;
          log.push(line);
          if (line.msg.includes("Máy chủ đã sẵn sàng")) {
            clearTimeout(timer);
            resolve({ port: Number(line.port), log, stop: () => child.kill("SIGTERM") });
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}\n${output}`));
    });
  });
}

/** Whether a TCP connection to host:port is accepted (raw sockets: msw sees only HTTP clients). */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** This machine's address on its network, if it has one. */
function networkAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
}

describe("offline mode listens on this computer only", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startServerProcess({});
  });
  afterAll(() => running?.stop());

  it("when no Zalo credentials and no HOST are set, then the server listens on 127.0.0.1 and the network cannot reach it", async () => {
    const ready = running.log.find((l) => l.msg.includes("Máy chủ đã sẵn sàng"));
    expect(ready?.host).toBe("127.0.0.1");
    expect(await connects("127.0.0.1", running.port)).toBe(true);
    const lan = networkAddress();
    if (lan) expect(await connects(lan, running.port)).toBe(false);
  });

  it("when it starts, then its log prints the simulator's link with a session, and only that session opens the simulator's config", async () => {
    const link = running.log
      .map((l) => /http:\/\/127\.0\.0\.1:(\d+)\/dev\/chat#t=([A-Za-z0-9_-]{20,})/.exec(l.msg))
      .find((m) => m !== null);
    expect(link?.[1]).toBe(String(running.port));
    const config = `http://127.0.0.1:${running.port}/dev/chat/config`;
    expect((await fetch(config)).status).toBe(401);
    const opened = await fetch(config, { headers: { [SIMULATOR_HEADER]: link?.[2] ?? "" } });
    expect(opened.status).toBe(200);
    expect(Object.keys(await opened.json())).toEqual(expect.arrayContaining(["appId", "oaSecretKey", "oaId"]));
  });

  it("when HOST=0.0.0.0 is set in offline mode, then the server refuses to start and says how to allow it", async () => {
    const run = await runTs(SERVER, [], { DATA_DIR: tempDataDir(), PORT: "0", HOST: "0.0.0.0" }, 20_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("HOST:");
    expect(run.stderr).toContain("OFFLINE_ON_NETWORK=true");
  });

  it("when OFFLINE_ON_NETWORK=true allows a network HOST, then the server listens there and warns loudly at start", async () => {
    const open = await startServerProcess({ HOST: "0.0.0.0", OFFLINE_ON_NETWORK: "true" });
    try {
      const warning = open.log.find((l) => l.level >= 40 && l.msg.includes("OFFLINE_ON_NETWORK"));
      expect(warning?.msg).toMatch(/BẤT KỲ AI/);
      const lan = networkAddress();
      if (lan) expect(await connects(lan, open.port)).toBe(true);
    } finally {
      open.stop();
    }
  });

  it("when the Zalo credentials are set, then HOST keeps its default 0.0.0.0 (Zalo must reach the webhook)", () => {
    expect(loadConfig({ ZALO_APP_ID: "4291763606161179100", ZALO_APP_SECRET: "app-secret" }).host).toBe("0.0.0.0");
    expect(loadConfig({}).host).toBe("127.0.0.1");
  });
});

describe("the development identity never takes over a real account", () => {
  let server: TestServer;
  beforeAll(async () => {
    // Offline (no app secret), but Graph is reachable: a real Zalo sign-in still works and is checked with Zalo.
    server = await startTestServer({ zalo: { graphUrl: ZALO_GRAPH_URL } });
  });
  afterAll(() => server.close());

  async function zaloSignIn(accessToken: string) {
    const res = await call(server, "POST", "/api/auth/zalo", { json: { accessToken } });
    expect(res.status).toBe(200);
    return res.body.token as string;
  }

  it("when a citizen signed in with Zalo, then a development sign-in with their Zalo id is another account and renames no one", async () => {
    mockServer.use(...zaloGraphHandlers);
    const real = await zaloSignIn("access-token-of-an-1234567");
    const dev = await call(server, "POST", "/api/auth/dev", { json: { zaloId: "5001000000000001", name: "Kẻ gian" } });
    expect(dev.status).toBe(200);
    expect((await call(server, "GET", "/api/me", { token: real })).body.name).toBe("Nguyễn Văn An");
    const rows = await server.deps.db.selectFrom("citizens").select(["zalo_id", "dev_identity"]).execute();
    expect(rows).toEqual(
      expect.arrayContaining([
        { zalo_id: "5001000000000001", dev_identity: 0 },
        { zalo_id: "dev:5001000000000001", dev_identity: 1 },
      ]),
    );
  });

  it("when an account made by a Zalo sign-in has the very id a development sign-in would use, then the development sign-in is refused and the account keeps its name", async () => {
    // The namespace "dev:" is only a convention: the guard is how the account was made (dev_identity).
    mockServer.use(
      http.get(`${ZALO_GRAPH_URL}/v2.0/me`, () => HttpResponse.json({ id: "dev:nguoi-that", name: "Trần Thị Bình" })),
    );
    const real = await zaloSignIn("access-token-of-binh-12345");
    const dev = await call(server, "POST", "/api/auth/dev", { json: { zaloId: "nguoi-that", name: "Kẻ gian" } });
    expect(dev.status).toBe(403);
    expect(dev.body.error.code).toBe("FORBIDDEN");
    expect(dev.body.token).toBeUndefined();
    expect((await call(server, "GET", "/api/me", { token: real })).body.name).toBe("Trần Thị Bình");
  });
});

describe("the outbox and the simulator's config need the simulator's own session", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await citizenWrites(server, "oa-user-secret", "xin chào");
  });
  afterAll(() => server.close());

  it("when the outbox is read without the simulator's session, or with a wrong one or a citizen's sign-in, then 401 in the shared shape and no message", async () => {
    const citizen = (await call(server, "POST", "/api/auth/dev", { json: { zaloId: "to-mo", name: "Tò Mò" } })).body
      .token as string;
    for (const options of [{}, { headers: { [SIMULATOR_HEADER]: "doan-bua-doan-bua-doan-bua" } }, { token: citizen }]) {
      const res = await call(server, "GET", "/api/dev/outbox", options);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("UNAUTHORIZED");
      expect(res.body.error.message).toContain("trình mô phỏng");
      expect(JSON.stringify(res.body)).not.toContain("oa-user-secret");
    }
  });

  it("when the outbox is read with the simulator's session, then the messages are there", async () => {
    const res = await devOutbox(server, { userId: "oa-user-secret" });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
  });

  it("when the simulator's config is asked for without its session, then 401 and never the signing secret", async () => {
    const attempts: Record<string, string>[] = [{}, { [SIMULATOR_HEADER]: "doan-bua-doan-bua-doan-bua" }];
    for (const headers of attempts) {
      const res = await fetch(`${server.url}/dev/chat/config`, { headers });
      const text = await res.text();
      expect(res.status).toBe(401);
      expect(JSON.parse(text).error.code).toBe("UNAUTHORIZED");
      expect(text).not.toContain(server.deps.webhook.oaSecretKey);
    }
    // The page and its script carry no secret: they are served to anyone on this computer.
    for (const page of ["/dev/chat", "/dev/chat.js"]) {
      const res = await fetch(`${server.url}${page}`);
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain(server.deps.webhook.oaSecretKey);
    }
  });

  it("when the simulator's config is asked for with its session, then the development webhook credentials", async () => {
    const res = await fetch(`${server.url}/dev/chat/config`, {
      headers: { [SIMULATOR_HEADER]: server.deps.simulatorToken ?? "" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      appId: server.deps.webhook.appId,
      oaSecretKey: server.deps.webhook.oaSecretKey,
      oaId: "dev-oa",
    });
  });
});

describe("a deployment with Zalo's secret but no OA token yet", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ zalo: { appSecret: "zalo-app-secret-of-a-real-deployment" } });
  });
  afterAll(() => server.close());

  it("when it runs, then it has no simulator session and its outbox answers no one, whatever the header", async () => {
    // It listens on the network and its offline outbox would hold real citizens' messages (review of issue 13).
    expect(server.deps.messenger.offline).toBe(true);
    expect(server.deps.simulatorToken).toBeUndefined();
    const attempts: Record<string, string>[] = [{}, { [SIMULATOR_HEADER]: "" }, { [SIMULATOR_HEADER]: "undefined" }];
    for (const headers of attempts) {
      const res = await call(server, "GET", "/api/dev/outbox", { headers });
      expect(res.status).toBe(404);
    }
  });
});
