import { describe, expect, it } from "vitest";
import { runTs } from "../helpers/run";

const SCRIPT = "mini-app/scripts/zalo.ts";

describe("npm run build:zalo / deploy:zalo", () => {
  it("when MINI_APP_API_URL is missing or not https, then the Zalo build refuses before building", async () => {
    const missing = await runTs(SCRIPT, ["build"], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("set MINI_APP_API_URL");
    const plain = await runTs(SCRIPT, ["build"], { MINI_APP_API_URL: "http://dvc.example.vn" });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("must be https://");
  });

  it("when asked to deploy, then it prints zmp-cli's deploy for a project that builds itself, run inside dist, with the token hidden", async () => {
    const printed = await runTs(SCRIPT, ["deploy", "--testing"], {
      ZMP_APP_ID: "4291763606161179100",
      ZMP_ACCESS_TOKEN: "secret-app-token",
    });
    if (printed.code === 1) {
      // No Zalo build in this checkout: it says so instead of printing a command that would upload nothing.
      expect(printed.stderr).toContain("run `npm run build:zalo` first");
      return;
    }
    expect(printed.stdout).toContain("cd mini-app/dist");
    expect(printed.stdout).toContain("zmp-cli@4.0.3 deploy --existing --outputDir . --desc");
    expect(printed.stdout).toContain("--testing");
    expect(printed.stdout).toContain('login --app-id 4291763606161179100 --token "$ZMP_ACCESS_TOKEN"');
    expect(printed.stdout).not.toContain("secret-app-token");
  });
});
