import { describe, expect, it } from "vitest";
import { deepLinkTarget, miniAppLink, NOT_FOUND_PATH, scannedLookup } from "./deep-link";

describe("mini-app deep links", () => {
  it("builds the zalo.me/s link for each kind, encoding values", () => {
    expect(miniAppLink("123", { kind: "home" })).toBe("https://zalo.me/s/123/");
    expect(miniAppLink("123", { kind: "dossier", code: "H22.1 01" })).toBe("https://zalo.me/s/123/?dossier=H22.1+01");
    expect(miniAppLink("123", { kind: "procedure", code: "1.001193" })).toBe(
      "https://zalo.me/s/123/?procedure=1.001193",
    );
    expect(miniAppLink("123", { kind: "page", page: "lookup", code: "A&B" })).toBe(
      "https://zalo.me/s/123/?page=lookup&code=A%26B",
    );
  });

  it("reads back every link it builds", () => {
    const read = (link: string) => deepLinkTarget(Object.fromEntries(new URL(link).searchParams));
    expect(read(miniAppLink("1", { kind: "dossier", code: "H22.1 01" }))).toBe("/dossiers/H22.1%2001");
    expect(read(miniAppLink("1", { kind: "procedure", code: "1.001193" }))).toBe("/procedure/1.001193");
    expect(read(miniAppLink("1", { kind: "page", page: "dossiers" }))).toBe("/dossiers");
    expect(read(miniAppLink("1", { kind: "page", page: "lookup", code: "X1" }))).toBe("/lookup?code=X1");
    expect(read(miniAppLink("1", { kind: "page", page: "lookup", code: "X1", secret: "K7MX9Q" }))).toBe(
      "/lookup?code=X1&secret=K7MX9Q",
    );
    expect(read(miniAppLink("1", { kind: "home" }))).toBeUndefined();
  });

  it("sends an unknown page to the not-found screen, never to an arbitrary path", () => {
    expect(deepLinkTarget({ page: "admin" })).toBe(NOT_FOUND_PATH);
    expect(deepLinkTarget({ page: "../console" })).toBe(NOT_FOUND_PATH);
    expect(deepLinkTarget({ dossier: "   " })).toBeUndefined();
    expect(deepLinkTarget({ dossier: "../../x" })).toBe("/dossiers/..%2F..%2Fx");
  });

  it("when a receipt's QR code is scanned, then its code and secret are read from the link, or the bare code", () => {
    const link = miniAppLink("1", { kind: "page", page: "lookup", code: "06652.H49-261120-4821", secret: "K7MX9Q" });
    expect(scannedLookup(link)).toEqual({ code: "06652.H49-261120-4821", secret: "K7MX9Q" });
    expect(scannedLookup(" 06652.H49-261120-0001 ")).toEqual({ code: "06652.H49-261120-0001" });
    expect(scannedLookup("https://example.com/?q=1")).toEqual({ code: "https://example.com/?q=1" });
  });
});
