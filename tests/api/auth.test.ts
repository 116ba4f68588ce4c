import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, file, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { mockServer } from "../mocks/server";
import { ZALO_APP_SECRET, ZALO_GRAPH_URL, zaloGraphHandlers } from "../mocks/zalo-graph";

describe("citizens signing in with Zalo", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      zalo: { appId: "4291763606161179100", appSecret: ZALO_APP_SECRET, graphUrl: ZALO_GRAPH_URL },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("when the mini-app sends a valid Zalo access token, then Zalo is asked who it is and a session is returned", async () => {
    mockServer.use(...zaloGraphHandlers);
    const res = await call(server, "POST", "/api/auth/zalo", { json: { accessToken: "access-token-of-an-1234567" } });
    expect(res.status).toBe(200);
    expect(res.body.citizen).toEqual({ name: "Nguyễn Văn An", developmentIdentity: false, hasPhone: false });
    const me = await call(server, "GET", "/api/me", { token: res.body.token });
    expect(me.body).toEqual({ name: "Nguyễn Văn An", phone: null, developmentIdentity: false });
  });

  it("when Zalo says the token is invalid, then 401 in Vietnamese and no session", async () => {
    mockServer.use(...zaloGraphHandlers);
    const res = await call(server, "POST", "/api/auth/zalo", { json: { accessToken: "forged-token-000000000" } });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain("Zalo không xác nhận được tài khoản");
    expect(res.body.token).toBeUndefined();
  });

  it("when Zalo is down or times out, then 502 asks to try again later", async () => {
    mockServer.use(http.get(`${ZALO_GRAPH_URL}/v2.0/me`, () => new HttpResponse(null, { status: 503 })));
    const down = await call(server, "POST", "/api/auth/zalo", { json: { accessToken: "access-token-of-an-1234567" } });
    expect(down.status).toBe(502);
    mockServer.use(http.get(`${ZALO_GRAPH_URL}/v2.0/me`, () => HttpResponse.error()));
    const broken = await call(server, "POST", "/api/auth/zalo", {
      json: { accessToken: "access-token-of-an-1234567" },
    });
    expect(broken.status).toBe(502);
    expect(broken.body.error.message).toContain("thử lại");
  });

  it("when Zalo credentials are configured, then the development sign-in does not exist", async () => {
    const res = await call(server, "POST", "/api/auth/dev", { json: { zaloId: "x", name: "Thử" } });
    expect(res.status).toBe(404);
  });

  it("when the citizen consents to share their phone, then the number comes from Zalo's exchange and fills their dossiers", async () => {
    const sent: Record<string, string | null>[] = [];
    mockServer.use(
      http.get(`${ZALO_GRAPH_URL}/v2.0/me/info`, ({ request }) => {
        sent.push({
          access_token: request.headers.get("access_token"),
          code: request.headers.get("code"),
          secret_key: request.headers.get("secret_key"),
        });
        return undefined;
      }),
      ...zaloGraphHandlers,
    );
    const login = await call(server, "POST", "/api/auth/zalo", { json: { accessToken: "access-token-of-an-1234567" } });
    const token = login.body.token as string;
    const phone = await call(server, "POST", "/api/auth/zalo/phone", {
      token,
      json: { accessToken: "access-token-of-an-1234567", phoneToken: "phone-token-of-an-123456" },
    });
    expect(phone.body).toEqual({ phone: "0912345678" });
    expect(sent).toEqual([
      { access_token: "access-token-of-an-1234567", code: "phone-token-of-an-123456", secret_key: ZALO_APP_SECRET },
    ]);
    const consent = await server.deps.db
      .selectFrom("citizens")
      .select(["phone", "phone_consent_at"])
      .where("zalo_id", "=", "5001000000000001")
      .executeTakeFirstOrThrow();
    expect(consent.phone).toBe("0912345678");
    expect(consent.phone_consent_at).not.toBeNull();

    // A phone typed into the form is ignored: the consented one is used.
    const birth = await procedure(server, "1.001193");
    const filed = await file(
      server,
      token,
      submission({ applicant: { ...submission().applicant, phone: "0987654321" } }),
      requiredFiles(birth, png),
    );
    expect(view(filed).applicant.phone).toBe("0912345678");
  });

  it("when someone sends another user's Zalo token to attach a phone, then it is refused", async () => {
    mockServer.use(...zaloGraphHandlers);
    const an = (await call(server, "POST", "/api/auth/zalo", { json: { accessToken: "access-token-of-an-1234567" } }))
      .body.token;
    const res = await call(server, "POST", "/api/auth/zalo/phone", {
      token: an,
      json: { accessToken: "access-token-of-binh-12345", phoneToken: "phone-token-of-an-123456" },
    });
    expect(res.status).toBe(403);
  });
});

