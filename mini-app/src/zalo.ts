/**
 * The one module that talks to Zalo's Mini App SDK (ZALO.md §5, §7). Inside Zalo (`window.ZJSBridge` present) it calls
 * zmp-sdk, loaded on demand; in a desktop browser (development, tests) it never calls zmp-sdk — which would reject with
 * "Unknown error" — and uses a development fallback instead: the offline development identity, a file input for photos,
 * localStorage for storage.
 */
declare global {
  interface Window {
    ZJSBridge?: unknown;
  }
}

export const inZalo = (): boolean => typeof window !== "undefined" && window.ZJSBridge !== undefined;

const sdk = () => import("./zalo-sdk");

/** The Zalo user's access token, to be verified by the server; undefined outside Zalo. */
export async function zaloAccessToken(): Promise<string | undefined> {
  if (!inZalo()) return undefined;
  return (await sdk()).getAccessToken();
}

/** Asks the citizen to share their phone number; the token is exchanged by the server. Undefined if refused. */
export async function zaloPhoneToken(): Promise<string | undefined> {
  if (!inZalo()) return undefined;
  try {
    const { token } = await (await sdk()).getPhoneNumber();
    return token ?? undefined;
  } catch {
    return undefined;
  }
}

/** Photos from the camera or the gallery, as Files. Outside Zalo: the browser's file picker. */
export async function pickImages(source: "camera" | "gallery", max = 5): Promise<File[]> {
  if (inZalo()) {
    const { chooseImage } = await sdk();
    const result = await chooseImage({ sourceType: [source === "camera" ? "camera" : "album"], count: max });
    const files: File[] = [];
    for (const [i, path] of (result.filePaths ?? []).entries()) {
      const blob = await (await fetch(path)).blob();
      files.push(new File([blob], `anh-${Date.now()}-${i}.jpg`, { type: blob.type || "image/jpeg" }));
    }
    return files;
  }
  return pickWithInput(
    source === "camera" ? "image/*" : "image/jpeg,image/png,application/pdf",
    source === "camera",
    max,
  );
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

export async function followOA(oaId: string): Promise<boolean> {
  if (!inZalo()) return false;
  try {
    await (await sdk()).followOA({ id: oaId });
    return true;
  } catch {
    return false;
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

/** A dossier code from the camera (QR on the receipt); undefined outside Zalo or when cancelled. */
export async function scanCode(): Promise<string | undefined> {
  if (!inZalo()) return undefined;
  try {
    return (await (await sdk()).scanQRCode()).content;
  } catch {
    return undefined;
  }
}

/** Small key-value storage: Zalo's nativeStorage inside Zalo, localStorage in a browser. */
export const storage = {
  async get(key: string): Promise<string | null> {
    if (inZalo()) return (await sdk()).nativeStorage.getItem(key);
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
