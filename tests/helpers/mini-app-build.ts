import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "vite";
import { ROOT } from "./run";

let built: Promise<string> | undefined;

/** Builds the mini-app once per test process into a temporary folder, exactly as `npm run build` does. */
export function buildMiniApp(): Promise<string> {
  built ??= (async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-mini-app-"));
    await build({
      configFile: path.join(ROOT, "mini-app/vite.config.ts"),
      logLevel: "error",
      build: { outDir, emptyOutDir: true },
    });
    return outDir;
  })();
  return built;
}

let consoleBuilt: Promise<string> | undefined;

/** Builds the officials' console once per test process into a temporary folder, as `npm run build` does. */
export function buildConsole(): Promise<string> {
  consoleBuilt ??= (async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-console-"));
    await build({
      configFile: path.join(ROOT, "mini-app/vite.console.config.ts"),
      logLevel: "error",
      build: { outDir, emptyOutDir: true },
    });
    return outDir;
  })();
  return consoleBuilt;
}

const DOUBLE = path.join(ROOT, "tests/zalo-double");

/**
 * The Zalo build (`npm run build:zalo`) with the app's one zmp-sdk module replaced by the scripted double, and the
 * double's bridge loaded before the app's entry (Zalo's host serves no index.html of ours, so the bridge goes into
 * the entry chunk). `apiUrl` is MINI_APP_API_URL: the bot server on its own origin.
 */
export async function buildMiniAppForZalo(apiUrl: string): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-mini-app-zalo-"));
  const zaloModule = path.join(ROOT, "mini-app/src/zalo.ts");
  const entry = path.join(ROOT, "mini-app/src/main.tsx");
  // Vitest sets NODE_ENV=test, which Vite and the React plugin would keep; Zalo runs production builds (zmp-ui's
  // router takes its /zapps/<appId> base from that), as `npm run build:zalo` makes them.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await buildWithDouble(outDir, zaloModule, entry, apiUrl);
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  fs.rmSync(path.join(outDir, "index.html"), { force: true }); // as zmp deploy: Zalo's host writes the page
  return outDir;
}

async function buildWithDouble(outDir: string, zaloModule: string, entry: string, apiUrl: string): Promise<void> {
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
}
