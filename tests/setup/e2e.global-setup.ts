import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ROOT } from "../helpers/run";
import { frontEndsIn } from "./front-ends";

/**
 * The e2e project's globalSetup: the mini-app, the console and the Zalo build are built once for the whole run (each
 * E2E file used to build its own in its forked process), by `tsx tests/setup/front-ends.ts` in a process of their
 * own. Their folders are provided to the test files at once and the builds go on in the background, while the unit
 * and api projects run (the e2e project runs after them: its sequence.groupOrder in vitest.config.ts); the file
 * `frontEndsDone` appears when they end (helpers/mini-app-build.ts waits for it). The folders go when the run ends.
 *
 * As before, the builds run with NODE_ENV=test, the value Vitest gives its processes (the Zalo build sets its own).
 */
export default function setup(project: TestProject): () => Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "qn-front-ends-"));
  const done = path.join(root, "done.json");
  const started = Date.now();
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "tests/setup/front-ends.ts"), root], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const end = (ok: boolean, why: string) =>
    fs.writeFileSync(done, JSON.stringify({ ok, ms: Date.now() - started, output: ok ? "" : `${why}\n${output}` }));
  const exited = new Promise<void>((resolve) => {
    child.on("error", (error) => {
      end(false, String(error));
      resolve();
    });
    child.on("close", (code, signal) => {
      end(code === 0, `exit ${code ?? signal}`);
      resolve();
    });
  });
  project.provide("frontEnds", frontEndsIn(root));
  project.provide("frontEndsDone", done);
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    fs.rmSync(root, { recursive: true, force: true });
  };
}
