import { ConversationReply } from "@qn/shared";
import { Router } from "express";
import { z } from "zod";
import { NotFoundError } from "../../errors/app-error";
import { parseOrThrow } from "../../http/validate";
import { requireOfficial } from "../auth/actor";
import type { ConversationReplies } from "./conversation-replies";
import type { ConversationStore } from "./conversations";

const UserId = z.string().regex(/^[A-Za-z0-9_:-]{1,64}$/, "Mã người dùng Zalo không hợp lệ");
const ThreadQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
/** Volunteers help citizens file; answering the OA's citizens is for officials (docs/domain.md §9). */
const SUPPORT_ROLES = ["official", "hcc", "admin"] as const;

/**
 * Everything under `/api/officials/conversations` — "Hỗ trợ trực tuyến": the conversations the chatbot handed off,
 * the thread of each, officials' replies through the OA, and giving a conversation back to the chatbot.
 */
export function conversationsRouter(conversations: ConversationStore, replies: ConversationReplies): Router {
  const router = Router();

  router.get("/", async (req, res) => {
    requireOfficial(req, SUPPORT_ROLES);
    res.json({ items: await conversations.handedOff(new Date()) });
  });

  router.post("/:userId/release", async (req, res) => {
    requireOfficial(req, SUPPORT_ROLES);
    const userId = parseOrThrow(UserId, req.params.userId, "Mã người dùng không hợp lệ", "userId");
    if (!(await conversations.release(userId))) throw new NotFoundError("Cuộc trò chuyện này không chờ cán bộ.");
    res.status(204).end();
  });

  router.get("/:userId/messages", async (req, res) => {
    requireOfficial(req, SUPPORT_ROLES);
    const userId = parseOrThrow(UserId, req.params.userId, "Mã người dùng không hợp lệ", "userId");
    const { limit } = parseOrThrow(ThreadQuery, { limit: req.query.limit }, "Tham số không hợp lệ");
    res.json(await replies.thread(userId, limit));
  });

  router.post("/:userId/messages", async (req, res) => {
    const official = requireOfficial(req, SUPPORT_ROLES);
    const userId = parseOrThrow(UserId, req.params.userId, "Mã người dùng không hợp lệ", "userId");
    const { text } = parseOrThrow(ConversationReply, req.body, "Tin nhắn không hợp lệ");
    res.status(201).json(await replies.reply(official, userId, text));
  });

  return router;
}
