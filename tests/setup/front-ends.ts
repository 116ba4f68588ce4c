import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { ROOT } from "../helpers/run";

/**
 * The three front-end builds the E2E tests serve, made once per run: the e2e project's globalSetup
 * (tests/setup/e2e.global-setup.ts) runs this file as a script, `tsx tests/setup/front-ends.ts <folder>`, and hands
 * the folders to the test files with `provide`/`inject` (helpers/mini-app-build.ts).
 */
export type FrontEnds = {
  /** The mini-app exactly as `npm run build` makes it. */
  miniApp: string;
  /** The officials' console, as `npm run build` makes it. */
  console: string;
  /** The Zalo build with the zmp-sdk double, its API origin the placeholder ZALO_API_PLACEHOLDER (see below). */
  miniAppForZalo: string;
};

declare module "vitest" {
  export interface ProvidedContext {
    frontEnds: FrontEnds;
    /** A file that appears when the builds have ended: `{ ok, ms, output }` (output: what a failed build said). */
    frontEndsDone: string;
  }
}

/**
 * The API origin the shared Zalo build is made with. The test server's real origin (port 0) is known only once a
 * test file has started it, so `buildMiniAppForZalo(apiUrl)` copies the build and writes `apiUrl` in place of this
 * string: the bundle then names the bot server's absolute origin, as `MINI_APP_API_URL` makes it in
 * `npm run build:zalo`. `.invalid` can never resolve (RFC 2606): a bundle left unstamped fails instead of passing.
 */
export const ZALO_API_PLACEHOLDER = "http://qn-test-api-origin.invalid";

/** The mini-app into `outDir`, exactly as `npm run build` does. */
export async function buildMiniAppInto(outDir: string): Promise<void> {
  await build({
    configFile: path.join(ROOT, "mini-app/vite.config.ts"),
    logLevel: "error",
    build: { outDir, emptyOutDir: true },
  });
}

/** The officials' console into `outDir`, as `npm run build` does. */
export async function buildConsoleInto(outDir: string): Promise<void> {
  await build({
    configFile: path.join(ROOT, "mini-app/vite.console.config.ts"),
    logLevel: "error",
    build: { outDir, emptyOutDir: true },
  });
}

const DOUBLE = path.join(ROOT, "tests/zalo-double");

/**
 * The Zalo build (`npm run build:zalo`) with the app's one zmp-sdk module replaced by the scripted double, and the
 * double's bridge loaded before the app's entry (Zalo's host serves no index.html of ours, so the bridge goes into
 * the entry chunk). `apiUrl` is MINI_APP_API_URL: the bot server on its own origin.
 *
 * It sets NODE_ENV for the time of the build: do not run it at the same time as another build in this process.
 */
export async function buildMiniAppForZaloInto(outDir: string, apiUrl: string): Promise<void> {
  const zaloModule = path.join(ROOT, "mini-app/src/zalo.ts");
  const entry = path.join(ROOT, "mini-app/src/main.tsx");
  // Vitest sets NODE_ENV=test, which Vite and the React plugin would keep; Zalo runs production builds (zmp-ui's
  // router takes its /zapps/<appId> base from that), as `npm run build:zalo` makes them.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      configFile: path.join(ROOT, "mini-app/vite.config.ts"),
      logLevel: "error",
      define: { __MINI_APP_API_URL__: JSON.stringify(apiUrl) },
      build: { outDir, emptyOutDir: true },
      plugins: [
        {
          name: "qn-zalo-double",
          enforce: "pre",
          async resolveId(source, importer) {
            if (source === "./zalo-sdk" && importer === zaloModule) return path.join(DOUBLE, "zalo-sdk.ts");
            return null;
          },
          transform(code, id) {
            if (id === entry) return `import ${JSON.stringify(path.join(DOUBLE, "bridge.ts"))};\n${code}`;
            return null;
          },
        },
      ],
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  fs.rmSync(path.join(outDir, "index.html"), { force: true }); // as zmp deploy: Zalo's host writes the page
}

/** Where the three builds go under `root`. */
export const frontEndsIn = (root: string): FrontEnds => ({
  miniApp: path.join(root, "mini-app"),
  console: path.join(root, "console"),
  miniAppForZalo: path.join(root, "mini-app-zalo"),
});

/** The three builds into `root`, one after the other (the Zalo build changes NODE_ENV while it runs). */
export async function buildFrontEnds(root: string): Promise<void> {
  const frontEnds = frontEndsIn(root);
  await buildMiniAppInto(frontEnds.miniApp);
  await buildConsoleInto(frontEnds.console);
  await buildMiniAppForZaloInto(frontEnds.miniAppForZalo, ZALO_API_PLACEHOLDER);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = process.argv[2];
  if (!root) throw new Error("usage: tsx tests/setup/front-ends.ts <folder>");
  await buildFrontEnds(root);
}
