import type { RequestHandler } from "express";
import { UnauthorizedError } from "../../errors/app-error";
import { setActor } from "./actor";
import type { AuthService } from "./auth.service";

/**
 * Reads `Authorization: Bearer <token>` when present and attaches the caller. Endpoints decide what they require
 * (`requireCitizen`, `requireOfficial`); a bad or expired token is a 401 even on endpoints that allow anonymous use.
 */
export function authenticate(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    try {
      if (!match?.[1]) throw new UnauthorizedError();
      setActor(req, await auth.actorFromToken(match[1]));
      next();
    } catch (error) {
      next(error);
    }
  };
}
