/**
 * The script of the Zalo double: what each zmp-sdk API answers, as Zalo answers it (a value, or a rejection with
 * Zalo's `{ code, message }`). Each API has a list of outcomes used one per call; the last one repeats. A test sets
 * the script before the app loads (`window.__zaloDoubleScript`, e.g. with Playwright's addInitScript) or changes it
 * while the app runs (`window.__zaloDouble.script`), and reads the calls the app made (`window.__zaloDouble.calls`).
 */
export type Outcome<T> = { ok: T } | { error: { code: number; message: string } };

export type ZaloScript = {
  accessToken: Outcome<string>[];
  phone: Outcome<{ token?: string }>[];
  /** openMediaPicker: the temporary paths of the pictures taken. */
  media: Outcome<{ data: string[] | string }>[];
  chooseImage: Outcome<{ filePaths: string[] }>[];
  scanQR: Outcome<{ content: string }>[];
  followOA: Outcome<null>[];
  notification: Outcome<null>[];
  shortcut: Outcome<null>[];
  share: Outcome<{ status: number }>[];
  /** Payment.createOrder (Checkout): the order Zalo created for the server's signed order. */
  createOrder: Outcome<{ orderId: string; transId?: string }>[];
  /** Payment.checkTransaction: 1 paid, 0 processing, −1 failed, −2 no method chosen (the rest is filled in). */
  checkTransaction: Outcome<{ resultCode: number }>[];
  /**
   * Events the double emits, 50 ms apart, once createOrder has answered (e.g. `["action.payment.done"]`, Zalo's
   * EventName.PaymentDone). Empty: the test emits them itself, when it wants, with `window.__zaloDouble.emit`.
   */
  paymentEvents: string[];
  /** After openWebview: ms until the double emits EventName.WebviewClosed (the citizen closed the page); null never. */
  webviewClosedAfterMs: number | null;
  downloadFile: Outcome<null>[];
  openDocument: Outcome<null>[];
  /** getRouteParams: the query of the zalo.me/s link that opened the app. */
  routeParams: Record<string, string>;
};

/** What is not an API's list of outcomes. */
export type ZaloSettings = "routeParams" | "paymentEvents" | "webviewClosedAfterMs";

export type ZaloCall = { api: string; args: unknown };

export type ZaloListener = (data?: unknown) => void;

export type ZaloDoubleState = {
  script: ZaloScript;
  calls: ZaloCall[];
  /** zmp-sdk's `events`: the app's listeners by event name. */
  listeners: Record<string, ZaloListener[]>;
  /** Emits a zmp-sdk event to the app's listeners, as Zalo does (recorded as a call of `event:<name>`). */
  emit: (event: string, data?: unknown) => void;
};

const NOT_SCRIPTED = { error: { code: -1, message: "Unknown error. Please try again later." } };

export const DEFAULT_SCRIPT: ZaloScript = {
  accessToken: [NOT_SCRIPTED],
  phone: [NOT_SCRIPTED],
  media: [NOT_SCRIPTED],
  chooseImage: [NOT_SCRIPTED],
  scanQR: [NOT_SCRIPTED],
  followOA: [NOT_SCRIPTED],
  notification: [NOT_SCRIPTED],
  shortcut: [NOT_SCRIPTED],
  share: [NOT_SCRIPTED],
  createOrder: [NOT_SCRIPTED],
  checkTransaction: [NOT_SCRIPTED],
  paymentEvents: [],
  webviewClosedAfterMs: null,
  downloadFile: [NOT_SCRIPTED],
  openDocument: [NOT_SCRIPTED],
  routeParams: {},
};

/** Zalo's event names (zmp-sdk's EventName) the payment flow uses. */
export const ZALO_EVENTS = {
  PaymentDone: "action.payment.done",
  PaymentClose: "action.payment.close",
  WebviewClosed: "h5.event.webview.close",
} as const;

/** Zalo's answers the tests use (Zalo Mini App error codes). */
export const REFUSED = { error: { code: -1401, message: "User denied" } } as const;
export const FOLLOW_DECLINED = { error: { code: -201, message: "User refused to follow OA" } } as const;
