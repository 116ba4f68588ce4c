/**
 * A scripted double of the app's one zmp-sdk module (mini-app/src/zalo-sdk.ts), of the same type, for the in-Zalo
 * tests: the test build resolves `./zalo-sdk` to this file (tests/helpers/mini-app-build.ts, buildMiniAppForZalo).
 * Each API records its call and answers from the script (./script.ts); rejections carry Zalo's `{ code, message }`.
 * nativeStorage is kept in localStorage under its own prefix, so that it survives a reload as Zalo's does.
 */
import type * as Real from "../../mini-app/src/zalo-sdk";
import type { Outcome, ZaloDoubleState, ZaloScript } from "./script";

const state = (): ZaloDoubleState => {
  const s = (window as { __zaloDouble?: ZaloDoubleState }).__zaloDouble;
  if (!s) throw new Error("The Zalo double's bridge did not load");
  return s;
};

type Scripted = Exclude<keyof ZaloScript, "routeParams">;

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
export const openWebview: typeof Real.openWebview = done("openWebview");

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
