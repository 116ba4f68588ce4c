import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll } from "vitest";
import { ROOT } from "./run";

/** A port that was free a moment ago on loopback (the benchmarks' own helper). */
export { freePort } from "../../bot-server/bench/free-port";

/**
 * The processes a crash test starts: TypeScript run by node with tsx's loader, not the tsx wrapper (SIGKILL to the
 * wrapper would leave its node child serving), with only PATH and HOME from this process's environment. Every one is
 * killed when the test file ends, whatever happened.
 */
export function processes() {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });
  return function tsProcess(script: string, env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, script)], {
      cwd: ROOT,
      stdio: "ignore",
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    children.push(child);
    return child;
  };
}

/** kill -9, and wait until it is gone. */
export async function kill(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
}

/** Whether `url` answers 2xx now (false while the process is still starting or is gone). */
export async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
