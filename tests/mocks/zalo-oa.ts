import { HttpResponse, http } from "msw";

export const ZALO_OPENAPI_URL = "https://openapi.zalo.test";
export const ZALO_OAUTH_URL = "https://oauth.zalo.test";
export const ZALO_ZNS_URL = "https://business.openapi.zalo.test";

/** A fake Zalo OA: valid access tokens, the refresh tokens it accepts (single use) and everything it received. */
export function fakeZaloOa(initial: { access: string; refresh: string }) {
  const state = {
    validAccess: new Set([initial.access]),
    validRefresh: new Set([initial.refresh]),
    refreshCalls: 0,
    sent: [] as { path: string; token: string | null; body: any }[],
    generation: 0,
  };
  const handlers = [
    http.post(`${ZALO_OAUTH_URL}/v4/oa/access_token`, async ({ request }) => {
      state.refreshCalls++;
      const form = new URLSearchParams(await request.text());
      const refresh = form.get("refresh_token") ?? "";
      if (!state.validRefresh.has(refresh) || form.get("grant_type") !== "refresh_token") {
        return HttpResponse.json({ error: -14014, error_name: "Invalid refresh token" });
      }
      state.validRefresh.delete(refresh); // single use
      state.generation++;
      const access = `access-${state.generation}`;
      const next = `refresh-${state.generation}`;
      state.validAccess.clear();
      state.validAccess.add(access);
      state.validRefresh.add(next);
      return HttpResponse.json({ access_token: access, refresh_token: next, expires_in: "90000" });
    }),
    http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/:kind`, async ({ request, params }) => {
      const token = request.headers.get("access_token");
      state.sent.push({ path: `/v3.0/oa/message/${params.kind}`, token, body: await request.json() });
      if (!token || !state.validAccess.has(token))
        return HttpResponse.json({ error: -216, message: "Access token is invalid" });
      return HttpResponse.json({
        error: 0,
        message: "Success",
        data: { message_id: `m${state.sent.length}`, user_id: "u" },
      });
    }),
    http.post(`${ZALO_ZNS_URL}/message/template`, async ({ request }) => {
      const token = request.headers.get("access_token");
      state.sent.push({ path: "/message/template", token, body: await request.json() });
      if (!token || !state.validAccess.has(token))
        return HttpResponse.json({ error: -216, message: "Access token is invalid" });
      return HttpResponse.json({
        error: 0,
        message: "Success",
        data: { msg_id: `z${state.sent.length}`, sent_time: "1" },
      });
    }),
  ];
  return { state, handlers };
}
