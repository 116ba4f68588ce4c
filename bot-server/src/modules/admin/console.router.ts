import { Router } from "express";
import type { OaMessenger } from "../../clients/zalo/messages";
import { ConversationReplies } from "../chatbot/conversation-replies";
import { supportRouter } from "../chatbot/support.router";
import { type AdminDeps, adminRouter } from "./admin.router";

/**
 * What the officials' web console needs beyond the existing APIs: "Hỗ trợ trực tuyến" (threads of handed-off
 * conversations and replies through the OA) and "Quản trị" (administrators only).
 */
export function consoleRouter(deps: AdminDeps & { messenger: OaMessenger }): Router {
  const router = Router();
  router.use(supportRouter(new ConversationReplies(deps.db, deps.messenger)));
  router.use(adminRouter(deps));
  return router;
}
