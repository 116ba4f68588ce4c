/**
 * The one module that talks to Zalo's Mini App SDK (docs/decisions/0012). Inside Zalo (`window.ZJSBridge` present)
 * it calls zmp-sdk, loaded on demand from `./zalo-sdk`; in a desktop browser (development, `npm start`) it never
 * calls zmp-sdk — which would reject with "Unknown error" — and uses a development fallback instead: the offline
 * development identity, a file input for photos, the page's query string, localStorage.
 *
 * zmp-sdk rejects with `{ code, message }`. The codes this app acts on: -1401 (the citizen refused a permission:
 * phone, camera, notifications) and -201 (the citizen declined to follow the OA). Every refusal reaches the
 * screens as a result or a `ZaloRefusal` with a Vietnamese message that says what to do next.
 */
declare global {
  interface Window {
    ZJSBridge?: unknown;
  }
}

/** Whether app-config.json asks for Zalo's own navigation bar (`app.actionBarHidden: false`); set by the build. */
declare const __ZALO_NATIVE_HEADER__: boolean;

export const inZalo = (): boolean => typeof window !== "undefined" && window.ZJSBridge !== undefined;

/** Inside Zalo with Zalo's navigation bar: screens set its title instead of drawing their own bar. */
export const zaloNativeHeader = (): boolean => inZalo() && __ZALO_NATIVE_HEADER__;

const sdk = () => import("./zalo-sdk");

/** Zalo's error codes the app acts on (Zalo Mini App error codes). */
export const ZALO_PERMISSION_REFUSED = -1401;
export const ZALO_FOLLOW_DECLINED = -201;

const zaloCode = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : typeof code === "string" && /^-?\d+$/.test(code) ? Number(code) : undefined;
};

/** A Zalo call the citizen refused or Zalo could not do; `message` is Vietnamese and says what to do next. */
export class ZaloRefusal extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

/** The Zalo user's access token, to be verified by the server; undefined outside Zalo. */
export async function zaloAccessToken(): Promise<string | undefined> {
  if (!inZalo()) return undefined;
  let code: number | undefined;
  try {
    const token = await (await sdk()).getAccessToken();
    if (token) return token;
  } catch (error) {
    code = zaloCode(error);
  }
  throw new ZaloRefusal("Zalo chưa cho ứng dụng đăng nhập. Vui lòng thử lại.", code);
}

/**
 * Asks the citizen to share their phone number (asked only where it is needed: filing, ZNS notifications); the
 * token is exchanged by the server. Undefined when refused or outside Zalo.
 */
export async function zaloPhoneToken(): Promise<string | undefined> {
  if (!inZalo()) return undefined;
  try {
    const { token } = await (await sdk()).getPhoneNumber();
    return token || undefined;
  } catch {
    return undefined;
  }
}

