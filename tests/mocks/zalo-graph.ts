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

/**
 * What Zalo's Graph API answers (ZALO.md §5): errors come back as HTTP 200 with a non-zero `error`. One answer for
 * both fakes: the msw handlers below (in-process tests) and the Graph process of the in-Zalo end-to-end test
 * (tests/zalo-double/graph-server.ts). `undefined` for a path Graph does not have here.
 */
export function graphAnswer(pathname: string, header: (name: string) => string): object | undefined {
  const user = ZALO_USERS[header("access_token")];
  if (pathname === "/v2.0/me") {
    if (!user) return { error: -216, message: "Access token is invalid" };
    return { id: user.id, name: user.name, picture: { data: { url: "https://s120.avatar.zalo.test/a.jpg" } } };
  }
  if (pathname === "/v2.0/me/info") {
    if (header("secret_key") !== ZALO_APP_SECRET) return { error: -124, message: "Invalid secret key" };
    if (!user) return { error: -216, message: "Access token is invalid" };
    const number = ZALO_PHONES[header("code")];
    if (!number) return { error: -2001, message: "Invalid code" };
    return { error: 0, message: "Success", data: { number } };
  }
  return undefined;
}

const answer = ({ request }: { request: Request }) =>
  HttpResponse.json(graphAnswer(new URL(request.url).pathname, (name) => request.headers.get(name) ?? ""));

export const zaloGraphHandlers = [
  http.get(`${ZALO_GRAPH_URL}/v2.0/me`, answer),
  http.get(`${ZALO_GRAPH_URL}/v2.0/me/info`, answer),
];
