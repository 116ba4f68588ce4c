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
  /** getRouteParams: the query of the zalo.me/s link that opened the app. */
  routeParams: Record<string, string>;
};

export type ZaloCall = { api: string; args: unknown };

export type ZaloDoubleState = { script: ZaloScript; calls: ZaloCall[] };

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
  routeParams: {},
};

/** Zalo's answers the tests use (Zalo Mini App error codes). */
export const REFUSED = { error: { code: -1401, message: "User denied" } } as const;
export const FOLLOW_DECLINED = { error: { code: -201, message: "User refused to follow OA" } } as const;