/** The parameters of the link that opened the app (`https://zalo.me/s/<appId>/?dossier=…`). */
export async function routeParams(): Promise<Record<string, string>> {
  if (inZalo()) {
    try {
      return { ...(await sdk()).getRouteParams() };
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(window.location.search));
}

/** How strongly Zalo compresses photos (0 none … 3 most): 2 keeps a paper legible at a few hundred KB. */
const COMPRESS_LEVEL = 2;

/**
 * Photos of papers, as Files, each checked against the server's size limit before anything is uploaded. Inside
 * Zalo the camera opens in document-scan mode (`zcamera_scan`: edges found, perspective straightened); Zalo versions
 * without it fall back to the plain camera. The gallery is Zalo's image picker. Outside Zalo: the file picker.
 * A cancelled picker gives no files; a refused camera permission or a too-large file is a `ZaloRefusal`.
 */
export async function pickImages(source: "camera" | "gallery", max = 5, maxBytes = Infinity): Promise<File[]> {
  let files: File[];
  if (inZalo()) {
    const zalo = await sdk();
    let paths: string[] = [];
    try {
      if (source === "camera") {
        try {
          const { data } = await zalo.openMediaPicker({
            type: "zcamera_scan",
            compressLevel: COMPRESS_LEVEL,
            maxSelectItem: max,
            ...(Number.isFinite(maxBytes) ? { maxItemSize: maxBytes } : {}),
          });
          paths = Array.isArray(data) ? data : data ? [data] : [];
        } catch (error) {
          if (zaloCode(error) === ZALO_PERMISSION_REFUSED) throw error;
          // Older Zalo versions have no scan mode: the plain camera.
          paths = (await zalo.chooseImage({ sourceType: ["camera"], count: max })).filePaths ?? [];
        }
      } else {
        paths = (await zalo.chooseImage({ sourceType: ["album"], count: max })).filePaths ?? [];
      }
    } catch (error) {
      if (zaloCode(error) === ZALO_PERMISSION_REFUSED) {
        throw new ZaloRefusal(
          source === "camera"
            ? "Bạn chưa cho Zalo dùng máy ảnh. Hãy cho phép trong phần cài đặt của Zalo, hoặc chọn ảnh từ Thư viện."
            : "Bạn chưa cho Zalo mở thư viện ảnh. Hãy cho phép trong phần cài đặt của Zalo, hoặc chụp ảnh mới.",
          ZALO_PERMISSION_REFUSED,
        );
      }
      return []; // closed without choosing
    }
    files = [];
    for (const [i, path] of paths.slice(0, max).entries()) {
      const blob = await (await fetch(path)).blob();
      const type = blob.type || "image/jpeg";
      files.push(new File([blob], `anh-${Date.now()}-${i}.${type === "image/png" ? "png" : "jpg"}`, { type }));
    }
  } else {
    files = await pickWithInput(
      source === "camera" ? "image/*" : "image/jpeg,image/png,application/pdf",
      source === "camera",
      max,
    );
  }
  const tooLarge = files.filter((f) => f.size > maxBytes);
  if (tooLarge.length > 0) {
    const mb = (maxBytes / (1024 * 1024)).toLocaleString("vi-VN", { maximumFractionDigits: 1 });
    throw new ZaloRefusal(
      `${tooLarge.length === 1 ? "Một tệp" : `${tooLarge.length} tệp`} lớn hơn ${mb} MB, chưa được thêm. ` +
        "Vui lòng chụp lại gần hơn hoặc chọn ảnh nhỏ hơn.",
      undefined,
    );
  }
  return files;
}

function pickWithInput(accept: string, capture: boolean, max: number): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = accept;
    input.multiple = max > 1;
    if (capture) input.setAttribute("capture", "environment");
    input.addEventListener("change", () => resolve(Array.from(input.files ?? []).slice(0, max)));
    input.click();
  });
}

export type AskResult = "yes" | "refused" | "unavailable";

/** Asks the citizen to follow the OA (status messages come from it). */
export async function followOA(oaId: string): Promise<AskResult> {
  if (!inZalo() || !oaId) return "unavailable";
  try {
    await (await sdk()).followOA({ id: oaId });
    return "yes";
  } catch (error) {
    return zaloCode(error) === ZALO_FOLLOW_DECLINED || zaloCode(error) === ZALO_PERMISSION_REFUSED
      ? "refused"
      : "unavailable";
  }
}

/** Asks permission to notify the citizen through the app's OA when their dossier moves. */
export async function requestNotifications(): Promise<AskResult> {
  if (!inZalo()) return "unavailable";
  try {
    await (await sdk()).requestSendNotification();
    return "yes";
  } catch (error) {
    return zaloCode(error) === ZALO_PERMISSION_REFUSED ? "refused" : "unavailable";
  }
}

/** "Add to home screen": a shortcut that opens the app with these parameters (a dossier). */
export async function addShortcut(params: Record<string, string>): Promise<boolean> {
  if (!inZalo()) return false;
  try {
    await (await sdk()).createShortcut({ params });
    return true;
  } catch {
    return false;
  }
}

/** Shares a link: Zalo's share sheet inside Zalo, the system's share or the clipboard outside. */
export async function shareLink(link: string, title: string): Promise<"shared" | "copied" | "cancelled"> {
  if (inZalo()) {
    try {
      const { status } = (await (await sdk()).openShareSheet({ type: "link", data: { link } })) as { status?: number };
      return status === 0 ? "cancelled" : "shared";
    } catch {
      return "cancelled";
    }
  }
  if (typeof navigator.share === "function") {
    try {
      await navigator.share({ title, url: link });
      return "shared";
    } catch {
      return "cancelled";
    }
  }
  await navigator.clipboard.writeText(link);
  return "copied";
}

/** Zalo's navigation bar: the screen's title, and its back button (none on the first screen). */
export async function setNativeTitle(title: string, back: boolean): Promise<void> {
  if (!zaloNativeHeader()) return;
  try {
    const zalo = await sdk();
    await zalo.setNavigationBarTitle({ title });
    await zalo.setNavigationBarLeftButton({ type: back ? "back" : "none" });
  } catch {
    // The bar keeps app-config's title: cosmetic, nothing to tell the citizen.
  }
}

export async function openOAChat(oaId: string, message?: string): Promise<void> {
  if (inZalo()) {
    await (await sdk()).openChat({ type: "oa", id: oaId, ...(message ? { message } : {}) });
    return;
  }
  window.open("/dev/chat", "_blank", "noopener");
}

