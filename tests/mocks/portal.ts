import { createHash } from "node:crypto";
import {
  type PortalAttachment,
  type PortalDossier,
  PortalDossierCreate,
  type PortalProcedure,
  type PortalStateChange,
  toPortalDateTime,
} from "@qn/shared";
import { delay, HttpResponse, http } from "msw";

export const PORTAL_URL = "https://dichvucong.quangninh.test/portal-api";
export const PORTAL_CLIENT_ID = "zalo-bot-server";
export const PORTAL_CLIENT_SECRET = "client-secret-for-tests";

export type PortalOperationName =
  | "token"
  | "catalogueChanges"
  | "createDossier"
  | "uploadAttachment"
  | "getDossier"
  | "dossierChanges"
  | "supplement"
  | "withdraw";

export type RecordedPortalRequest = {
  operation: PortalOperationName;
  method: string;
  path: string;
  authorization: string | null;
  idempotencyKey: string | null;
  body: unknown;
};

const error = (status: number, code: string, message: string) =>
  HttpResponse.json({ error: { code, message } }, { status });

/**
 * A fake provincial portal speaking docs/portal-api/openapi.json: OAuth client credentials, dossiers with idempotent
 * creation, attachments, the change feed and the catalogue feed, and everything it received. `slowDown(op, ms)` makes
 * the next answer of an operation late *after* the work is done — the portal was slow, not idle — so a client that
 * gave up and retried can be caught filing twice.
 */
