import { createHash } from "node:crypto";
import { delay, HttpResponse, http } from "msw";

/**
 * A fake national online-payment platform (LEVEL4.md §3; the client is
 * bot-server/src/clients/payments/national/national-payment.client.ts), for msw tests and end-to-end tests.
 *
 * Usage:
 *     const platform = fakeNationalPlatform();              // or fakeNationalPlatform({ baseUrl, secret, … })
 *     mockServer.use(...platform.handlers);                   // in beforeEach: msw resets handlers after each test
 *     new NationalPaymentProvider({ ...platform.clientOptions }, logger)
 *     …the client INITs → platform.state.attempts.get(ref) holds it, `UrlThanhToan` is platform.payUrl(ref)
 *     platform.markPaid(ref)      // the citizen paid: QUERY now says TrangThaiGD "1", the receipt PDF exists
 *     platform.markFailed(ref)    // …or the payment failed: TrangThaiGD "4"
 *     platform.confirmFor(ref)    // the signed confirm callback body the platform would POST to us for that state
 *     signedConfirm(secret, { MaThamChieu, SoTien, … })   // any confirm body, correctly signed (fields overridable)
 *
 * What it checks, like the real platform is assumed to: `Authorization: Bearer <token>` (401 otherwise), the
 * message's MaDoiTac (MaLoi "03") and its MaXacThuc (MaLoi "02"), both computed here independently of the client's
 * mapping module (the field lists below are written out again on purpose). An INIT again with the same MaThamChieu
 * and amount gives the same page; with another amount it is refused (MaLoi "05"). QUERY of an unknown reference
 * answers MaLoi "04" and no TrangThaiGD; the receipt of an unpaid or unknown one is a 404.
 *
 * `handle(request)` is the whole platform as a fetch-style function (undefined when the path is not its own), so a
 * test that needs the platform in another process can serve it from a plain `http.createServer` too. `slowDown(op,
 * ms)` delays the next answer of an operation; `fail(op, response)` answers the next call of an operation with a
 * given Response instead. Every request received is in `state.requests`, with its Authorization header and body.
 */

export const NATIONAL_URL = "https://thanhtoan.dichvucong.test";
export const NATIONAL_PARTNER = "QNINH-TEST";
export const NATIONAL_SECRET = "national-secret-for-tests";
export const NATIONAL_TOKEN = "national-token-for-tests";
export const NATIONAL_PATHS = {
  init: "/api/thanhtoan/init",
  query: "/api/thanhtoan/query",
  receipt: "/api/thanhtoan/bienlai",
} as const;

type Operation = keyof typeof NATIONAL_PATHS;

const INIT_FIELDS = [
  "LoaiBanTin",
  "PhienBan",
  "MaDoiTac",
  "MaThamChieu",
  "SoTien",
  "LoaiHinhThanhToan",
  "MaKenhThanhToan",
  "MaThietBi",
  "NgonNgu",
  "MaTienTe",
  "MaNganHang",
  "ThongTinGiaoDich",
  "ThoiGianGD",
  "Ip",
];
const CONFIRM_FIELDS = [
  "LoaiBanTin",
  "MaLoi",
  "MaDoiTac",
  "MaThamChieu",
  "SoTien",
  "MaTienTe",
  "MaGiaoDich",
  "MaNganHang",
  "ThoiGianGD",
  "ThongTinGiaoDich",
];
const QUERY_FIELDS = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"];

function sign(body: Record<string, unknown>, fields: readonly string[], secret: string): string {
  const text = [...fields.map((f) => (body[f] === undefined || body[f] === null ? "" : String(body[f]))), secret].join(
    "|",
  );
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** yyyyMMddHHmmss in Vietnam time (UTC+7), written out here rather than borrowed from the code under test. */
export function vietnamStamp(at: Date): string {
  return new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 19).replace(/\D/g, "");
}

export type ConfirmBody = {
  LoaiBanTin: string;
  MaLoi: string;
  MaDoiTac: string;
  MaThamChieu: string;
  SoTien: number | string;
  MaTienTe: string;
  MaGiaoDich: string;
  MaNganHang: string;
  ThoiGianGD: string;
  ThongTinGiaoDich: string;
  MaXacThuc: string;
};

/**
 * A confirm callback body, correctly signed with `secret`. Defaults: a success (MaLoi "00") of 10 000đ for
 * NATIONAL_PARTNER, bank VCB, now; give at least MaThamChieu. `MaXacThuc` in `fields` is ignored (recomputed) — to
 * send a bad one, overwrite it on the result.
 */