/** A web page (a form to download, an announcement's link): Zalo's webview inside Zalo, a new tab outside. */
export async function openExternal(url: string): Promise<void> {
  if (inZalo()) {
    await (await sdk()).openWebview({ url, config: { style: "normal", leftButton: "back" } });
    return;
  }
  window.open(url, "_blank", "noopener,noreferrer");
}

/** How long the app waits for Zalo to say the payment screen or the payment page closed (the citizen may be slow). */
const PAYMENT_WAIT_MS = 20 * 60 * 1000;

/**
 * Resolves when one of `names` is emitted by zmp-sdk's `events`, when `signal` aborts (the citizen says they are
 * done) or after `ms`; listening starts at once, so an event that comes before the caller awaits is not missed.
 */
function firstEvent(
  zalo: Awaited<ReturnType<typeof sdk>>,
  names: string[],
  ms: number,
  signal: AbortSignal | undefined,
): { done: Promise<void>; stop: () => void } {
  let stop = () => {};
  const done = new Promise<void>((resolve) => {
    const finish = () => {
      stop();
      resolve();
    };
    const timer = setTimeout(finish, ms);
    stop = () => {
      clearTimeout(timer);
      for (const name of names) zalo.events.off(name, finish);
      signal?.removeEventListener("abort", finish);
    };
    for (const name of names) zalo.events.on(name, finish);
    if (signal?.aborted) finish();
    else signal?.addEventListener("abort", finish);
  });
  return { done, stop: () => stop() };
}

/**
 * Opens a payment provider's page (the national platform's, or the offline test page). Outside Zalo in the same tab
 * with `window.location.assign`, so that the provider's redirect back lands in the app: "left", the app is going away.
 * Inside Zalo in Zalo's webview, waiting until the citizen closes it (or `signal` aborts): "returned".
 */
export async function openPaymentPage(url: string, signal?: AbortSignal): Promise<"left" | "returned"> {
  if (!inZalo()) {
    window.location.assign(url);
    return "left";
  }
  const zalo = await sdk();
  const closed = firstEvent(zalo, [zalo.EventName.WebviewClosed], PAYMENT_WAIT_MS, signal);
  try {
    await zalo.openWebview({ url, config: { style: "normal", leftButton: "back" } });
  } catch (error) {
    closed.stop();
    throw new ZaloRefusal("Zalo chưa mở được trang thanh toán. Vui lòng thử lại.", zaloCode(error));
  }
  await closed.done;
  return "returned";
}

/** The order the server prepared and signed for Zalo's Checkout (`PaymentStart.next.order`). */
export type CheckoutOrder = {
  desc: string;
  item: { id: string; amount: number }[];
  amount: number;
  extradata: string;
  method: string;
  mac: string;
};

/** What the device learnt of a Checkout payment: only a hint for the screen; the server asks Zalo itself. */
export type CheckoutResult = "paid" | "processing" | "failed" | "cancelled" | "custom";

/**
 * Pays with Zalo's Checkout SDK (LEVEL4.md §2): `createOrder` with the server's signed order opens Zalo's payment
 * screen and gives the orderId, which `onOrder` reports to the server at once; then the app waits for
 * `EventName.PaymentDone` (sent when the citizen finishes or cancels) or `PaymentClose`, and asks `checkTransaction`
 * (resultCode 1 paid, 0 processing, -1 failed, -2 no method chosen). `signal` ends the wait early. Outside Zalo, or
 * when Zalo refuses to open its payment screen, a `ZaloRefusal`.
 */
