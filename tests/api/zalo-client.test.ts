import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "@qn/bot-server";
import { HttpResponse, http } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { ZaloApiError, ZaloTokenError, ZaloWindowError } from "../../bot-server/src/clients/zalo/errors";
import { OaTokenStore } from "../../bot-server/src/clients/zalo/oa-token-store";
import { ZaloOaClient } from "../../bot-server/src/clients/zalo/zalo-oa.client";
import { openDatabase } from "../../bot-server/src/db/database";
import { mockServer } from "../mocks/server";
import { fakeZaloOa, ZALO_OAUTH_URL, ZALO_OPENAPI_URL, ZALO_ZNS_URL } from "../mocks/zalo-oa";

const KEY = Buffer.alloc(32, 7).toString("base64");

async function setup(options: { expiresInMs?: number } = {}) {
  const db = await openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), "qn-zalo-")));
  const store = new OaTokenStore(db, {
    oauthUrl: ZALO_OAUTH_URL,
    appId: "4291763606161179100",
    appSecret: "app-secret",
    encryptionKey: KEY,
    seed: { accessToken: "access-0", refreshToken: "refresh-0" },
  });
  await store.seedIfEmpty();
  if (options.expiresInMs !== undefined) {
    await db
      .updateTable("oa_tokens")
      .set({ access_expires_at: new Date(Date.now() + options.expiresInMs).toISOString() })
      .execute();
  }
  const client = new ZaloOaClient(
    store,
    {
      openApiUrl: ZALO_OPENAPI_URL,
      znsUrl: ZALO_ZNS_URL,
      ratePerSecond: 1000,
      znsDevelopmentMode: true,
      retryBaseMs: 1,
    },
    createLogger("silent"),
  );
  return { db, store, client };
}

