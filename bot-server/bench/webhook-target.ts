/**
 * A server for `bench:webhook`, in its own process: `app` is the real bot server (temporary DATA_DIR, offline mode),
 * `bare` an Express endpoint that only answers 200. Prints `PORT <n>` when listening.
 */
import type { AddressInfo } from "node:net";
import express from "express";
import { bootstrap } from "../src/bootstrap";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";

async function main() {
  const mode = process.argv[2];
  let app: express.Express;
  if (mode === "bare") {
    app = express();
    app.post("/webhooks/zalo", express.raw({ type: () => true }), (_req, res) => {
      res.status(200).json({ received: true });
    });
  } else {
    const config = {
      ...loadConfig({ DATA_DIR: process.argv[3] ?? "", LOG_LEVEL: "silent" }),
      rateLimitPerMinute: 1_000_000,
    };
    ({ app } = await bootstrap(config, createLogger("silent")));
  }
  const server = app.listen(0, "127.0.0.1", () => {
    console.log(`PORT ${(server.address() as AddressInfo).port}`);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
