import { describe, expect, it } from "vitest";
import { ReceiptLinks } from "./receipt-links";

const SECRET = "session-secret-session-secret-0123456789";

describe("receipt links", () => {
  it("when a link is five minutes old, then it no longer opens the receipt; before, it does", () => {
    let now = Date.parse("2026-12-03T10:00:00Z");
    const links = new ReceiptLinks(SECRET, 5 * 60_000, () => now);
    const { url, expiresAt } = links.issue("06652.H49-261203-1234", "BL2026-0000042");
    expect(expiresAt).toBe("2026-12-03T10:05:00.000Z");
    const token = new URL(url, "http://x").searchParams.get("t");
    now += 4 * 60_000;
    expect(links.verify("BL2026-0000042", token)).toEqual({ code: "06652.H49-261203-1234" });
    now += 60_000;
    expect(links.verify("BL2026-0000042", token)).toBeNull();
  });

  it("when another server's secret signed it, then it is refused", () => {
    const token = new URL(
      new ReceiptLinks("another-secret-another-secret-0123456789").issue("C", "BL2026-0000001").url,
      "http://x",
    ).searchParams.get("t");
    expect(new ReceiptLinks(SECRET).verify("BL2026-0000001", token)).toBeNull();
    expect(new ReceiptLinks(SECRET).verify("BL2026-0000001", undefined)).toBeNull();
    expect(new ReceiptLinks(SECRET).verify("BL2026-0000001", "x".repeat(500))).toBeNull();
  });
});
