import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("configuration", () => {
  it("when nothing is set, then the embedded defaults apply: port 3000 and ./data under where npm was run", () => {
    const config = loadConfig({ INIT_CWD: "/srv/app" });
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(path.resolve("/srv/app", "data"));
    expect(config.seedStarterCatalogue).toBe(true);
  });

  it("when values are set, then they are parsed to their types and empty strings count as unset", () => {
    const config = loadConfig({
      PORT: "8080",
      DATA_DIR: "/var/lib/dvc",
      SEED_STARTER_CATALOGUE: "false",
      LOG_LEVEL: "",
    });
    expect(config).toMatchObject({
      port: 8080,
      dataDir: "/var/lib/dvc",
      seedStarterCatalogue: false,
      logLevel: "info",
    });
  });

  it("when several values are bad, then every bad variable is named", () => {
    try {
      loadConfig({ PORT: "-1", NODE_ENV: "staging" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.variable).sort()).toEqual(["NODE_ENV", "PORT"]);
    }
  });

  it("when a setting needs another that is missing, then the missing one is named with its message", () => {
    const issues = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) return error.issues;
        throw error;
      }
      return expect.unreachable();
    };
    expect(issues({ ZALO_OA_REFRESH_TOKEN: "refresh-0" })).toEqual([
      {
        variable: "ZALO_TOKEN_ENCRYPTION_KEY",
        message: "Cần khóa mã hóa khi cấu hình token Zalo OA (32 byte, base64 hoặc hex)",
      },
    ]);
    expect(issues({ PORTAL_API_CALLBACK_URL: "http://127.0.0.1:1/callbacks" })).toEqual([
      { variable: "PORTAL_API_CALLBACK_SECRET", message: "Cần secret để ký callback khi có PORTAL_API_CALLBACK_URL" },
    ]);
    // A bad value is reported on its own: the checks across settings wait until each one parses.
    expect(issues({ PORT: "-1", ZALO_OA_REFRESH_TOKEN: "refresh-0" }).map((i) => i.variable)).toEqual(["PORT"]);
  });

  describe("secrets in production (issue 16: several instances, one database)", () => {
    const SECRETS = {
      SESSION_SECRET: "s".repeat(48),
      ZALO_APP_ID: "4291763606161179100",
      ZALO_OA_SECRET_KEY: "oa-secret-key",
    };
    const refusal = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
      }
      return expect.unreachable();
    };

    it("when NODE_ENV=production and no secret is set, then it refuses to start, naming each one in Vietnamese", () => {
      const error = refusal({ NODE_ENV: "production" });
      expect(error.issues.map((i) => i.variable)).toEqual(["SESSION_SECRET", "ZALO_APP_ID", "ZALO_OA_SECRET_KEY"]);
      for (const issue of error.issues) {
        expect(issue.message).toContain("Bắt buộc khi NODE_ENV=production");
        expect(issue.message).toContain("DATA_DIR");
      }
      expect(error.message).toContain("SESSION_SECRET");
    });

    it("when one secret is missing in production, then only that one is named", () => {
      for (const name of Object.keys(SECRETS) as (keyof typeof SECRETS)[]) {
        const env: NodeJS.ProcessEnv = { NODE_ENV: "production", ...SECRETS, [name]: "" };
        expect(refusal(env).issues.map((i) => i.variable)).toEqual([name]);
      }
    });

    it("when production has its secrets, then it starts with them; development and tests may leave them unset", () => {
      expect(loadConfig({ NODE_ENV: "production", ...SECRETS }).sessionSecret).toBe(SECRETS.SESSION_SECRET);
      expect(loadConfig({ NODE_ENV: "development" }).sessionSecret).toBeUndefined();
      expect(loadConfig({ NODE_ENV: "test" }).zalo.oaSecretKey).toBeUndefined();
    });
  });
});
