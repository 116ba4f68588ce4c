import fs from "node:fs";
import path from "node:path";
import { inject, vi } from "vitest";
import { type FrontEnds, ZALO_API_PLACEHOLDER } from "../setup/front-ends";

/**
 * The front-end builds an E2E test serves. The e2e project builds them once per run (its globalSetup,
 * tests/setup/e2e.global-setup.ts, in the background); these wait for the builds to end and return their folders,
 * which every E2E file shares: read only.
 */
async function frontEnds(): Promise<FrontEnds> {
  const folders = inject("frontEnds");
  const done = inject("frontEndsDone");
  if (!folders || !done) throw new Error("run E2E files in the e2e project (vitest.config.ts)");
  // As long as a file's own build was given before (its beforeAll's 120 s); the builds take about 30 s.
  await vi.waitFor(
    () => {
      if (!fs.existsSync(done)) throw new Error("the front-end builds have not ended");
    },
    { timeout: 120_000, interval: 250 },
  );
  const result = JSON.parse(fs.readFileSync(done, "utf8")) as { ok: boolean; output: string };
  if (!result.ok) throw new Error(`the front-end builds failed: ${result.output}`);
  return folders;
}

/** The mini-app, exactly as `npm run build` makes it. */
export async function buildMiniApp(): Promise<string> {
  return (await frontEnds()).miniApp;
}

/** The officials' console, as `npm run build` makes it. */
export async function buildConsole(): Promise<string> {
  return (await frontEnds()).console;
}

/**
 * The Zalo build (`npm run build:zalo`) with the app's one zmp-sdk module replaced by the scripted double, and the
 * double's bridge loaded before the app's entry. `apiUrl` is MINI_APP_API_URL: the bot server on its own origin.
 *
 * The build is made once with a placeholder origin (setup/front-ends.ts, ZALO_API_PLACEHOLDER); this copies it into a
 * new folder with `apiUrl` written wherever the placeholder is, so that the bundle names the test server's absolute
 * origin just as a build with that MINI_APP_API_URL would, and reaches it across origins (CORS) from Zalo's host.
 */
export async function buildMiniAppForZalo(apiUrl: string): Promise<string> {
  const built = (await frontEnds()).miniAppForZalo;
  // Beside the build, so that the run's teardown removes it with the rest.
  const outDir = fs.mkdtempSync(path.join(path.dirname(built), "mini-app-zalo-for-"));
  fs.cpSync(built, outDir, { recursive: true });
  let stamped = 0;
  for (const file of fs.readdirSync(outDir, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".js")) continue;
    const full = path.join(outDir, file);
    const code = fs.readFileSync(full, "utf8");
    if (!code.includes(ZALO_API_PLACEHOLDER)) continue;
    fs.writeFileSync(full, code.replaceAll(ZALO_API_PLACEHOLDER, apiUrl));
    stamped++;
  }
  if (stamped === 0) throw new Error(`the Zalo build names no API origin (${ZALO_API_PLACEHOLDER} not found)`);
  return outDir;
}