export function fakePortal(options: { tokenLifetimeSeconds?: number; now?: () => Date } = {}) {
  const now = options.now ?? (() => new Date());
  const state = {
    tokenCalls: 0,
    issuedTokens: [] as string[],
    validTokens: new Set<string>(),
    requests: [] as RecordedPortalRequest[],
    dossiers: new Map<string, PortalDossier>(),
    idempotency: new Map<string, { bodyHash: string; code: string }>(),
    attachments: [] as (PortalAttachment & { dossierCode: string; bytes: number })[],
    changes: [] as PortalStateChange[],
    procedures: [] as PortalProcedure[],
    slow: new Map<PortalOperationName, number[]>(),
  };

  const slowDown = (operation: PortalOperationName, ms: number) => {
    state.slow.set(operation, [...(state.slow.get(operation) ?? []), ms]);
  };

  async function answer(operation: PortalOperationName, response: Response): Promise<Response> {
    const wait = state.slow.get(operation)?.shift();
    if (wait) await delay(wait);
    return response;
  }

  async function record(operation: PortalOperationName, request: Request, body: unknown) {
    const url = new URL(request.url);
    state.requests.push({
      operation,
      method: request.method,
      path: url.pathname.replace(new URL(PORTAL_URL).pathname, "") + url.search,
      authorization: request.headers.get("authorization"),
      idempotencyKey: request.headers.get("idempotency-key"),
      body,
    });
    const token = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    return token !== undefined && state.validTokens.has(token);
  }

  const unauthorized = () => error(401, "UNAUTHORIZED", "Access token không hợp lệ hoặc đã hết hạn");

  function addChange(dossier: PortalDossier, from: PortalDossier["TrangThaiHoSo"] | null, action: string) {
    state.changes.push({
      MaSuKien: `evt-${state.changes.length + 1}`,
      MaHoSo: dossier.MaHoSo,
      MaThamChieu: dossier.MaThamChieu,
      TrangThaiCu: from,
      TrangThaiHoSo: dossier.TrangThaiHoSo,
      ThoiGian: toPortalDateTime(now()),
      HanhDong: action,
      GiayToCanBoSung: [],
    });
  }

  /** Sets a dossier's state as an official of the portal would (for tests that need state 5, for instance). */
  function setState(code: string, to: PortalDossier["TrangThaiHoSo"], action = "test") {
    const dossier = state.dossiers.get(code);
    if (!dossier) throw new Error(`no dossier ${code}`);
    const from = dossier.TrangThaiHoSo;
    dossier.TrangThaiHoSo = to;
    addChange(dossier, from, action);
  }

  const byCode = (params: Record<string, string | readonly string[] | undefined>) =>
    state.dossiers.get(decodeURIComponent(String(params.code)));

  const handlers = [
    http.post(`${PORTAL_URL}/oauth/token`, async ({ request }) => {
      state.tokenCalls++;
      const form = new URLSearchParams(await request.text());
      const expected = Buffer.from(`${PORTAL_CLIENT_ID}:${PORTAL_CLIENT_SECRET}`).toString("base64");
      if (request.headers.get("authorization") !== `Basic ${expected}`) {
        return HttpResponse.json(
          { error: "invalid_client", error_description: "Client authentication failed" },
          { status: 401 },
        );
      }
      if (form.get("grant_type") !== "client_credentials") {
        return HttpResponse.json({ error: "unsupported_grant_type" }, { status: 400 });
      }
      const token = `token-${state.tokenCalls}`;
      state.issuedTokens.push(token);
      state.validTokens.add(token);
      return answer(
        "token",
        HttpResponse.json({
          access_token: token,
          token_type: "Bearer",
          expires_in: options.tokenLifetimeSeconds ?? 3600,
          scope: "dossiers catalogue",
        }),
      );
    }),

    http.get(`${PORTAL_URL}/v1/units/:unit/procedures`, async ({ request, params }) => {
      if (!(await record("catalogueChanges", request, null))) return unauthorized();
      const url = new URL(request.url);
      const from = Number(/^p:(\d+)$/.exec(url.searchParams.get("since") ?? "")?.[1] ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const all = state.procedures.filter((p) => p.MaDonVi === params.unit);
      const items = all.slice(from, from + limit);
      const next = from + items.length;
      return answer(
        "catalogueChanges",
        HttpResponse.json({ items, nextCursor: `p:${next}`, hasMore: next < all.length }),
      );
    }),

    http.post(`${PORTAL_URL}/v1/dossiers`, async ({ request }) => {
      const text = await request.text();
      const body = JSON.parse(text) as unknown;
      if (!(await record("createDossier", request, body))) return unauthorized();
      const key = request.headers.get("idempotency-key");
      if (!key) return error(400, "IDEMPOTENCY_KEY_REQUIRED", "Thiếu Idempotency-Key");
      const parsed = PortalDossierCreate.safeParse(body);
      if (!parsed.success) return error(400, "VALIDATION_FAILED", "Dữ liệu hồ sơ không hợp lệ");
      const bodyHash = createHash("sha256").update(JSON.stringify(parsed.data)).digest("hex");
      const seen = state.idempotency.get(key);
      if (seen) {
        if (seen.bodyHash !== bodyHash) {
          return error(409, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key đã được dùng cho một hồ sơ khác");
        }
        return answer(
          "createDossier",
          HttpResponse.json(state.dossiers.get(seen.code), { status: 200, headers: { "Idempotent-Replayed": "true" } }),
        );
      }
      const { NguoiNopThay: _onBehalf, ...create } = parsed.data;
      const code = `000.00.20.H49-251001-${String(state.dossiers.size + 1).padStart(4, "0")}`;
      const dossier: PortalDossier = {
        ...create,
        MaHoSo: code,
        TenTTHC: "Đăng ký khai sinh",
        TrangThaiHoSo: 1,
        NgayTiepNhan: null,
        NgayHenTra: null,
        GiayToCanBoSung: [],
      };
      state.dossiers.set(code, dossier);
      state.idempotency.set(key, { bodyHash, code });
      addChange(dossier, null, "submit");
      return answer("createDossier", HttpResponse.json(dossier, { status: 201 }));
    }),

    http.post(`${PORTAL_URL}/v1/dossiers/:code/attachments`, async ({ request, params }) => {
      const form = await request.formData();
      const file = form.get("TepDinhKem");
      const fields: Record<string, string> = {};
      form.forEach((value, name) => {
        if (typeof value === "string") fields[name] = value;
      });
      if (!(await record("uploadAttachment", request, fields))) return unauthorized();
      const dossier = byCode(params);
      if (!dossier) return error(404, "DOSSIER_NOT_FOUND", "Không tìm thấy hồ sơ");
      if (!(file instanceof File)) return error(400, "VALIDATION_FAILED", "Thiếu tệp");
      const bytes = Buffer.from(await file.arrayBuffer());
      if (createHash("sha256").update(bytes).digest("hex") !== fields.MaBam) {
        return error(400, "CHECKSUM_MISMATCH", "Mã băm không khớp với tệp");
      }
      const attachment: PortalAttachment = {
        MaTepDinhKem: `tdk-${state.attachments.length + 1}`,
        TenGiayTo: String(fields.TenGiayTo),
        ViTriGiayTo: fields.ViTriGiayTo === undefined ? null : Number(fields.ViTriGiayTo),
        LoaiDinhKem: fields.LoaiDinhKem === "2" ? 2 : 1,
        TenTepDinhKem: file.name,
        KieuTep: file.type as PortalAttachment["KieuTep"],
        KichThuoc: bytes.length,
        MaBam: String(fields.MaBam),
        NgayTai: toPortalDateTime(now()),
      };
      state.attachments.push({ ...attachment, dossierCode: dossier.MaHoSo, bytes: bytes.length });
      return answer("uploadAttachment", HttpResponse.json(attachment, { status: 201 }));
    }),

    http.get(`${PORTAL_URL}/v1/dossiers/:code`, async ({ request, params }) => {
      if (!(await record("getDossier", request, null))) return unauthorized();
      const dossier = byCode(params);
      if (!dossier) return error(404, "DOSSIER_NOT_FOUND", "Không tìm thấy hồ sơ");
      return answer("getDossier", HttpResponse.json(dossier));
    }),

    http.get(`${PORTAL_URL}/v1/dossier-changes`, async ({ request }) => {
      if (!(await record("dossierChanges", request, null))) return unauthorized();
      const url = new URL(request.url);
      const from = Number(/^c:(\d+)$/.exec(url.searchParams.get("since") ?? "")?.[1] ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const items = state.changes.slice(from, from + limit);
      const next = from + items.length;
      return answer(
        "dossierChanges",
        HttpResponse.json({ items, nextCursor: `c:${next}`, hasMore: next < state.changes.length }),
      );
    }),

    http.post(`${PORTAL_URL}/v1/dossiers/:code/supplement`, async ({ request, params }) => {
      const body = (await request.json()) as { MaTepDinhKem?: string[] };
      if (!(await record("supplement", request, body))) return unauthorized();
      const dossier = byCode(params);
      if (!dossier) return error(404, "DOSSIER_NOT_FOUND", "Không tìm thấy hồ sơ");
      if (dossier.TrangThaiHoSo !== 5) {
        return error(409, "ILLEGAL_TRANSITION", "Hồ sơ không ở trạng thái yêu cầu bổ sung");
      }
      setState(dossier.MaHoSo, 4, "supplement");
      dossier.GiayToCanBoSung = [];
      return answer("supplement", HttpResponse.json(dossier));
    }),

    http.post(`${PORTAL_URL}/v1/dossiers/:code/withdraw`, async ({ request, params }) => {
      const body = await request.json();
      if (!(await record("withdraw", request, body))) return unauthorized();
      const dossier = byCode(params);
      if (!dossier) return error(404, "DOSSIER_NOT_FOUND", "Không tìm thấy hồ sơ");
      if (![1, 2, 4, 5, 6].includes(dossier.TrangThaiHoSo)) {
        return error(409, "ILLEGAL_TRANSITION", "Hồ sơ đã kết thúc, không thể rút");
      }
      setState(dossier.MaHoSo, 7, "withdraw");
      return answer("withdraw", HttpResponse.json(dossier));
    }),
  ];

  return { state, handlers, slowDown, setState };
}
