import { line, OFFICIAL_ROLE_LABELS } from "@qn/shared";
import { type Request, Router } from "express";
import { z } from "zod";
import type { Config } from "../../config";
import type { Db } from "../../db/database";
import { AppError } from "../../errors/app-error";
import { addressKey, perMinuteLimit, signInKey } from "../../http/rate-limit";
import type { SharedLimits } from "../../http/shared-limits";
import { parseOrThrow } from "../../http/validate";
import { actorOf, requireCitizen, requireOfficial } from "./actor";
import { loginThrottled } from "./auth.errors";
import type { AuthService } from "./auth.service";
import { DatabaseThrottleEntries, LoginThrottle } from "./login-throttle";

const ZaloLogin = z.object({ accessToken: z.string().trim().min(10, "Thiếu mã truy cập Zalo").max(4000) });
const PhoneExchange = ZaloLogin.extend({ phoneToken: z.string().trim().min(10, "Thiếu mã số điện thoại").max(4000) });
const DevLogin = z.object({
  zaloId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "Mã người dùng thử: chữ, số, gạch, tối đa 64 ký tự"),
  name: line().trim().min(1, "Cần nhập tên").max(120),
});
const OfficialLogin = z.object({
  username: z.string().trim().min(1, "Cần nhập tên đăng nhập").max(60),
  password: z.string().min(1, "Cần nhập mật khẩu").max(200),
});

export type SignInLimits = Pick<
  Config,
  "loginRateLimitPerMinute" | "loginMaxFailures" | "loginMaxFailuresPerAddress" | "loginBackoffMaxMinutes"
>;

/** The name a sign-in is for: an official's user name, a development identity's id; none for Zalo's own sign-in. */
const signInName = (req: Request): unknown => req.body?.username ?? req.body?.zaloId;

/**
 * Citizens' and officials' sign-in. Sign-in endpoints have their own, tighter rate limit, per address and name (the
 * officials of one office share an address); officials' wrong passwords are throttled by source (login-throttle.ts).
 * Both are counted in the database, for every instance together.
 */
export function authRouter(auth: AuthService, limits: SignInLimits, shared: SharedLimits, db: Db): Router {
  const router = Router();
  const loginLimit = perMinuteLimit(shared, {
    name: "sign-in",
    perMinute: limits.loginRateLimitPerMinute,
    key: (req) => signInKey(req, signInName(req)),
    message: "Bạn đăng nhập quá nhiều lần. Vui lòng thử lại sau một phút.",
  });
  const maxWaitMs = limits.loginBackoffMaxMinutes * 60_000;
  const throttle = new LoginThrottle(
    { perName: limits.loginMaxFailures, perAddress: limits.loginMaxFailuresPerAddress, maxWaitMs },
    new DatabaseThrottleEntries(db, maxWaitMs),
  );

  router.post("/auth/zalo", loginLimit, async (req, res) => {
    const { accessToken } = parseOrThrow(ZaloLogin, req.body, "Thông tin đăng nhập không hợp lệ");
    res.json(await auth.loginWithZalo(accessToken));
  });

  router.post("/auth/zalo/phone", async (req, res) => {
    const citizen = requireCitizen(req);
    const body = parseOrThrow(PhoneExchange, req.body, "Thông tin không hợp lệ");
    const phone = await auth.attachPhone(citizen, body.accessToken, body.phoneToken);
    res.json({ phone });
  });

  // Offline mode only (no ZALO_APP_SECRET): a development identity. With Zalo configured it does not exist.
  router.post("/auth/dev", loginLimit, async (req, res) => {
    if (!auth.offline) {
      throw new AppError("ROUTE_NOT_FOUND", "Không có địa chỉ này trên máy chủ.");
    }
    const body = parseOrThrow(DevLogin, req.body, "Thông tin đăng nhập thử không hợp lệ");
    res.json(await auth.loginAsDeveloper(body.zaloId, body.name));
  });

  router.post("/auth/logout", async (req, res) => {
    const actor = actorOf(req);
    if (actor) await auth.logout(actor);
    res.status(204).end();
  });

  router.get("/me", (req, res) => {
    const citizen = requireCitizen(req);
    res.json({ name: citizen.name, phone: citizen.phone, developmentIdentity: citizen.devIdentity });
  });

  router.post("/officials/login", loginLimit, async (req, res) => {
    const body = parseOrThrow(OfficialLogin, req.body, "Thông tin đăng nhập không hợp lệ");
    // Checked before the password, whether the name exists or not: the answer says nothing about the account.
    const attempt = await throttle.attempt(addressKey(req), body.username);
    if (!attempt.admitted) {
      const seconds = Math.max(1, Math.ceil(attempt.retryAfterMs / 1000));
      res.setHeader("Retry-After", String(seconds));
      throw loginThrottled(seconds);
    }
    let session: Awaited<ReturnType<AuthService["loginOfficial"]>>;
    try {
      session = await auth.loginOfficial(body.username, body.password, req.ip);
    } catch (error) {
      await attempt.failed();
      throw error;
    }
    await attempt.succeeded();
    res.json(session);
  });

  router.get("/officials/me", (req, res) => {
    const official = requireOfficial(req);
    res.json({
      username: official.username,
      name: official.name,
      role: official.role,
      roleLabel: OFFICIAL_ROLE_LABELS[official.role],
      unitCode: official.unitCode,
    });
  });

  return router;
}
