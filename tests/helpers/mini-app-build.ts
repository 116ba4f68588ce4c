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