describe("the Zalo OA client", () => {
  let zalo: ReturnType<typeof fakeZaloOa>;
  beforeEach(() => {
    zalo = fakeZaloOa({ access: "access-0", refresh: "refresh-0" });
    mockServer.use(...zalo.handlers);
  });

  it("when it sends a consultation message, then Zalo gets the access_token header and the Open API body", async () => {
    const { client } = await setup({ expiresInMs: 24 * 3_600_000 });
    const result = await client.send("cs", "2468458835296197922", {
      text: "Chào bạn",
      buttons: [{ title: "Tra cứu hồ sơ", kind: "query", payload: "tra cứu hồ sơ" }],
    });
    expect(result).toEqual({ messageId: "m1", offline: false });
    expect(zalo.state.sent[0]).toMatchObject({
      path: "/v3.0/oa/message/cs",
      token: "access-0",
      body: {
        recipient: { user_id: "2468458835296197922" },
        message: {
          attachment: {
            type: "template",
            payload: {
              template_type: "list",
              buttons: [{ title: "Tra cứu hồ sơ", type: "oa.query.show", payload: "tra cứu hồ sơ" }],
            },
          },
        },
      },
    });
  });

  it("when two sends find the token about to expire, then exactly one refresh happens and both use the new token", async () => {
    const { db, client } = await setup({ expiresInMs: 60_000 });
    const [a, b] = await Promise.all([
      client.send("cs", "u1", { text: "một" }),
      client.send("cs", "u2", { text: "hai" }),
    ]);
    expect([a.offline, b.offline]).toEqual([false, false]);
    expect(zalo.state.refreshCalls).toBe(1);
    expect(zalo.state.sent.map((s) => s.token)).toEqual(["access-1", "access-1"]);
    // The single-use refresh token was replaced in the store, encrypted.
    const row = await db.selectFrom("oa_tokens").selectAll().executeTakeFirstOrThrow();
    expect(row.refresh_token_enc).not.toContain("refresh-1");
    expect(row.access_token_enc).not.toContain("access-1");
    expect(Date.parse(row.access_expires_at) - Date.now()).toBeGreaterThan(24 * 3_600_000);
  });

  it("when two token stores (two processes) refresh at once, then Zalo still sees one refresh", async () => {
    const { db, client } = await setup({ expiresInMs: 60_000 });
    const second = new ZaloOaClient(
      new OaTokenStore(db, {
        oauthUrl: ZALO_OAUTH_URL,
        appId: "4291763606161179100",
        appSecret: "app-secret",
        encryptionKey: KEY,
      }),
      {
        openApiUrl: ZALO_OPENAPI_URL,
        znsUrl: ZALO_ZNS_URL,
        ratePerSecond: 1000,
        znsDevelopmentMode: true,
        retryBaseMs: 1,
      },
      createLogger("silent"),
    );
    await Promise.all([client.send("cs", "u1", { text: "a" }), second.send("cs", "u2", { text: "b" })]);
    expect(zalo.state.refreshCalls).toBe(1);
  });

  it("when Zalo answers -216, then the token is refreshed once and the message is sent again", async () => {
    const { client } = await setup({ expiresInMs: 24 * 3_600_000 });
    zalo.state.validAccess.clear(); // revoked on Zalo's side
    const result = await client.send("cs", "u1", { text: "xin chào" });
    expect(result.messageId).not.toBe("");
    expect(zalo.state.refreshCalls).toBe(1);
    expect(zalo.state.sent.map((s) => s.token)).toEqual(["access-0", "access-1"]);
  });

  it("when the refresh token is rejected, then a ZaloTokenError says access must be granted again", async () => {
    const { client } = await setup({ expiresInMs: 60_000 });
    zalo.state.validRefresh.clear();
    await expect(client.send("cs", "u1", { text: "x" })).rejects.toBeInstanceOf(ZaloTokenError);
  });

  it("when Zalo answers 429 with Retry-After, then the client waits and retries", async () => {
    const { client } = await setup({ expiresInMs: 24 * 3_600_000 });
    let calls = 0;
    mockServer.use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () => {
        calls++;
        if (calls === 1) return new HttpResponse(null, { status: 429, headers: { "Retry-After": "0" } });
        return undefined;
      }),
    );
    await client.send("cs", "u1", { text: "x" });
    expect(calls).toBe(2);
  });

  it("when Zalo keeps failing with 5xx, then three attempts are made and the error is retryable", async () => {
    const { client } = await setup({ expiresInMs: 24 * 3_600_000 });
    let calls = 0;
    mockServer.use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () => {
        calls++;
        return new HttpResponse("oops", { status: 503 });
      }),
    );
    const error = await client.send("cs", "u1", { text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloApiError);
    expect((error as ZaloApiError).retryable).toBe(true);
    expect(calls).toBe(3);
  });

  it("when the network fails once, then the retry succeeds", async () => {
    const { client } = await setup({ expiresInMs: 24 * 3_600_000 });
    let calls = 0;
    mockServer.use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () => {
        calls++;
        if (calls === 1) return HttpResponse.error();
        return undefined;
      }),
    );
    expect((await client.send("cs", "u1", { text: "x" })).offline).toBe(false);
    expect(calls).toBe(2);
  });

  it("when the citizen is outside the messaging window, then a ZaloWindowError and no retry", async () => {
    const { client } = await setup({ expiresInMs: 24 * 3_600_000 });
    let calls = 0;
    mockServer.use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () => {
        calls++;
        return HttpResponse.json({ error: -230, message: "User has not interacted with the OA in the last 7 days" });
      }),
    );
    await expect(client.send("cs", "u1", { text: "x" })).rejects.toBeInstanceOf(ZaloWindowError);
    expect(calls).toBe(1);
  });

  it("when a ZNS template is sent, then the phone is 84… and the tracking id goes along", async () => {
    const { client } = await setup({ expiresInMs: 24 * 3_600_000 });
    await client.sendZns("0912345678", "231456", { ma_ho_so: "06652.H49-261120-0001" }, "dossier-1-state-2");
    expect(zalo.state.sent[0]?.body).toEqual({
      phone: "84912345678",
      template_id: "231456",
      template_data: { ma_ho_so: "06652.H49-261120-0001" },
      tracking_id: "dossier-1-state-2",
      mode: "development",
    });
  });
});
