import { FEE_KIND_LABELS, formatVnd, type PaymentLine } from "@qn/shared";

/** The lines of what is paid (name, kind, how many, amount) and their total, as the receipt lists them. */
export function FeeLines({
  lines,
  total,
  label = "Các khoản phí, lệ phí",
}: {
  lines: PaymentLine[];
  total: number;
  label?: string;
}) {
  return (
    <div className="fee-lines">
      <ul aria-label={label}>
        {lines.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: an official's added lines have no index of their own
          <li key={`${l.index ?? "x"}-${i}`}>
            <span className="fee-lines__name">
              {l.name}
              <span className="fee-lines__meta">
                {FEE_KIND_LABELS[l.kind]}
                {l.quantity > 1 ? ` · Số lượng: ${l.quantity}` : ""}
              </span>
            </span>
            <span className="fee-lines__amount">{formatVnd(l.amount)}</span>
          </li>
        ))}
      </ul>
      <p className="fee-lines__total">
        <span>Tổng cộng</span>
        <strong>{formatVnd(total)}</strong>
      </p>
    </div>
  );
}
