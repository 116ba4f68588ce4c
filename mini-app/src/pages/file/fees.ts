import { type FeeQuote, type Procedure, type ProcedureFee, paidAtFiling, quoteFees } from "@qn/shared";

/** The fees' words in the wizard, as plain functions: a line's price, and when the quoted fees are paid. */

/**
 * One line's price for one (copy, page…) when filed online, by the one fee rule (quoteFees on that line alone):
 * a figure, free, or set by the unit later (no figure in the catalogue).
 */
export function unitPrice(fee: ProcedureFee): number | "free" | "later" {
  const alone = quoteFees({ fees: [fee] }, "online", fee.unit ? { quantities: { "0": 1 } } : { optional: [0] });
  if (!alone.fixed) return "later";
  return alone.lines[0]?.amount ?? "free";
}

/** When the quoted fees are paid, in words. */
export function feesTiming(procedure: Pick<Procedure, "onlineLevel">, quote: FeeQuote): string {
  if (paidAtFiling(procedure, quote)) {
    return "Bạn nộp số tiền này trực tuyến ngay sau khi nộp hồ sơ (bước cuối), hoặc để sau ở trang hồ sơ.";
  }
  if (!quote.fixed) {
    return "Có khoản chưa có mức thu cố định: cán bộ sẽ báo số tiền sau khi tiếp nhận hồ sơ, bạn nộp trực tuyến khi nhận được thông báo.";
  }
  if (quote.total === 0) {
    return quote.exemption
      ? "Bạn không phải nộp phí, lệ phí nếu cán bộ xác nhận bạn thuộc đối tượng được miễn."
      : "Bạn không phải nộp phí, lệ phí.";
  }
  return "Bạn nộp phí, lệ phí khi cán bộ tiếp nhận hồ sơ thông báo.";
}
