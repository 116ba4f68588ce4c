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
});
