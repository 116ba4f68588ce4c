import type { ProcedureFee } from "@qn/shared";

const vnd = new Intl.NumberFormat("vi-VN");

/** "20.000 đ", "Miễn phí", or a plain statement that the figure is set by the province. */
export function formatFee(fee: ProcedureFee): string {
  if (fee.amount === null) return "Theo quy định của tỉnh (đang cập nhật mức thu)";
  if (fee.amount === 0) return "Miễn phí";
  return `${vnd.format(fee.amount)} đ`;
}

export function formatProcessingDays(days: number | null): string {
  if (days === null) return "Đang cập nhật";
  if (days === 0) return "Trong ngày";
  return `${days} ngày làm việc`;
}
