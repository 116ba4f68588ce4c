/**
 * `npm run bench:webhook`: signed Zalo webhook events per second and the latency of the acknowledgement, under a
 * bounded loopback load (a fixed number of requests in flight), beside a bare Express endpoint that only answers 200,
 * measured in the same run. Each server runs in its own process; the load comes from this one.
 *
 * The bot's replies are produced after the acknowledgement, in the same server process (offline mode: the outbox),
 * so they compete with the acknowledgements as they would in production.
 *
 * Options: `--events=4000` (per server), `--inflight=8`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const EVENTS = arg("events", 4000);
const INFLIGHT = arg("inflight", 8);

function start(mode: "app" | "bare", dataDir: string): Promise<{ port: number; child: ChildProcess }> {
  const tsx = path.resolve(here, "../../node_modules/.bin/tsx");
  const child = spawn(tsx, [path.join(here, "webhook-target.ts"), mode, dataDir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      const match = /PORT (\d+)/.exec(chunk.toString());
      if (match) resolve({ port: Number(match[1]), child });
    });
    child.on("exit", (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

type Result = { perSecond: number; p50: number; p99: number; errors: number };

async function load(port: number, makeBody: () => { body: string; signature: string }): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: INFLIGHT });
  const latencies: number[] = [];
  let errors = 0;
  const one = (payload: { body: string; signature: string }) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/webhooks/zalo",
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "X-ZEvent-Signature": payload.signature },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(performance.now() - started);
            if (res.statusCode !== 200) errors++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(payload.body);
    });
  // Warm-up, then the measured run.
  await Promise.all(Array.from({ length: INFLIGHT * 4 }, () => one(makeBody())));
  latencies.length = 0;
  errors = 0;
  const bodies = Array.from({ length: EVENTS }, makeBody);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < bodies.length) await one(bodies[next++] as { body: string; signature: string });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? Number.NaN;
  return { perSecond: EVENTS / seconds, p50: at(0.5), p99: at(0.99), errors };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-webhook-"));
  const app = await start("app", dataDir);
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, "secrets", "webhook-dev.json"), "utf8")) as {
    appId: string;
    oaSecretKey: string;
  };
  const signed = () => {
    const timestamp = String(Date.now());
    const body = JSON.stringify({
      app_id: credentials.appId,
      event_name: "user_send_text",
      timestamp,
      sender: { id: `bench-${Math.floor(Math.random() * 500)}` },
      recipient: { id: "oa" },
      message: { msg_id: randomUUID(), text: "hướng dẫn" },
    });
    const mac = createHash("sha256")
      .update(credentials.appId + body + timestamp + credentials.oaSecretKey)
      .digest("hex");
    return { body, signature: `mac=${mac}` };
  };
  const bare = await start("bare", dataDir);
  console.log(
    `# Webhook benchmark — ${new Date().toISOString()}, Node ${process.version}, ${EVENTS} events, ${INFLIGHT} in flight`,
  );
  // Alternate the two targets so that machine noise hits both.
  const bareFirst = await load(bare.port, signed);
  const appRun = await load(app.port, signed);
  const bareSecond = await load(bare.port, signed);
  const baseline: Result = {
    perSecond: (bareFirst.perSecond + bareSecond.perSecond) / 2,
    p50: (bareFirst.p50 + bareSecond.p50) / 2,
    p99: (bareFirst.p99 + bareSecond.p99) / 2,
    errors: bareFirst.errors + bareSecond.errors,
  };
  const line = (name: string, r: Result) =>
    `${name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(6)} events/s   ack p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99
      .toFixed(2)
      .padStart(6)} ms   errors ${r.errors}`;
  console.log(line("bare Express 200 (baseline)", baseline));
  console.log(line("bot server webhook (verify+store)", appRun));
  console.log(
    `ratio: throughput ${(appRun.perSecond / baseline.perSecond).toFixed(2)} of baseline, ack p99 ×${(appRun.p99 / baseline.p99).toFixed(2)}`,
  );
  app.child.kill();
  bare.child.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
