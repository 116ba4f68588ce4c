import { ConversationAssignment, ConversationReply } from "@qn/shared";
import { Router } from "express";
import { z } from "zod";
import { NotFoundError } from "../../errors/app-error";
import { parseOrThrow } from "../../http/validate";
import { requireOfficial } from "../auth/actor";
import type { ConversationReplies } from "./conversation-replies";
import type { ConversationStore } from "./conversations";
import { SUPPORT_ROLES } from "./support-scope";

const UserId = z.string().regex(/^[A-Za-z0-9_:-]{1,64}$/, "Mã người dùng Zalo không hợp lệ");
const ThreadQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/**
 * Everything under `/api/officials/conversations` — "Hỗ trợ trực tuyến": the conversations the chatbot handed off,
 * the thread of each, officials' replies through the OA, routing a conversation, and giving it back to the chatbot.
 * Each official lists, reads, answers, routes and releases only the threads they handle (support-scope.ts).
 */
export function conversationsRouter(conversations: ConversationStore, replies: ConversationReplies): Router {
  const router = Router();

  router.get("/", async (req, res) => {
    const official = requireOfficial(req, SUPPORT_ROLES);
    res.json({ items: await conversations.handedOff(official, new Date()) });
  });

  router.post("/:userId/release", async (req, res) => {
    const official = requireOfficial(req, SUPPORT_ROLES);
    const userId = parseOrThrow(UserId, req.params.userId, "Mã người dùng không hợp lệ", "userId");
    if (!(await conversations.release(official, userId))) {
      throw new NotFoundError("Cuộc trò chuyện này không chờ cán bộ.");
    }
    res.status(204).end();
  });

  router.post("/:userId/assign", async (req, res) => {
    const official = requireOfficial(req, SUPPORT_ROLES);
    const userId = parseOrThrow(UserId, req.params.userId, "Mã người dùng không hợp lệ", "userId");
    const to = parseOrThrow(ConversationAssignment, req.body, "Cần chọn một đơn vị hoặc một cán bộ");
    res.json(await conversations.assign(official, userId, to));
  });

  router.get("/:userId/messages", async (req, res) => {
    const official = requireOfficial(req, SUPPORT_ROLES);
    const userId = parseOrThrow(UserId, req.params.userId, "Mã người dùng không hợp lệ", "userId");
    const { limit } = parseOrThrow(ThreadQuery, { limit: req.query.limit }, "Tham số không hợp lệ");
    res.json(await replies.thread(official, userId, limit));
  });

  router.post("/:userId/messages", async (req, res) => {
    const official = requireOfficial(req, SUPPORT_ROLES);
    const userId = parseOrThrow(UserId, req.params.userId, "Mã người dùng không hợp lệ", "userId");
    const { text } = parseOrThrow(ConversationReply, req.body, "Tin nhắn không hợp lệ");
    res.status(201).json(await replies.reply(official, userId, text));
  });

  return router;
}
