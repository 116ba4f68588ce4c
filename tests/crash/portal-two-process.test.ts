import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { call, citizen, file, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { ROOT } from "../helpers/run";
import {
  databaseEnv,
  openTestDatabase,
  postgresFor,
  startTestServer,
  type TestServer,
  tempDataDir,
} from "../helpers/test-server";

const CLIENT_ID = "zalo-bot-server";
const CLIENT_SECRET = "two-process-client-secret";
const CALLBACK_SECRET = "two-process-callback-secret";
const OFFICIAL = { username: "hcc.06652", password: "mat-khau-that-dai-123" };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The portal process: a bot server in embedded mode serving the contract at /portal-api, on a fixed port. */
function portalProcess(dataDir: string, port: number, callbackUrl: string): ChildProcess {
  // node with tsx's loader, not the tsx wrapper: SIGKILL to the wrapper would leave its node child serving.
  return spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bot-server/src/server.ts")], {
    cwd: ROOT,
    stdio: "ignore",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATA_DIR: dataDir,
      ...databaseEnv(dataDir),
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      SESSION_SECRET: "portal-process-session-secret-0123456789",
      PORTAL_API_CLIENTS: JSON.stringify({ [CLIENT_ID]: CLIENT_SECRET }),
      PORTAL_API_CALLBACK_URL: callbackUrl,
      PORTAL_API_CALLBACK_SECRET: CALLBACK_SECRET,
    },
  });
}

/** How the test waits for the other processes: every 100 ms, for up to 30 s (vi.waitFor). */
const POLL_30S = { timeout: 30_000, interval: 100 };

