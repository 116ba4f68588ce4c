import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type WebhookCredentials = { appId: string; oaSecretKey: string; development: boolean };

/**
 * The signature is checked in every mode (docs/zalo.md §3): with ZALO_APP_ID and ZALO_OA_SECRET_KEY when both are set,
 * otherwise with a development app id and secret generated once under DATA_DIR/secrets (the chat simulator signs
 * with them, exactly as Zalo would). The generated ones are for development: production refuses to start without
 * both (config.ts), since each machine's DATA_DIR would hold other ones (issue 16).
 */
export function webhookCredentials(
  appId: string | undefined,
  oaSecretKey: string | undefined,
  dataDir: string,
): WebhookCredentials {
  if (appId && oaSecretKey) return { appId, oaSecretKey, development: false };
  const file = path.join(dataDir, "secrets", "webhook-dev.json");
  try {
    const stored = JSON.parse(fs.readFileSync(file, "utf8")) as { appId: string; oaSecretKey: string };
    return { ...stored, development: true };
  } catch {
    const created = {
      appId: `9${Array.from(randomBytes(9), (b) => (b % 10).toString()).join("")}`,
      oaSecretKey: randomBytes(24).toString("base64url"),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify(created), { mode: 0o600, flag: "wx" });
    return { ...created, development: true };
  }
}
