import {
  AdministrativeUnit,
  type DeliveryRequest,
  DossierLookup,
  DossierPayments,
  DossierSummary,
  DossierView,
  type FailedDeliveryChoice,
  InboxItem,
  NotificationPreferences,
  PaymentAttemptView,
  type PaymentMethod,
  PaymentStart,
  type PickupRequest,
  Procedure,
  ProcedureField,
  type ProcedureSearchQuery,
  ProcedureSearchResult,
  PublicAnnouncement,
  ReceiptLink,
} from "@qn/shared";
import { z } from "zod";
import { inZalo, storage, zaloAccessToken, zaloPhoneToken } from "../zalo";
import { DossierPostalAnswer, PostalQuoteAnswer } from "./postal";
import { ApiClientError, Items, Paged, parseBody, request } from "./request";

/**
 * The one API client of the mini-app: every response is parsed with the shared schemas, every failure becomes an
 * `ApiClientError` (api/request.ts, shared with the officials' console) whose message is Vietnamese and safe to show,
 * and signed-in calls carry the session token (signing in again once when it expired).
 */
export { ApiClientError };

const SESSION_KEY = "qn.session";
const DEV_USER_KEY = "qn.dev-user";

const Session = z.object({
  token: z.string(),
  citizen: z.object({ name: z.string(), developmentIdentity: z.boolean(), hasPhone: z.boolean() }),
});
export type Session = z.infer<typeof Session>;

type Options = {
  method?: string;
  json?: unknown;
  form?: FormData;
  auth?: boolean;
  /** The citizen's session if this device already has one, else none: never starts a sign-in (the public lookup). */
  ifSignedIn?: boolean;
  /** Instead of the citizen's session: an official's token (a volunteer or HCC officer filing for a citizen). */
  token?: string;
  signal?: AbortSignal | undefined;
};

const OFFICIAL_KEY = "qn.official";

/** A volunteer's or HCC officer's sign-in on this device, for filing on a citizen's behalf. */
export const HelperSession = z.object({
  token: z.string(),
  expiresAt: z.string(),
  official: z.object({ username: z.string(), name: z.string(), role: z.string(), unitCode: z.string() }),
});
export type HelperSession = z.infer<typeof HelperSession>;

/** Roles the server lets file on a citizen's behalf. */
export const HELPER_ROLES = ["volunteer", "hcc"];

const AppConfig = z.object({
  oaId: z.string(),
  offline: z.boolean(),
  miniAppId: z.string(),
  maxUploadBytes: z.number(),
});
export type AppConfig = z.infer<typeof AppConfig>;
let appConfig: Promise<AppConfig> | undefined;

let session: Session | undefined;
let signingIn: Promise<Session> | undefined;

/** What a failure says when the server's answer is not the API's error (a proxy's page, a crash). */
const unreadable = () => ({
  message: "Máy chủ trả lời không hợp lệ. Vui lòng thử lại sau.",
  code: "BAD_RESPONSE" as const,
});

/**
 * One request through the core, with the citizen's session (renewed once when it expired) or a helper's token (whose
 * end signs the helper out on this device).
 */
async function send(path: string, options: Options = {}, accept = "application/json"): Promise<Response> {
  const call = async (token: string | undefined) =>
    request(path, {
      method: options.method,
      token,
      json: options.json,
      form: options.form,
      accept,
      signal: options.signal,
      unreadable,
    });
  const token =
    options.token ?? (options.auth ? (await signIn()).token : options.ifSignedIn ? session?.token : undefined);
  try {
    return await call(token);
  } catch (error) {
    if (!(error instanceof ApiClientError) || error.status !== 401) throw error;
    if (options.token) {
      await storage.remove(OFFICIAL_KEY);
      throw new ApiClientError(
        "Phiên đăng nhập nộp thay đã hết hạn. Vui lòng đăng nhập lại ở mục Cá nhân.",
        "UNAUTHORIZED",
        401,
      );
    }
    // A session that ended is no reason to refuse what anyone may ask: asked again, anonymously.
    if (options.ifSignedIn && token) return call(undefined);
    if (!options.auth) throw error;
    await signOut();
    return call((await signIn()).token);
  }
}

async function raw<T>(path: string, schema: z.ZodType<T>, options: Options = {}): Promise<T> {
  return parseBody(await send(path, options), schema);
}

/**
 * A session: inside Zalo from the Zalo access token (verified by the server); in a desktop browser a development
 * identity, which the server only grants when Zalo is not configured.
 */
