import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/run";
import { postgresFor, tempDataDir } from "../helpers/test-server";

/**
 * SIGTERM (issue 16, decision 0018): /readyz answers 503 at once, the listener closes after SHUTDOWN_DELAY_SECONDS,
 * a request in flight is still answered, and the process exits 0. A real server process, as systemd or a container
 * runtime stops it.
 */

type Started = { child: ChildProcess; port: number; output: () => string; exited: Promise<number | null> };

async function startServer(env: Record<string, string>): Promise<Started> {
  const dataDir = tempDataDir();
  const database = await postgresFor(dataDir);
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bot-server/src/server.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: database } : {}),
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123456789",
      POSTAL_SANDBOX_STEP_SECONDS: "0",
      ...env,
    },
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 30_000);
    const look = () => {
      for (const line of output.split("\n")) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as { port?: number; host?: string };
        if (entry.port && entry.host) {
          clearTimeout(timer);
          child.stdout?.off("data", look);
          resolve(entry.port);
          return;
        }
      }
    };
    child.stdout?.on("data", look);
    void exited.then((code) => reject(new Error(`the server exited (${code}) at start:\n${output}`)));
  });
  return { child, port, output: () => output, exited };
}

/** An HTTP/1.1 request over a socket of its own, written in two parts: the second when the test says. */
function slowRequest(port: number, method: string, target: string, body: string) {
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (d) => {
    received += d;
  });
  const ended = new Promise<string>((resolve) => socket.on("close", () => resolve(received)));
  const bytes = Buffer.from(body, "utf8");
  const half = Math.floor(bytes.length / 2);
  const connected = new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  return {
    async start() {
      await connected;
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${bytes.length}\r\nConnection: keep-alive\r\n\r\n`,
      );
      socket.write(bytes.subarray(0, half));
    },
    finish: () => socket.write(bytes.subarray(half)),
    /** The raw answer, once the server closed the (keep-alive) connection. */
    ended,
  };
}

/** Whether a new connection is accepted now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a graceful shutdown", () => {
  let started: Started | undefined;
  afterEach(() => {
    if (started?.child.exitCode === null) started.child.kill("SIGKILL");
    started = undefined;
  });

  it("when SIGTERM comes with a request in flight, then /readyz is 503, the request is answered, and the exit is 0", async () => {
    started = await startServer({ SHUTDOWN_DELAY_SECONDS: "0.5", SHUTDOWN_GRACE_SECONDS: "10" });
    const { child, port } = started;
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    // A sign-in whose body is half sent: the server holds it, waiting for the rest.
    const request = slowRequest(port, "POST", "/api/auth/dev", JSON.stringify({ zaloId: "shutdown-1", name: "An" }));
    await request.start();
    await sleep(200);
    const sent = Date.now();
    child.kill("SIGTERM");
    await sleep(100);

    // Told at once, while the listener is still open for the load balancer to hear it.
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { code: string } }).error.code).toBe("NOT_READY");

    // After the delay no new connection is accepted; the request in flight is still being waited for.
    await sleep(900);
    expect(await accepts(port)).toBe(false);
    expect(child.exitCode).toBe(null);

    request.finish();
    const answer = await request.ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain('"token"');

    expect(await started.exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(5_000);
    const log = started.output();
    expect(log).toContain('"msg":"shutting down"');
    expect(log).toContain('"msg":"stopped"');
    expect(log).toMatch(/"method":"POST","route":"\/api\/auth\/dev","status":200/);
  });

  it("when a request is still in flight as the grace runs out, then the process exits anyway, with 1", async () => {
    started = await startServer({ SHUTDOWN_GRACE_SECONDS: "1" });
    const request = slowRequest(started.port, "POST", "/api/auth/dev", JSON.stringify({ zaloId: "z", name: "B" }));
    await request.start();
    await sleep(200);
    const sent = Date.now();
    started.child.kill("SIGTERM");
    expect(await started.exited).toBe(1);
    expect(Date.now() - sent).toBeLessThan(4_000);
    expect(started.output()).toContain("SHUTDOWN_GRACE_SECONDS");
  });
});