export function signedConfirm(secret: string, fields: Partial<ConfirmBody> & { MaThamChieu: string }): ConfirmBody {
  const body = {
    LoaiBanTin: "CONFIRM",
    MaLoi: "00",
    MaDoiTac: NATIONAL_PARTNER,
    SoTien: 10000,
    MaTienTe: "VND",
    MaGiaoDich: `GD${fields.MaThamChieu.slice(-10)}`,
    MaNganHang: "VCB",
    ThoiGianGD: vietnamStamp(new Date()),
    ThongTinGiaoDich: "",
    ...fields,
  };
  return { ...body, MaXacThuc: sign(body, CONFIRM_FIELDS, secret) };
}

/** The smallest file that starts like a PDF, standing in for the platform's receipt. */
export function fakeReceiptPdf(reference: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% Bien lai ${reference}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n`);
}

export type FakeNationalAttempt = {
  reference: string;
  amount: number;
  description: string;
  /** The INIT body as received (ThongTinBienLai included). */
  init: Record<string, unknown>;
  state: "pending" | "paid" | "failed";
  transactionId: string | null;
  bankCode: string | null;
  /** When it was paid or failed. */
  settledAt: Date | null;
};

export type RecordedNationalRequest = {
  operation: Operation;
  authorization: string | null;
  body: unknown;
};

export type FakeNationalOptions = {
  baseUrl?: string;
  partnerCode?: string;
  secret?: string;
  token?: string;
  paths?: Partial<Record<Operation, string>>;
  /** Where the payment pages live (https). */
  payBaseUrl?: string;
  /** Answer INIT and QUERY inside `{error_code:"0", message:"<JSON>"}`, as that source's platform did. */
  envelope?: boolean;
  now?: () => Date;
};

export function fakeNationalPlatform(options: FakeNationalOptions = {}) {
  const baseUrl = (options.baseUrl ?? NATIONAL_URL).replace(/\/+$/, "");
  const partnerCode = options.partnerCode ?? NATIONAL_PARTNER;
  const secret = options.secret ?? NATIONAL_SECRET;
  const token = options.token ?? NATIONAL_TOKEN;
  const paths = { ...NATIONAL_PATHS, ...options.paths };
  const payBaseUrl = (options.payBaseUrl ?? "https://pay.thanhtoan.dichvucong.test").replace(/\/+$/, "");
  const now = options.now ?? (() => new Date());

  const state = {
    attempts: new Map<string, FakeNationalAttempt>(),
    requests: [] as RecordedNationalRequest[],
    slow: new Map<Operation, number[]>(),
    failures: new Map<Operation, (() => Response)[]>(),
    transactions: 0,
  };

  const payUrl = (reference: string) => `${payBaseUrl}/pay/${encodeURIComponent(reference)}`;

  const answer = (body: Record<string, unknown>) =>
    options.envelope && body.MaLoi === "00"
      ? HttpResponse.json({ error_code: "0", message: JSON.stringify(body) })
      : HttpResponse.json(body);

  const refuse = (code: string, text: string) => answer({ MaLoi: code, MoTaLoi: text });

  function attempt(reference: string): FakeNationalAttempt {
    const found = state.attempts.get(reference);
    if (!found) throw new Error(`the fake platform has no attempt ${reference}`);
    return found;
  }

  /** The citizen paid: QUERY says "1", the receipt exists, confirmFor gives a success. */
  function markPaid(reference: string, paid: { transactionId?: string; at?: Date; bankCode?: string } = {}) {
    const found = attempt(reference);
    state.transactions++;
    found.state = "paid";
    found.transactionId = paid.transactionId ?? `GD${String(state.transactions).padStart(10, "0")}`;
    found.bankCode = paid.bankCode ?? "VCB";
    found.settledAt = paid.at ?? now();
    return found;
  }

  /** The payment failed (or was abandoned on the platform's page): QUERY says "4". */
  function markFailed(reference: string, at?: Date) {
    const found = attempt(reference);
    found.state = "failed";
    found.settledAt = at ?? now();
    return found;
  }

  /** The confirm callback the platform would send for the attempt's current state (paid or failed), signed. */
  function confirmFor(reference: string, overrides: Partial<ConfirmBody> = {}): ConfirmBody {
    const found = attempt(reference);
    if (found.state === "pending") throw new Error(`attempt ${reference} is neither paid nor failed yet`);
    return signedConfirm(secret, {
      MaDoiTac: partnerCode,
      MaThamChieu: reference,
      MaLoi: found.state === "paid" ? "00" : "24",
      SoTien: found.amount,
      MaGiaoDich: found.transactionId ?? "",
      MaNganHang: found.bankCode ?? "",
      ThoiGianGD: vietnamStamp(found.settledAt ?? now()),
      ThongTinGiaoDich: found.description,
      ...overrides,
    });
  }

  const slowDown = (operation: Operation, ms: number) => {
    state.slow.set(operation, [...(state.slow.get(operation) ?? []), ms]);
  };
  const fail = (operation: Operation, response: () => Response) => {
    state.failures.set(operation, [...(state.failures.get(operation) ?? []), response]);
  };

  async function checked(
    operation: Operation,
    request: Request,
    fields: readonly string[],
  ): Promise<{ body: Record<string, unknown> } | { response: Response }> {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      body = null;
    }
    const authorization = request.headers.get("authorization");
    state.requests.push({ operation, authorization, body });
    const wait = state.slow.get(operation)?.shift();
    if (wait) await delay(wait);
    const failure = state.failures.get(operation)?.shift();
    if (failure) return { response: failure() };
    if (authorization !== `Bearer ${token}`) {
      return { response: HttpResponse.json({ MaLoi: "401", MoTaLoi: "Token không hợp lệ" }, { status: 401 }) };
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      return { response: HttpResponse.json({ MaLoi: "400", MoTaLoi: "Dữ liệu không hợp lệ" }, { status: 400 }) };
    }
    const record = body as Record<string, unknown>;
    if (record.MaDoiTac !== partnerCode) return { response: refuse("03", "Sai mã đối tác") };
    if (record.MaXacThuc !== sign(record, fields, secret)) return { response: refuse("02", "Sai mã xác thực") };
    return { body: record };
  }

  async function init(request: Request): Promise<Response> {
    const result = await checked("init", request, INIT_FIELDS);
    if ("response" in result) return result.response;
    const { body } = result;
    const reference = String(body.MaThamChieu ?? "");
    const amount = Number(body.SoTien);
    if (body.LoaiBanTin !== "INIT" || !reference || !/^\d+$/.test(String(body.SoTien)) || amount <= 0) {
      return refuse("01", "Dữ liệu giao dịch không hợp lệ");
    }
    const known = state.attempts.get(reference);
    if (known && known.amount !== amount) return refuse("05", "Mã tham chiếu đã được dùng");
    if (!known) {
      state.attempts.set(reference, {
        reference,
        amount,
        description: String(body.ThongTinGiaoDich ?? ""),
        init: body,
        state: "pending",
        transactionId: null,
        bankCode: null,
        settledAt: null,
      });
    }
    return answer({ MaLoi: "00", MoTaLoi: "Thành công", MaThamChieu: reference, UrlThanhToan: payUrl(reference) });
  }

  async function query(request: Request): Promise<Response> {
    const result = await checked("query", request, QUERY_FIELDS);
    if ("response" in result) return result.response;
    const reference = String(result.body.MaThamChieu ?? "");
    const found = state.attempts.get(reference);
    if (!found) return refuse("04", "Không tìm thấy giao dịch");
    return answer({
      MaLoi: "00",
      MoTaLoi: "Thành công",
      MaDoiTac: partnerCode,
      MaThamChieu: reference,
      TrangThaiGD: found.state === "paid" ? "1" : found.state === "failed" ? "4" : "0",
      SoTien: found.amount,
      MaTienTe: "VND",
      MaGiaoDich: found.transactionId ?? "",
      MaNganHang: found.bankCode ?? "",
      ThoiGianGD: vietnamStamp(found.settledAt ?? now()),
    });
  }

  async function receipt(request: Request): Promise<Response> {
    const result = await checked("receipt", request, QUERY_FIELDS);
    if ("response" in result) return result.response;
    const found = state.attempts.get(String(result.body.MaThamChieu ?? ""));
    if (found?.state !== "paid") return new HttpResponse(null, { status: 404 });
    return new HttpResponse(fakeReceiptPdf(found.reference), { headers: { "Content-Type": "application/pdf" } });
  }

  /** The platform as a fetch-style function: an answer for its own paths, undefined for any other. */
  async function handle(request: Request): Promise<Response | undefined> {
    if (request.method !== "POST") return undefined;
    const path = new URL(request.url).href;
    if (path === `${baseUrl}${paths.init}`) return init(request);
    if (path === `${baseUrl}${paths.query}`) return query(request);
    if (path === `${baseUrl}${paths.receipt}`) return receipt(request);
    return undefined;
  }

  const handlers = [
    http.post(`${baseUrl}${paths.init}`, ({ request }) => init(request)),
    http.post(`${baseUrl}${paths.query}`, ({ request }) => query(request)),
    http.post(`${baseUrl}${paths.receipt}`, ({ request }) => receipt(request)),
  ];

  /** The options the client needs to talk to this platform (add timeoutMs, now…). */
  const clientOptions = {
    baseUrl,
    partnerCode,
    secret,
    token,
    initPath: paths.init,
    queryPath: paths.query,
    receiptPath: paths.receipt,
  };

  return { state, handlers, handle, clientOptions, payUrl, markPaid, markFailed, confirmFor, slowDown, fail };
}

export type FakeNationalPlatform = ReturnType<typeof fakeNationalPlatform>;
