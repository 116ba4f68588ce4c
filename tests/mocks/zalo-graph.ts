import { HttpResponse, http } from "msw";

export const ZALO_GRAPH_URL = "https://graph.zalo.test";
export const ZALO_APP_SECRET = "test-app-secret";

/** Mini-app users this fake Zalo knows: access token → profile. */
export const ZALO_USERS: Record<string, { id: string; name: string }> = {
  "access-token-of-an-1234567": { id: "5001000000000001", name: "Nguyễn Văn An" },
  "access-token-of-binh-12345": { id: "5001000000000002", name: "Trần Thị Bình" },
};

/** Phone tokens this fake Zalo accepts: phone token → number as Zalo returns it (84…). */
export const ZALO_PHONES: Record<string, string> = { "phone-token-of-an-123456": "84912345678" };

/** Zalo Graph API as ZALO.md §5 describes it: errors come back as HTTP 200 with a non-zero `error`. */
export const zaloGraphHandlers = [
  http.get(`${ZALO_GRAPH_URL}/v2.0/me`, ({ request }) => {
    const user = ZALO_USERS[request.headers.get("access_token") ?? ""];
    if (!user) return HttpResponse.json({ error: -216, message: "Access token is invalid" });
    return HttpResponse.json({
      id: user.id,
      name: user.name,
      picture: { data: { url: "https://s120.avatar.zalo.test/a.jpg" } },
    });
  }),
  http.get(`${ZALO_GRAPH_URL}/v2.0/me/info`, ({ request }) => {
    if (request.headers.get("secret_key") !== ZALO_APP_SECRET) {
      return HttpResponse.json({ error: -124, message: "Invalid secret key" });
    }
    if (!ZALO_USERS[request.headers.get("access_token") ?? ""]) {
      return HttpResponse.json({ error: -216, message: "Access token is invalid" });
    }
    const number = ZALO_PHONES[request.headers.get("code") ?? ""];
    if (!number) return HttpResponse.json({ error: -2001, message: "Invalid code" });
    return HttpResponse.json({ error: 0, message: "Success", data: { number } });
  }),
];
