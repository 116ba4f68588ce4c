/**
 * Links into the mini-app: `https://zalo.me/s/<appId>/?dossier=…|procedure=…|page=…` (docs/decisions/0012). Zalo
 * opens the mini-app and hands the query to it; inside Zalo it is read with zmp-sdk's `getRouteParams()`, in a
 * desktop browser from the page's own query string. The chatbot's buttons, the notifications' links and the
 * mini-app's "share" all build links here, and the mini-app reads them with `deepLinkTarget`.
 */
export type DeepLink =
  | { kind: "home" }
  | { kind: "dossier"; code: string }
  | { kind: "procedure"; code: string }
  | { kind: "page"; page: DeepLinkPage; code?: string; secret?: string };

/**
 * Screens a link may open by name (`?page=…`); `code` goes with `lookup` (a dossier's public status), and `secret`
 * with it on the receipt's QR code only (the receipt's secret shows the lookup's details: never in a shared link).
 */
export const DEEP_LINK_PAGES = [
  "search",
  "dossiers",
  "lookup",
  "notifications",
  "news",
  "profile",
  "support",
  "pay",
] as const;
export type DeepLinkPage = (typeof DEEP_LINK_PAGES)[number];

export function miniAppLink(appId: string, link: DeepLink): string {
  const base = `https://zalo.me/s/${encodeURIComponent(appId)}/`;
  const params = new URLSearchParams();
  if (link.kind === "dossier" || link.kind === "procedure") params.set(link.kind, link.code);
  if (link.kind === "page") {
    params.set("page", link.page);
    if (link.code) params.set("code", link.code);
    if (link.code && link.secret) params.set("secret", link.secret);
  }
  const query = params.toString();
  return query ? `${base}?${query}` : base;
}

/**
 * Where a link's parameters lead, as an app path; `undefined` for none (start at home). A page the app does not
 * know yields its not-found path, so a mistyped or outdated link shows the app's own "not found" screen.
 */
export function deepLinkTarget(params: Readonly<Record<string, string | undefined>>): string | undefined {
  const dossier = params.dossier?.trim();
  const procedure = params.procedure?.trim();
  const page = params.page?.trim();
  if (procedure) return `/procedure/${encodeURIComponent(procedure)}`;
  if (dossier) return `/dossiers/${encodeURIComponent(dossier)}`;
  if (page) {
    if (!(DEEP_LINK_PAGES as readonly string[]).includes(page)) return NOT_FOUND_PATH;
    const code = params.code?.trim();
    // A payment request's button: the dossier's payment screen (without a code there is nothing to pay: the list).
    if (page === "pay") return code ? `/dossiers/${encodeURIComponent(code)}/pay` : "/dossiers";
    if (page !== "lookup" || !code) return `/${page}`;
    const secret = params.secret?.trim();
    return `/lookup?code=${encodeURIComponent(code)}${secret ? `&secret=${encodeURIComponent(secret)}` : ""}`;
  }
  return undefined;
}

export const NOT_FOUND_PATH = "/khong-tim-thay";

/**
 * What a scanned QR code asks to look up: the receipt's link (`…?page=lookup&code=…&secret=…`), or a bare code as
 * receipts printed before the secret carry.
 */
export function scannedLookup(text: string): { code: string; secret?: string } {
  const trimmed = text.trim();
  try {
    const params = new URL(trimmed).searchParams;
    const code = params.get("code")?.trim();
    if (code) {
      const secret = params.get("secret")?.trim();
      return secret ? { code, secret } : { code };
    }
  } catch {
    // not a link: a bare code
  }
  return { code: trimmed };
}
