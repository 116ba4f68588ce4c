import { cleaned } from "@qn/shared";
import axios, { type AxiosInstance } from "axios";
import { z } from "zod";
import { UpstreamError } from "../errors/app-error";

/**
 * Zalo Graph API (docs/zalo.md §5): who the mini-app user is, and their phone number after they consented in Zalo.
 * The one module that talks to graph.zalo.me; tests stand a fake Zalo in with msw at `ZALO_GRAPH_URL`.
 */
export class ZaloGraphError extends UpstreamError {
  constructor(
    readonly zaloError: number | undefined,
    message: string,
    status = 401,
  ) {
    super("ZALO_GRAPH_REJECTED", message, status);
  }
}

const Profile = z.object({
  id: z.string().min(1),
  // A profile name is what Zalo holds: cleaned, never refused (text/safe-text.ts).
  name: cleaned().default(""),
  picture: z.object({ data: z.object({ url: z.string() }) }).optional(),
});
const ErrorBody = z.object({ error: z.number(), message: z.string().optional() });
const PhoneBody = z.object({ error: z.literal(0), data: z.object({ number: z.string() }) });

export type ZaloProfile = { id: string; name: string; avatarUrl?: string };

export class ZaloGraphClient {
  private readonly http: AxiosInstance;

  constructor(
    baseURL: string,
    private readonly appSecret: string | undefined,
    timeoutMs = 5000,
  ) {
    this.http = axios.create({ baseURL, timeout: timeoutMs, validateStatus: () => true });
  }

  /** Verifies a mini-app user access token by asking Zalo who it belongs to. */
  async profile(accessToken: string): Promise<ZaloProfile> {
    const body = await this.get("/v2.0/me", { access_token: accessToken }, { fields: "id,name,picture" });
    const profile = Profile.safeParse(body);
    if (!profile.success) throw this.rejection(body);
    return {
      id: profile.data.id,
      name: profile.data.name,
      ...(profile.data.picture ? { avatarUrl: profile.data.picture.data.url } : {}),
    };
  }

  /** Exchanges the token of `getPhoneNumber()` (the user's consent in Zalo) for the number, as 84xxxxxxxxx. */
  async phoneNumber(accessToken: string, phoneToken: string): Promise<string> {
    if (!this.appSecret) throw new ZaloGraphError(undefined, "Chưa cấu hình Zalo: không lấy được số điện thoại.", 503);
    const body = await this.get("/v2.0/me/info", {
      access_token: accessToken,
      code: phoneToken,
      secret_key: this.appSecret,
    });
    const phone = PhoneBody.safeParse(body);
    if (!phone.success) throw this.rejection(body);
    return phone.data.data.number;
  }

  private async get(path: string, headers: Record<string, string>, params?: Record<string, string>): Promise<unknown> {
    try {
      const response = await this.http.get(path, { headers, params });
      if (response.status >= 500) {
        throw new ZaloGraphError(undefined, "Zalo đang bận. Vui lòng thử lại sau ít phút.", 502);
      }
      return response.data;
    } catch (error) {
      if (error instanceof ZaloGraphError) throw error;
      throw new ZaloGraphError(undefined, "Không kết nối được Zalo. Vui lòng thử lại sau ít phút.", 502);
    }
  }

  private rejection(body: unknown): ZaloGraphError {
    const error = ErrorBody.safeParse(body);
    const code = error.success ? error.data.error : undefined;
    // -501: Zalo refuses personal data to servers outside Vietnam (docs/zalo.md §5).
    if (code === -501) return new ZaloGraphError(code, "Zalo từ chối cung cấp thông tin cho máy chủ này.", 502);
    return new ZaloGraphError(code, "Zalo không xác nhận được tài khoản. Vui lòng mở lại ứng dụng và thử lại.");
  }
}
