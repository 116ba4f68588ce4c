import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { UnauthorizedError } from "../errors/app-error";

/** The header the chat simulator sends its session in (not Authorization: that one carries sign-in sessions). */
export const SIMULATOR_HEADER = "x-simulator-token";

/**
 * The chat simulator's own local session (issue 13, finding 1): a random token made at each start and printed in the
 * startup log as the simulator's link (`/dev/chat#t=…`, as Jupyter does), so only whoever reads this server's log
 * reads the offline outbox and the simulator's signing secret.
 */
export function newSimulatorToken(): string {
  return randomBytes(24).toString("base64url");
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** 401 unless the request carries the simulator's token; compared in constant time. */
export function requireSimulatorSession(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    const sent = req.get(SIMULATOR_HEADER);
    if (sent && timingSafeEqual(digest(sent), expected)) return next();
    next(
      new UnauthorizedError(
        "Cần phiên của trình mô phỏng: mở đường dẫn /dev/chat#t=… in trong nhật ký khi máy chủ khởi động.",
      ),
    );
  };
}
