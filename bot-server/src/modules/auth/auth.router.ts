import { line, OFFICIAL_ROLE_LABELS } from "@qn/shared";
import { Router } from "express";
import { rateLimit } from "express-rate-limit";
import { z } from "zod";
import { AppError } from "../../errors/app-error";
import { sendError } from "../../errors/error-handler";
import { parseOrThrow } from "../../http/validate";
import { actorOf, requireCitizen, requireOfficial } from "./actor";
import type { AuthService } from "./auth.service";

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

/** Citizens' and officials' sign-in. Sign-in endpoints have their own, tighter rate limit. */
export function authRouter(auth: AuthService, loginsPerMinute: number): Router {
  const router = Router();
  const loginLimit = rateLimit({
    windowMs: 60_000,
    limit: loginsPerMinute,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: (_req, res) => {
      sendError(res, new AppError("RATE_LIMITED", "Bạn đăng nhập quá nhiều lần. Vui lòng thử lại sau một phút."));
    },
  });

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
    res.json(await auth.loginOfficial(body.username, body.password));
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