export function signIn(): Promise<Session> {
  if (session) return Promise.resolve(session);
  signingIn ??= (async () => {
    const stored = await storage.get(SESSION_KEY);
    if (stored) {
      const parsed = Session.safeParse(JSON.parse(stored));
      if (parsed.success) return parsed.data;
    }
    let fresh: Session;
    if (inZalo()) {
      const accessToken = await zaloAccessToken();
      fresh = await raw("/api/auth/zalo", Session, { method: "POST", json: { accessToken } });
    } else {
      let devUser = await storage.get(DEV_USER_KEY);
      if (!devUser) {
        devUser = `dev-${Math.random().toString(36).slice(2, 10)}`;
        await storage.set(DEV_USER_KEY, devUser);
      }
      fresh = await raw("/api/auth/dev", Session, {
        method: "POST",
        json: { zaloId: devUser, name: "Người dùng thử" },
      });
    }
    await storage.set(SESSION_KEY, JSON.stringify(fresh));
    return fresh;
  })()
    .then((s) => {
      session = s;
      return s;
    })
    .finally(() => {
      signingIn = undefined;
    });
  return signingIn;
}

export async function signOut(): Promise<void> {
  session = undefined;
  await storage.remove(SESSION_KEY);
}

const none = z.undefined();

export const api = {
  searchProcedures(query: Partial<ProcedureSearchQuery>, signal?: AbortSignal) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== "") params.set(key, String(value));
    }
    return raw(`/api/procedures?${params}`, ProcedureSearchResult, { signal });
  },
  procedure: (code: string, signal?: AbortSignal) =>
    raw(`/api/procedures/${encodeURIComponent(code)}`, Procedure, { signal }),
  fields: (signal?: AbortSignal) => raw("/api/fields", Items(ProcedureField), { signal }).then((r) => r.items),
  communes: (signal?: AbortSignal) =>
    raw("/api/units", Items(AdministrativeUnit), { signal }).then((r) => r.items.filter((u) => u.type !== "province")),
  /** What this deployment tells the app (cached: it does not change while the app runs). */
  appConfig: () =>
    (appConfig ??= raw("/api/app-config", AppConfig).catch((error: unknown) => {
      appConfig = undefined;
      throw error;
    })),
  me: () =>
    raw("/api/me", z.object({ name: z.string(), phone: z.string().nullable(), developmentIdentity: z.boolean() }), {
      auth: true,
    }),
  async sharePhone(): Promise<string | undefined> {
    const phoneToken = await zaloPhoneToken();
    const accessToken = await zaloAccessToken();
    if (!phoneToken || !accessToken) return undefined;
    const result = await raw("/api/auth/zalo/phone", z.object({ phone: z.string() }), {
      method: "POST",
      json: { accessToken, phoneToken },
      auth: true,
    });
    return result.phone;
  },
  myDossiers: (signal?: AbortSignal) => raw("/api/dossiers?limit=100", Paged(DossierSummary), { auth: true, signal }),
  dossier: (code: string, signal?: AbortSignal) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}`, DossierView, { auth: true, signal }),
  file: (form: FormData) => raw("/api/dossiers", DossierView, { method: "POST", form, auth: true }),
  supplement: (code: string, form: FormData) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/supplement`, DossierView, { method: "POST", form, auth: true }),
  withdraw: (code: string, reason: string) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/withdraw`, DossierView, {
      method: "POST",
      json: { reason },
      auth: true,
    }),
  rate: (code: string, score: number, comment?: string) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/rating`, DossierView, {
      method: "POST",
      json: { score, ...(comment ? { comment } : {}) },
      auth: true,
    }),
  /** A paper the citizen sent, as a Blob for a preview (fetched with the token: it works across origins). */
  attachment: async (code: string, id: number | string, signal?: AbortSignal): Promise<Blob> =>
    (
      await send(
        `/api/dossiers/${encodeURIComponent(code)}/attachments/${encodeURIComponent(String(id))}`,
        {
          auth: true,
          signal,
        },
        "*/*",
      )
    ).blob(),
  /** The dossier's fees: charges with their lines and payment attempts, what is payable now, the methods offered. */
  payments: (code: string, signal?: AbortSignal) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/payments`, DossierPayments, { auth: true, signal }),
  /** Starts paying the payable charge: the attempt, and the page to open or the Checkout order to create. */
  startPayment: (code: string, method: PaymentMethod) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/payments`, PaymentStart, {
      method: "POST",
      json: { method },
      auth: true,
    }),
  /** Tells the server the orderId Zalo's Checkout gave the attempt's order (for its status queries). */
  reportCheckoutOrder: (reference: string, orderId: string) =>
    raw(`/api/payments/${encodeURIComponent(reference)}/order`, PaymentAttemptView, {
      method: "POST",
      json: { orderId },
      auth: true,
    }),
  /**
   * The citizen chose the national platform inside Checkout (its custom method): the Checkout attempt is handed over
   * to a national-platform attempt, whose page the app opens.
   */
  customMethod: (reference: string, orderId: string) =>
    raw(`/api/payments/${encodeURIComponent(reference)}/custom-method`, PaymentStart, {
      method: "POST",
      json: { orderId },
      auth: true,
    }),
  /** A short-lived address of the receipt for Zalo's document viewer (which cannot send the session's header). */
  receiptLink: (code: string, receiptNumber: string) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/receipts/${encodeURIComponent(receiptNumber)}/link`, ReceiptLink, {
      method: "POST",
      auth: true,
    }),
  /** What became of an attempt, as the server learns it from the provider (never the device's word). */
  checkPayment: (reference: string, signal?: AbortSignal) =>
    raw(`/api/payments/${encodeURIComponent(reference)}/check`, PaymentAttemptView, {
      method: "POST",
      auth: true,
      signal,
    }),
  /** An e-receipt (biên lai điện tử) as a PDF Blob, fetched with the session's token. */
  receipt: async (code: string, receiptNumber: string): Promise<Blob> =>
    (
      await send(
        `/api/dossiers/${encodeURIComponent(code)}/receipts/${encodeURIComponent(receiptNumber)}.pdf`,
        { auth: true },
        "application/pdf",
      )
    ).blob(),
  /**
   * Before filing (issue 15): whether the post may carry this procedure, what it costs at the commune's unit, and the
   * days a pick-up may be booked on. No sign-in needed.
   */
  postalQuote: (procedure: string, commune: string | undefined, signal?: AbortSignal) => {
    const query = new URLSearchParams({ procedure });
    if (commune) query.set("commune", commune);
    return raw(`/api/postal/quote?${query}`, PostalQuoteAnswer, { signal });
  },
  /** The dossier's postal section: its orders with their timelines, and what may be asked of the post now. */
  postal: (code: string, signal?: AbortSignal) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/postal`, DossierPostalAnswer, { auth: true, signal }),
  /** Asks the post to pick up the originals at the citizen's address. */
  requestPickup: (code: string, request: PickupRequest) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/postal/pickup`, DossierPostalAnswer, {
      method: "POST",
      json: request,
      auth: true,
    }),
  /** Asks for the result by post (the dossier's way of returning the result changes to "by post"). */
  requestDelivery: (code: string, request: DeliveryRequest) =>
    raw(`/api/dossiers/${encodeURIComponent(code)}/postal/delivery`, DossierPostalAnswer, {
      method: "POST",
      json: request,
      auth: true,
    }),
  /** After a failed or returned delivery: deliver again, to another address, or collect at the counter. */
  choosePostal: (code: string, reference: string, choice: FailedDeliveryChoice) =>
    raw(
      `/api/dossiers/${encodeURIComponent(code)}/postal/orders/${encodeURIComponent(reference)}/choice`,
      DossierPostalAnswer,
      { method: "POST", json: choice, auth: true },
    ),
  /**
   * As anyone holding the receipt asks; with its secret, the details too. With the session this device already has, so
   * that the owner sees their details and is counted as themselves, not as their carrier's shared address.
   */
  lookup: (code: string, secret?: string, signal?: AbortSignal) =>
    raw(
      `/api/lookup/${encodeURIComponent(code)}${secret ? `?secret=${encodeURIComponent(secret)}` : ""}`,
      DossierLookup,
      { signal, ifSignedIn: true },
    ),
  notifications: (signal?: AbortSignal) =>
    raw("/api/notifications?limit=50", z.object({ items: z.array(InboxItem), total: z.number(), unread: z.number() }), {
      auth: true,
      signal,
    }),
  markRead: (id: number) => raw(`/api/notifications/${id}/read`, none, { method: "POST", auth: true }),
  markAllRead: () => raw("/api/notifications/read-all", none, { method: "POST", auth: true }),
  preferences: () => raw("/api/notifications/preferences", NotificationPreferences, { auth: true }),
  savePreferences: (prefs: NotificationPreferences) =>
    raw("/api/notifications/preferences", none, { method: "PUT", json: prefs, auth: true }),
  announcements: (limit = 10, signal?: AbortSignal) =>
    raw(`/api/announcements?limit=${limit}`, Paged(PublicAnnouncement), { signal }),

  /** The volunteer's or HCC officer's sign-in on this device, if any and not expired. */
  async helper(): Promise<HelperSession | undefined> {
    const stored = await storage.get(OFFICIAL_KEY);
    if (!stored) return undefined;
    const parsed = HelperSession.safeParse(JSON.parse(stored));
    if (!parsed.success || Date.parse(parsed.data.expiresAt) <= Date.now()) {
      await storage.remove(OFFICIAL_KEY);
      return undefined;
    }
    return parsed.data;
  },
  async helperLogin(username: string, password: string): Promise<HelperSession> {
    const session = await raw("/api/officials/login", HelperSession, { method: "POST", json: { username, password } });
    await storage.set(OFFICIAL_KEY, JSON.stringify(session));
    return session;
  },
  async helperLogout(): Promise<void> {
    const current = await api.helper();
    await storage.remove(OFFICIAL_KEY);
    if (current) await raw("/api/auth/logout", none, { method: "POST", token: current.token }).catch(() => undefined);
  },
  /** Files for a citizen with the helper's sign-in; the submission carries the citizen's consent. */
  async fileOnBehalf(form: FormData): Promise<DossierView> {
    const current = await api.helper();
    if (!current) {
      throw new ApiClientError("Vui lòng đăng nhập tài khoản nộp thay ở mục Cá nhân.", "UNAUTHORIZED", 401);
    }
    return raw("/api/dossiers", DossierView, { method: "POST", form, token: current.token });
  },
};