export async function payWithCheckout(
  order: CheckoutOrder,
  onOrder: (orderId: string) => Promise<void>,
  signal?: AbortSignal,
  /**
   * The citizen chose the partner's own method (the national platform) in Zalo's payment screen: Zalo sends
   * `OnDataCallback` with `eventType: "PAY_BY_CUSTOM_METHOD"` (LEVEL4.md §2; the payload's shape is *uncertain*: its
   * `data.orderId`, else the order just created). The wait ends and this is called; the result is then "custom".
   */
  onCustomMethod?: (orderId: string) => Promise<void>,
): Promise<CheckoutResult> {
  if (!inZalo()) {
    throw new ZaloRefusal("Thanh toán trong Zalo chỉ dùng được khi mở ứng dụng trong Zalo.", undefined);
  }
  const zalo = await sdk();
  const ended = new AbortController();
  const relay = () => ended.abort();
  if (signal?.aborted) ended.abort();
  signal?.addEventListener("abort", relay);
  let custom: { orderId: string | undefined } | undefined;
  const onData = (payload: unknown) => {
    const p = payload as { eventType?: unknown; data?: { orderId?: unknown } } | undefined;
    if (p?.eventType !== "PAY_BY_CUSTOM_METHOD") return;
    custom = { orderId: typeof p.data?.orderId === "string" ? p.data.orderId : undefined };
    ended.abort();
  };
  zalo.events.on(zalo.EventName.OnDataCallback, onData);
  const finished = firstEvent(
    zalo,
    [zalo.EventName.PaymentDone, zalo.EventName.PaymentClose],
    PAYMENT_WAIT_MS,
    ended.signal,
  );
  const cleanUp = () => {
    zalo.events.off(zalo.EventName.OnDataCallback, onData);
    signal?.removeEventListener("abort", relay);
  };
  let orderId: string;
  try {
    ({ orderId } = await zalo.createOrder({
      desc: order.desc,
      item: order.item,
      amount: order.amount,
      extradata: order.extradata,
      method: order.method,
      mac: order.mac,
    }));
  } catch (error) {
    finished.stop();
    cleanUp();
    throw new ZaloRefusal(
      "Zalo chưa mở được màn hình thanh toán. Vui lòng thử lại hoặc chọn cách thanh toán khác.",
      zaloCode(error),
    );
  }
  await onOrder(orderId);
  await finished.done;
  cleanUp();
  if (custom && onCustomMethod) {
    await onCustomMethod(custom.orderId ?? orderId);
    return "custom";
  }
  try {
    const { resultCode } = await zalo.checkTransaction({ data: { orderId } });
    if (resultCode === 1) return "paid";
    if (resultCode === 0) return "processing";
    return resultCode === -2 ? "cancelled" : "failed";
  } catch {
    return "processing"; // the server asks Zalo itself
  }
}

function dataUrlOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/**
 * Opens a file at a plain https address (a receipt's short-lived link) inside Zalo: `openDocument`, then
 * `downloadFile`. False when neither works (or outside Zalo): the caller falls back to the file's bytes.
 */
export async function openFileUrl(url: string, title: string): Promise<boolean> {
  if (!inZalo()) return false;
  const zalo = await sdk();
  try {
    await zalo.openDocument({ url, title, download: true, share: false, edit: false });
    return true;
  } catch {
    // next way
  }
  try {
    await zalo.downloadFile({ url });
    return true;
  } catch {
    return false;
  }
}

/**
 * Saves a file the app fetched with the session's token (an e-receipt): a URL alone would not carry the token. Inside
 * Zalo with zmp-sdk's `downloadFile({ fileBase64Data })`, then `openDocument` on the data (both in zmp-sdk 2.51.6's
 * types; Zalo documents them for https URLs only, so data is *uncertain*); else, and outside Zalo, the browser's own
 * download of an object URL.
 */
export async function saveFile(blob: Blob, fileName: string, title: string): Promise<void> {
  if (inZalo()) {
    const zalo = await sdk();
    const data = await dataUrlOf(blob);
    try {
      await zalo.downloadFile({ fileBase64Data: data });
      return;
    } catch {
      // next way
    }
    try {
      await zalo.openDocument({ url: data, title, download: true, share: false, edit: false });
      return;
    } catch {
      // next way
    }
  }
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The text of a QR code from Zalo's scanner (a receipt's dossier code, a căn cước card); undefined outside Zalo or
 * when the citizen closes the scanner. A refused camera is a `ZaloRefusal`.
 */
export async function scanQr(): Promise<string | undefined> {
  if (!inZalo()) return undefined;
  try {
    return (await (await sdk()).scanQRCode()).content || undefined;
  } catch (error) {
    if (zaloCode(error) === ZALO_PERMISSION_REFUSED) {
      throw new ZaloRefusal(
        "Bạn chưa cho Zalo dùng máy ảnh để quét mã. Hãy cho phép trong phần cài đặt của Zalo, hoặc nhập tay.",
        ZALO_PERMISSION_REFUSED,
      );
    }
    return undefined;
  }
}

/**
 * Small key-value storage: Zalo's nativeStorage inside Zalo (kept by Zalo per user and app, about 5 MB in all),
 * localStorage in a browser. Sessions and drafts' typed fields live here; photos are too large for it and stay in
 * the browser's IndexedDB.
 */
export const storage = {
  async get(key: string): Promise<string | null> {
    if (inZalo()) return (await sdk()).nativeStorage.getItem(key) || null; // "" when absent
    return localStorage.getItem(key);
  },
  async set(key: string, value: string): Promise<void> {
    if (inZalo()) (await sdk()).nativeStorage.setItem(key, value);
    else localStorage.setItem(key, value);
  },
  async remove(key: string): Promise<void> {
    if (inZalo()) (await sdk()).nativeStorage.removeItem(key);
    else localStorage.removeItem(key);
  },
};