describe("officials signing in", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ loginMaxFailures: 3 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("when the password is wrong too many times, then this address must wait (429), but the account is not locked", async () => {
    const { username } = await official(server, "official", "06652");
    const wrong = () =>
      call(server, "POST", "/api/officials/login", { json: { username, password: "sai-mat-khau-123" } });
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(401);
    const fourth = await wrong();
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe("LOGIN_THROTTLED");
    // Elsewhere the right password still works: an attacker cannot shut the official out (tests/security/login-throttle).
    const row = await server.deps.db
      .selectFrom("officials")
      .select(["failed_logins", "locked_until"])
      .where("username", "=", username)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_logins: 3, locked_until: null });
  });

  it("when the username does not exist, then the answer is the same as for a wrong password", async () => {
    const res = await call(server, "POST", "/api/officials/login", {
      json: { username: "khong-co-ai", password: "bat-ky-mat-khau" },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe("Tên đăng nhập hoặc mật khẩu không đúng.");
  });

  it("when an administrator creates accounts, then roles and units are checked; others cannot create accounts", async () => {
    const admin = await official(server, "admin", "22");
    const created = await call(server, "POST", "/api/admin/officials", {
      token: admin.token,
      json: {
        username: "tnv.hatu",
        name: "Vũ Thanh Niên",
        role: "volunteer",
        unitCode: "06652",
        password: "mot-mat-khau-dai",
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: "tnv.hatu", role: "volunteer", unitCode: "06652" });
    expect(JSON.stringify(created.body)).not.toContain("mot-mat-khau-dai");
    const duplicate = await call(server, "POST", "/api/admin/officials", {
      token: admin.token,
      json: {
        username: "tnv.hatu",
        name: "Xuân Hòa",
        role: "volunteer",
        unitCode: "06652",
        password: "mot-mat-khau-dai",
      },
    });
    expect(duplicate.status).toBe(409);
    const badUnit = await call(server, "POST", "/api/admin/officials", {
      token: admin.token,
      json: { username: "x.y", name: "X Y", role: "official", unitCode: "99999", password: "mot-mat-khau-dai" },
    });
    expect(badUnit.status).toBe(422);
    const officer = await official(server, "official", "06652");
    const notAdmin = await call(server, "POST", "/api/admin/officials", {
      token: officer.token,
      json: { username: "a.b", name: "A B", role: "admin", unitCode: "22", password: "mot-mat-khau-dai" },
    });
    expect(notAdmin.status).toBe(403);
    const stored = await server.deps.db
      .selectFrom("officials")
      .select("password_hash")
      .where("username", "=", "tnv.hatu")
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it("when a citizen's session is used on an officials' endpoint, then 403", async () => {
    const citizenLogin = await call(server, "POST", "/api/auth/dev", { json: { zaloId: "c1", name: "Công Dân" } });
    const res = await call(server, "GET", "/api/officials/dossiers", { token: citizenLogin.body.token });
    expect(res.status).toBe(403);
  });
});
