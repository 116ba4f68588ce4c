import type { PaymentAttemptView } from "@qn/shared";
import { describe, expect, it } from "vitest";
import {
  confirmPath,
  offeredMethods,
  POLL_LIMIT_MS,
  paymentPageUrl,
  pendingAttempt,
  phaseOf,
  receiptFileName,
  returnPath,
  saidOf,
  saidOfCheckout,
} from "./flow";

const attempt = (patch: Partial<PaymentAttemptView> = {}): PaymentAttemptView => ({
  reference: "TT202611010000000001",
  method: "sandbox",
  methodLabel: "Cổng thử nghiệm (không thu tiền thật)",
  amount: 8000,
  status: "open",
  statusLabel: "Đang chờ cổng thanh toán",
  createdAt: "2026-11-01T03:00:00.000Z",
  paidAt: null,
  transactionId: null,
  failure: null,
  receiptNumber: null,
  ...patch,
});

const METHODS = [
  { id: "zalo-checkout", label: "Thanh toán trong Zalo" },
  { id: "national", label: "Nền tảng thanh toán trực tuyến quốc gia" },
  { id: "sandbox", label: "Cổng thử nghiệm" },
] as const;

describe("the payment screens' rules", () => {
  it("when the server says paid, failed or abandoned, then that is shown whatever the return said", () => {
    expect(phaseOf(attempt({ status: "paid" }), "abandon", 0)).toEqual({ kind: "paid" });
    expect(phaseOf(attempt({ status: "failed", failure: "Thẻ hết hạn" }), "success", 0)).toEqual({
      kind: "failed",
      reason: "Thẻ hết hạn",
    });
    expect(phaseOf(attempt({ status: "abandoned" }), null, 0)).toEqual({ kind: "abandoned" });
  });

  it("when the attempt is still open, then the screen waits up to the limit, unless the citizen left or it failed", () => {
    expect(phaseOf(attempt(), "success", 0)).toEqual({ kind: "waiting" });
    expect(phaseOf(attempt(), null, POLL_LIMIT_MS - 1)).toEqual({ kind: "waiting" });
    expect(phaseOf(attempt(), "success", POLL_LIMIT_MS)).toEqual({ kind: "unconfirmed" });
    expect(phaseOf(attempt(), "abandon", 0)).toEqual({ kind: "abandoned" });
    expect(phaseOf(attempt(), "failure", 0)).toEqual({ kind: "failed", reason: null });
  });

  it("when the return's ket-qua is read, then only the three outcomes count", () => {
    expect(saidOf("success")).toBe("success");
    expect(saidOf("abandon")).toBe("abandon");
    expect(saidOf("failure")).toBe("failure");
    expect(saidOf("paid")).toBeNull();
    expect(saidOf(null)).toBeNull();
    expect(saidOfCheckout("paid")).toBe("success");
    expect(saidOfCheckout("processing")).toBe("success");
    expect(saidOfCheckout("failed")).toBe("failure");
    expect(saidOfCheckout("cancelled")).toBe("abandon");
  });

  it("when methods are offered outside Zalo, then never Zalo's Checkout; inside Zalo, Checkout first", () => {
    expect(offeredMethods(METHODS, false).map((m) => m.id)).toEqual(["national", "sandbox"]);
    expect(offeredMethods([...METHODS].reverse(), true).map((m) => m.id)).toEqual([
      "zalo-checkout",
      "sandbox",
      "national",
    ]);
    expect(offeredMethods([METHODS[2]], true).map((m) => m.id)).toEqual(["sandbox"]);
  });

  it("when the provider's page is a path, then it is on the API's origin (or the page's); only http(s) opens", () => {
    expect(paymentPageUrl("/payments/sandbox/TT1", "", "http://127.0.0.1:3000")).toBe(
      "http://127.0.0.1:3000/payments/sandbox/TT1",
    );
    expect(paymentPageUrl("/payments/sandbox/TT1", "https://dvc.quangninh.gov.vn", "https://h5.zdn.vn")).toBe(
      "https://dvc.quangninh.gov.vn/payments/sandbox/TT1",
    );
    expect(paymentPageUrl("https://pay.example.vn/x?a=1", "https://api.example", "https://h5.zdn.vn")).toBe(
      "https://pay.example.vn/x?a=1",
    );
    expect(() => paymentPageUrl("javascript:alert(1)", "", "http://127.0.0.1")).toThrow(/không hợp lệ/);
  });

  it("when the browser opens the app at a payment return, then the app starts on that screen with its query", () => {
    expect(returnPath("/dossiers/06652.H49-261101-0001/pay", "?ref=TT1&ket-qua=success")).toBe(
      "/dossiers/06652.H49-261101-0001/pay?ref=TT1&ket-qua=success",
    );
    expect(returnPath("/dossiers/A/pay/", "")).toBe("/dossiers/A/pay");
    expect(returnPath("/", "?page=pay&code=A")).toBeUndefined();
    expect(returnPath("/dossiers/A", "")).toBeUndefined();
    expect(returnPath("/dossiers/A/pay/x", "")).toBeUndefined();
    expect(confirmPath("06652.H49-261101-0001", "TT1", "abandon")).toBe(
      "/dossiers/06652.H49-261101-0001/pay?ref=TT1&ket-qua=abandon",
    );
    expect(confirmPath("A B", "TT1")).toBe("/dossiers/A%20B/pay?ref=TT1");
  });

  it("when the screen opens without a reference, then only a recent open attempt is offered for checking", () => {
    const now = Date.parse("2026-11-01T03:10:00.000Z");
    expect(pendingAttempt({ attempts: [attempt()] }, now)?.reference).toBe("TT202611010000000001");
    expect(pendingAttempt({ attempts: [attempt({ status: "failed" })] }, now)).toBeUndefined();
    expect(pendingAttempt({ attempts: [attempt()] }, now + 60 * 60 * 1000)).toBeUndefined();
    expect(pendingAttempt({ attempts: [] }, now)).toBeUndefined();
    expect(pendingAttempt(undefined, now)).toBeUndefined();
    expect(receiptFileName("BL2026-0000001")).toBe("bien-lai-BL2026-0000001.pdf");
  });
});
