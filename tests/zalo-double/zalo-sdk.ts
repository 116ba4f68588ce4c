/**
 * A scripted double of the app's one zmp-sdk module (mini-app/src/zalo-sdk.ts), of the same type, for the in-Zalo
 * tests: the test build resolves `./zalo-sdk` to this file (tests/helpers/mini-app-build.ts, buildMiniAppForZalo).
 * Each API records its call and answers from the script (./script.ts); rejections carry Zalo's `{ code, message }`.
 * nativeStorage is kept in localStorage under its own prefix, so that it survives a reload as Zalo's does.
 */
import type * as Real from "../../mini-app/src/zalo-sdk";
import {
  type Outcome,
  ZALO_EVENTS,
  type ZaloDoubleState,
  type ZaloListener,
  type ZaloScript,
  type ZaloSettings,
} from "./script";

const state = (): ZaloDoubleState => {
  const s = (window as { __zaloDouble?: ZaloDoubleState }).__zaloDouble;
  if (!s) throw new Error("The Zalo double's bridge did not load");
  return s;
};

type Scripted = Exclude<keyof ZaloScript, ZaloSettings>;

function answer<T>(key: Scripted, api: string, args: unknown): Promise<T> {
  const { script, calls } = state();
  calls.push({ api, args });
  const outcomes = script[key] as Outcome<T>[];
  const outcome = outcomes.length > 1 ? (outcomes.shift() as Outcome<T>) : (outcomes[0] as Outcome<T>);
  return new Promise((resolve, reject) =>
    setTimeout(() => ("ok" in outcome ? resolve(outcome.ok) : reject({ ...outcome.error, api })), 30),
  );
}

export const getAccessToken: typeof Real.getAccessToken = (args) => answer("accessToken", "getAccessToken", args);
export const getPhoneNumber: typeof Real.getPhoneNumber = (args) => answer("phone", "getPhoneNumber", args);
export const openMediaPicker: typeof Real.openMediaPicker = (args) => answer("media", "openMediaPicker", args);
export const chooseImage: typeof Real.chooseImage = (args) =>
  answer<{ filePaths: string[] }>("chooseImage", "chooseImage", args).then((r) => ({ ...r, tempFiles: [] }));
export const scanQRCode: typeof Real.scanQRCode = (args) => answer("scanQR", "scanQRCode", args);
export const followOA: typeof Real.followOA = (args) =>
  answer<null>("followOA", "followOA", args).then(() => undefined);
export const requestSendNotification: typeof Real.requestSendNotification = (args) =>
  answer<null>("notification", "requestSendNotification", args).then(() => undefined);
export const createShortcut: typeof Real.createShortcut = (args) => answer("shortcut", "createShortcut", args);
export const openShareSheet: typeof Real.openShareSheet = (args) =>
  answer("share", "openShareSheet", args) as ReturnType<typeof Real.openShareSheet>;

export const getRouteParams: typeof Real.getRouteParams = () => {
  state().calls.push({ api: "getRouteParams", args: undefined });
  return { ...state().script.routeParams };
};

const done = (api: string) => (args: unknown) => {
  state().calls.push({ api, args });
  return Promise.resolve();
};
export const setNavigationBarTitle: typeof Real.setNavigationBarTitle = done("setNavigationBarTitle");
export const setNavigationBarLeftButton: typeof Real.setNavigationBarLeftButton = done("setNavigationBarLeftButton");
export const openChat: typeof Real.openChat = done("openChat");
export const openWebview: typeof Real.openWebview = (args) => {
  const closeAfter = state().script.webviewClosedAfterMs;
  if (closeAfter !== null) setTimeout(() => state().emit(ZALO_EVENTS.WebviewClosed), closeAfter);
  return done("openWebview")(args);
};

// ─── Checkout (payments) and files ───

export const createOrder: typeof Real.createOrder = (args) =>
  answer<{ orderId: string; transId?: string }>("createOrder", "createOrder", args).then((order) => {
    state().script.paymentEvents.forEach((event, i) => {
      setTimeout(() => state().emit(event), 50 * (i + 1));
    });
    return order;
  });

