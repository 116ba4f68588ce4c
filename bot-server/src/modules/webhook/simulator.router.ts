import path from "node:path";
import { fileURLToPath } from "node:url";
import { Router } from "express";
import { requireSimulatorSession } from "../../http/simulator-session";
import type { WebhookCredentials } from "./webhook-credentials";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The chat simulator at `/dev/chat`, only in offline mode with the development webhook credentials: it hands those
 * credentials to the page so it can sign events like Zalo — only with the simulator's session (`sessionToken`, from
 * the link in the startup log): whoever has the secret can sign any citizen's events. The page and its script hold no
 * secret. With real credentials the routes do not exist.
 */
export function simulatorRouter(credentials: WebhookCredentials, oaId: string, sessionToken: string): Router {
  const router = Router();
  router.get("/dev/chat", (_req, res) => res.sendFile(path.join(here, "simulator", "chat.html")));
  router.get("/dev/chat.js", (_req, res) =>
    res.type("text/javascript").sendFile(path.join(here, "simulator", "chat.js")),
  );
  router.get("/dev/chat/config", requireSimulatorSession(sessionToken), (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json({ appId: credentials.appId, oaSecretKey: credentials.oaSecretKey, oaId });
  });
  return router;
}
