import { describe, expect, it } from "vitest";
import { runTs } from "../helpers/run";
import { tempDataDir } from "../helpers/test-server";

const SERVER = "bot-server/src/server.ts";

describe("starting the server", () => {
  it.each([
    ["PORT", { PORT: "tám nghìn" }],
    ["PORT", { PORT: "70000" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["RATE_LIMIT_PER_MINUTE", { RATE_LIMIT_PER_MINUTE: "0" }],
  ])("when %s is bad, then the server stops with a message naming it", async (variable, env) => {
    const run = await runTs(SERVER, [], { DATA_DIR: tempDataDir(), ...env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Cấu hình không hợp lệ");
    expect(run.stderr).toContain(`${variable}:`);
  });
});