export const checkTransaction: typeof Real.checkTransaction = (args) =>
  answer<{ resultCode: number }>("checkTransaction", "checkTransaction", args).then((r) => ({
    err: 0,
    msg: "",
    orderId: typeof args.data === "object" ? String(args.data.orderId ?? "") : "",
    transId: "",
    transTime: "",
    createdAt: "",
    method: "ZALOPAY_SANDBOX",
    isCustom: false,
    ...r,
  }));

export const downloadFile: typeof Real.downloadFile = (args) =>
  answer<null>("downloadFile", "downloadFile", args).then(() => undefined);
export const openDocument: typeof Real.openDocument = (args) =>
  answer<null>("openDocument", "openDocument", args).then(() => undefined);

/** zmp-sdk's `events`: the app's listeners live in the double's state, where the test (and the double) emit. */
const on = (event: string, listener: ZaloListener) => {
  const listeners = state().listeners;
  listeners[event] = [...(listeners[event] ?? []), listener];
};
const off = (event: string, listener?: ZaloListener) => {
  const listeners = state().listeners;
  listeners[event] = listener ? (listeners[event] ?? []).filter((l) => l !== listener) : [];
};
const emitter = {
  on(event: string, listener: ZaloListener) {
    on(event, listener);
    return emitter;
  },
  addListener(event: string, listener: ZaloListener) {
    on(event, listener);
    return emitter;
  },
  once(event: string, listener: ZaloListener) {
    const once: ZaloListener = (data) => {
      off(event, once);
      listener(data);
    };
    on(event, once);
    return emitter;
  },
  off(event: string, listener?: ZaloListener) {
    off(event, listener);
    return emitter;
  },
  removeListener(event: string, listener?: ZaloListener) {
    off(event, listener);
    return emitter;
  },
  removeAllListeners(event?: string) {
    if (event) off(event);
    else for (const name of Object.keys(state().listeners)) off(name);
    return emitter;
  },
  emit(event: string, data?: unknown) {
    const had = (state().listeners[event] ?? []).length > 0;
    state().emit(event, data);
    return had;
  },
  listenerCount: (event: string) => (state().listeners[event] ?? []).length,
  eventNames: () => Object.keys(state().listeners).filter((name) => (state().listeners[name] ?? []).length > 0),
};
export const events = emitter as unknown as typeof Real.events;

/** zmp-sdk's EventName enum, with Zalo's values (zmp-sdk 2.51.6). */
export const EventName = {
  AppPaused: "h5.event.paused",
  AppResumed: "h5.event.resumed",
  NetworkChanged: "h5.event.connection.changed",
  OnDataCallback: "h5.event.webview.result",
  WebviewClosed: ZALO_EVENTS.WebviewClosed,
  OpenApp: "h5.event.open.mp",
  AppClose: "h5.event.action.close",
  PaymentCallback: "payment.callback",
  PaymentResult: "action.payment.result",
  PaymentDone: ZALO_EVENTS.PaymentDone,
  PaymentClose: ZALO_EVENTS.PaymentClose,
  DownloadProgress: "h5.event.webview.download.progress",
} as unknown as typeof Real.EventName;

const PREFIX = "zalo-native-storage:";
export const nativeStorage = {
  getItem: (key: string) => localStorage.getItem(PREFIX + key) ?? "",
  setItem: (key: string, value: string) => localStorage.setItem(PREFIX + key, value),
  removeItem: (key: string) => localStorage.removeItem(PREFIX + key),
  clear: () => {
    for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
  },
  getStorageInfo: () => ({ currentSize: 0, limitSize: 5 * 1024, keys: [] as string[] }),
} as unknown as typeof Real.nativeStorage;

/** Every API of the app's zmp-sdk module has its double here: one left out fails the type check, naming it. */
type Missing = Exclude<keyof typeof Real, keyof typeof import("./zalo-sdk")>;
export const EVERY_API_DOUBLED: [Missing] extends [never] ? true : Missing = true;