async function up(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

async function kill(child: ChildProcess) {
  child.kill("SIGKILL");
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
}

describe("the HTTP gateway against a real portal process", () => {
  it("when the portal process is killed and restarted while dossiers are filed, then each reaches it exactly once and every state change reaches the citizen", async () => {
    // The portal's database, with the one-stop officer who will accept the dossiers there.
    const portalDir = tempDataDir();
    await postgresFor(portalDir);
    const prepared = await startTestServer({ dataDir: portalDir });
    await prepared.deps.auth.createOfficial({
      username: OFFICIAL.username,
      name: "Cán bộ một cửa",
      role: "hcc",
      unitCode: "06652",
      password: OFFICIAL.password,
    });
    await prepared.close();

    const port = await freePort();
    const portalUrl = `http://127.0.0.1:${port}`;
    const bot: TestServer = await startTestServer({
      portal: {
        mode: "http",
        url: `${portalUrl}/portal-api`,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        callbackSecret: CALLBACK_SECRET,
        pollSeconds: 1,
        retryBaseMs: 100,
        retryMaxMs: 1000,
        queuePollMs: 100,
        client: { breakerCoolDownMs: 500, retryBaseMs: 50, retryMaxMs: 200 },
      },
    });
    const portalDb = await openTestDatabase(portalDir);
    try {
      const birth = await procedure(bot, "1.001193");
      const filed: { code: string; token: string }[] = [];
      const fileSome = async (from: number, count: number) => {
        for (let i = from; i < from + count; i++) {
          const token = await citizen(bot, `zalo-two-process-${i}`, `Công dân ${i}`);
          const res = await file(
            bot,
            token,
            submission(),
            requiredFiles(birth, () => png(i)),
          );
          expect(res.status).toBe(201);
          filed.push({ code: view(res).code, token });
        }
      };
      const forwardedCount = async () => {
        const row = await bot.deps.db
          .selectFrom("dossiers")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("portal_code", "is not", null)
          .executeTakeFirstOrThrow();
        return Number(row.n);
      };
      const openJobs = async () =>
        (await bot.deps.db.selectFrom("portal_jobs").select("id").where("status", "!=", "done").execute()).length;

      // The portal has never been up: filing works, the dossiers wait.
      await fileSome(0, 4);
      expect(await forwardedCount()).toBe(0);

      // The portal comes up; more are filed; it is killed while forwarding goes on, and more are filed meanwhile.
      const callbackUrl = `${bot.url}/portal-callbacks`;
      let portal = portalProcess(portalDir, port, callbackUrl);
      children.push(portal);
      await vi.waitFor(async () => expect(await up(portalUrl), "the portal process").toBe(true), POLL_30S);
      await fileSome(4, 4);
      await vi.waitFor(
        async () => expect(await forwardedCount(), "the first dossiers on the portal").toBeGreaterThanOrEqual(2),
        POLL_30S,
      );
      await kill(portal);
      expect(await up(portalUrl)).toBe(false);
      await fileSome(8, 4);

      portal = portalProcess(portalDir, port, callbackUrl);
      children.push(portal);
      await vi.waitFor(async () => expect(await up(portalUrl), "the portal process again").toBe(true), POLL_30S);
      await vi.waitFor(async () => expect(await openJobs(), "every dossier forwarded").toBe(0), {
        timeout: 60_000,
        interval: 100,
      });
      expect(await forwardedCount()).toBe(filed.length);

      // Exactly once: the portal holds one dossier per local dossier, with its reference.
      const onPortal = await portalDb
        .withTables<{ portal_api_dossiers: { reference: string; dossier_id: number } }>()
        .selectFrom("portal_api_dossiers")
        .select("reference")
        .execute();
      expect(onPortal.map((d) => d.reference).sort()).toEqual(filed.map((d) => d.code).sort());
      const portalDossiers = await portalDb
        .selectFrom("dossiers")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(portalDossiers.n)).toBe(filed.length);

      // The portal's officer accepts them all; the portal is killed halfway and restarted.
      const login = await fetch(`${portalUrl}/api/officials/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(OFFICIAL),
      });
      expect(login.status).toBe(200);
      const { token: officerToken } = (await login.json()) as { token: string };
      const codes = await bot.deps.db.selectFrom("dossiers").select(["code", "portal_code"]).orderBy("id").execute();
      const accept = async (portalCode: string) => {
        const res = await fetch(`${portalUrl}/api/officials/dossiers/${portalCode}/actions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${officerToken}` },
          body: JSON.stringify({ action: "accept" }),
        });
        expect(res.status).toBe(200);
      };
      const half = Math.floor(codes.length / 2);
      for (const { portal_code } of codes.slice(0, half)) await accept(portal_code as string);
      await kill(portal);
      expect(await up(portalUrl)).toBe(false);
      portal = portalProcess(portalDir, port, callbackUrl);
      children.push(portal);
      await vi.waitFor(async () => expect(await up(portalUrl), "the portal process a third time").toBe(true), POLL_30S);
      for (const { portal_code } of codes.slice(half)) await accept(portal_code as string);

      // Every acceptance reaches the citizen, once.
      await vi.waitFor(async () => {
        const states = await bot.deps.db.selectFrom("dossiers").select("state").execute();
        expect(
          states.filter((s) => s.state !== 2),
          "every acceptance applied locally",
        ).toEqual([]);
      }, POLL_30S);
      for (const { code, token } of filed) {
        const inbox = (await call(bot, "GET", "/api/notifications", { token })).body as {
          items: { kind: string; dossierCode: string }[];
        };
        expect(inbox.items.filter((n) => n.kind === "dossier.accepted" && n.dossierCode === code)).toHaveLength(1);
        const seen = view(await call(bot, "GET", `/api/dossiers/${code}`, { token }));
        expect(seen.history.filter((s) => s.action === "accept")).toHaveLength(1);
        expect(seen.portal?.status).toBe("forwarded");
      }
      const outbox = await bot.deps.db
        .selectFrom("outbox")
        .select("idempotency_key")
        .where("kind", "=", "dossier.accepted")
        .execute();
      expect(outbox).toHaveLength(filed.length);
    } finally {
      await kill(children.at(-1) as ChildProcess);
      await portalDb.destroy();
      await bot.close();
    }
  }, 180_000);
});
