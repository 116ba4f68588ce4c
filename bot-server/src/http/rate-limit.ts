import type { Request, RequestHandler } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import { AppError } from "../errors/app-error";
import { sendError } from "../errors/error-handler";
import type { SharedLimits } from "./shared-limits";

/**
 * Who a request is counted against — the one place every limiter takes its key from (issue 13, finding 16).
 *
 * Behind the carrier-grade NAT of Vietnamese mobile networks many citizens share one IPv4 address, so a signed-in
 * caller is counted as themselves (their kind and id: every session of one person shares one budget) and only
 * anonymous calls as their address. An IPv6 address counts as its /56, what one subscriber is usually given, so that
 * walking through one's own addresses gains nothing (express-rate-limit's helper).
 */
export function addressKey(req: Request): string {
  return `ip:${ipKeyGenerator(req.ip ?? "")}`;
}

/** The subject of a session token whose signature and expiry are good, without a database read; else undefined. */
export type TokenSubject = (token: string) => Promise<{ kind: string; id: number } | undefined>;

/** `Authorization: Bearer <token>`'s token, or undefined. */
export function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/**
 * The signed-in person, by a token the server signed (a random or forged token fails the signature check and is
 * counted as its address, so it does not open a fresh budget); the address for everyone else.
 */
export function callerKey(subjectOf: TokenSubject): (req: Request) => Promise<string> {
  return async (req) => {
    const token = bearerToken(req);
    const subject = token ? await subjectOf(token) : undefined;
    return subject ? `${subject.kind}:${subject.id}` : addressKey(req);
  };
}

/**
 * A sign-in: the address and the name being signed in to, so that the officials of one office (one address) do not
 * share one budget. The number of names one address may try is bounded by the sign-in throttle (login-throttle.ts).
 */
export function signInKey(req: Request, name: unknown): string {
  const who = typeof name === "string" ? name.trim().toLowerCase().slice(0, 64) : "";
  return `${addressKey(req)}|${who}`;
}

export type LimiterOptions = {
  /** Which limit this is: its counters' prefix in the database, one name per limiter. */
  name: string;
  perMinute: number;
  key: (req: Request) => string | Promise<string>;
  /** What the caller held back reads (RATE_LIMITED, 429). */
  message: string;
  /** Count only refused requests (status 400 and above): a sender whose requests succeed is never held back. */
  onlyRefused?: boolean;
  /** Called for each request held back (the webhook counts them in its refusal log). */
  onLimited?: (req: Request) => void;
};

/**
 * A per-minute limit counted in the database (issue 16, decision 0020), so that every instance behind the load
 * balancer draws on one budget: requests alternating between two instances are counted together.
 */
export function perMinuteLimit(limits: SharedLimits, options: LimiterOptions): RequestHandler {
  const { key } = options;
  return rateLimit({
    store: limits.store(options.name),
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    skipSuccessfulRequests: options.onlyRefused ?? false,
    keyGenerator: (req) => key(req),
    handler: (req, res) => {
      options.onLimited?.(req);
      sendError(res, new AppError("RATE_LIMITED", options.message));
    },
  });
}
