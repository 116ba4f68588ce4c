import {
  FEE_KIND_LABELS,
  feeKindOf,
  formatVnd,
  MAX_FEE_QUANTITY,
  type Procedure,
  type ProcedureFee,
  quoteFees,
} from "@qn/shared";
import { useEffect, useId, useState } from "react";
import { type Draft, feeChoiceOf, feeQuantity } from "./draft";
import { feesTiming, unitPrice } from "./fees";
import type { StepProps } from "./fields";

type FeeProcedure = Pick<Procedure, "code" | "documents" | "fees" | "exemptions" | "onlineLevel">;

/**
 * The fees in the wizard (issue 14): each line with its amount when filed online, optional lines to ask for, how
 * many of a counted line ("Số bản"), an exemption to claim with its reason, and the total, all quoted by
 * `quoteFees` from the draft's choice (never added up here).
 */
export function FeesSection({ draft, update, errors = {}, procedure }: StepProps & { procedure: FeeProcedure }) {
  const reasonId = useId();
  if (procedure.fees.length === 0) return null;
  const exemptions = procedure.exemptions ?? [];
  const claimed = draft.exemptionIndex >= 0 && exemptions[draft.exemptionIndex] !== undefined;
  const choice = feeChoiceOf(draft, procedure);
  // While the reason is being typed the claim already shows what it waives (it is filed only with its reason).
  const quote = quoteFees(
    procedure,
    "online",
    claimed && !choice.exemption ? { ...choice, exemption: { index: draft.exemptionIndex, reason: "" } } : choice,
  );
  return (
    <section aria-labelledby="fees-title" className="fees-choice">
      <h3 id="fees-title" className="fees-choice__title">
        Phí, lệ phí (nộp trực tuyến)
      </h3>
      <ul className="fee-options">
        {procedure.fees.map((fee, index) => (
          <FeeOption
            // biome-ignore lint/suspicious/noArrayIndexKey: a line is its index in the catalogue's list
            key={index}
            fee={fee}
            index={index}
            draft={draft}
            update={update}
            quoted={quote.lines.find((l) => l.index === index)?.amount}
            waived={claimed}
          />
        ))}
      </ul>
      {exemptions.length > 0 && (
        <fieldset className="radio-group">
          <legend className="field__label">Bạn có thuộc đối tượng được miễn, giảm không?</legend>
          {[{ name: "Không thuộc đối tượng miễn, giảm", note: undefined }, ...exemptions].map((e, i) => {
            const value = i - 1;
            const checked = draft.exemptionIndex === value || (value === -1 && !claimed);
            return (
              <label key={`${value}-${e.name}`} className={checked ? "radio is-checked" : "radio"}>
                <input
                  type="radio"
                  name="exemption"
                  checked={checked}
                  onChange={() => update({ exemptionIndex: value })}
                />
                <span>
                  {e.name}
                  {e.note && <span className="radio__hint">{e.note}</span>}
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
      {claimed && (
        <div className="field">
          <label htmlFor={reasonId} className="field__label">
            Lý do được miễn, giảm <span aria-hidden="true">*</span>
          </label>
          <textarea
            id={reasonId}
            value={draft.exemptionReason}
            rows={3}
            maxLength={500}
            placeholder="Ví dụ: Hộ nghèo theo Giấy chứng nhận số 12/GCN-UBND năm 2026"
            aria-invalid={errors.exemptionReason ? true : undefined}
            aria-describedby={errors.exemptionReason ? `${reasonId}-error` : `${reasonId}-hint`}
            onChange={(e) => update({ exemptionReason: e.target.value })}
          />
          {errors.exemptionReason ? (
            <p id={`${reasonId}-error`} className="field__error" role="alert">
              {errors.exemptionReason}
            </p>
          ) : (
            <p id={`${reasonId}-hint`} className="muted small">
              Cán bộ sẽ kiểm tra. Nếu không đúng đối tượng, bạn sẽ được báo nộp phí.
            </p>
          )}
        </div>
      )}
      <p className="fee-lines__total" aria-live="polite">
        <span>{quote.fixed ? "Tổng cộng" : "Tạm tính"}</span>
        <strong>{formatVnd(quote.total)}</strong>
      </p>
      <p className="muted small">{feesTiming(procedure, quote)}</p>
    </section>
  );
}

function FeeOption({
  fee,
  index,
  draft,
  update,
  quoted,
  waived,
}: {
  fee: ProcedureFee;
  index: number;
  draft: Draft;
  update: StepProps["update"];
  /** The line's amount in the quote (absent: not asked for, free, waived, or set later). */
  quoted: number | undefined;
  waived: boolean;
}) {
  const price = unitPrice(fee);
  const asked = fee.unit ? feeQuantity(draft, fee, index) > 0 : !fee.optional || draft.feeOptional.includes(index);
  const priceText =
    price === "later"
      ? "Cán bộ tính và báo sau"
      : price === "free"
        ? "Miễn phí"
        : `${formatVnd(price)}${fee.unit ? ` / ${fee.unit}` : ""}`;
  let amountText = "";
  if (asked && quoted !== undefined) amountText = formatVnd(quoted);
  else if (asked && waived && typeof price === "number") amountText = "Được miễn";
  const checkboxId = useId();
  return (
    <li className="fee-option">
      <div className="fee-option__head">
        {fee.optional && !fee.unit ? (
          <label htmlFor={checkboxId} className="fee-option__check">
            <input
              id={checkboxId}
              type="checkbox"
              checked={asked}
              onChange={(e) =>
                update((d) => ({
                  feeOptional: e.target.checked
                    ? [...d.feeOptional.filter((i) => i !== index), index]
                    : d.feeOptional.filter((i) => i !== index),
                }))
              }
            />
            <span className="fee-option__name">{fee.name}</span>
          </label>
        ) : (
          <span className="fee-option__name">{fee.name}</span>
        )}
        {amountText && <strong className="fee-option__amount">{amountText}</strong>}
      </div>
      <p className="fee-option__meta">
        {FEE_KIND_LABELS[feeKindOf(fee)]} · {priceText}
        {fee.optional ? " · nếu bạn cần" : ""}
      </p>
      {fee.note && <p className="fee-option__note">{fee.note}</p>}
      {fee.unit && (
        <Quantity
          label={`Số ${fee.unit}`}
          unit={fee.unit}
          value={feeQuantity(draft, fee, index)}
          least={fee.optional ? 0 : 1}
          onChange={(n) => update((d) => ({ feeQuantities: { ...d.feeQuantities, [String(index)]: n } }))}
        />
      )}
    </li>
  );
}

/** How many copies (pages, people): − and + beside a number field, within `least` and MAX_FEE_QUANTITY. */
function Quantity({
  label,
  unit,
  value,
  least,
  onChange,
}: {
  label: string;
  unit: string;
  value: number;
  least: number;
  onChange: (n: number) => void;
}) {
  const id = useId();
  // The field's own text while typing ("" after clearing it), the draft's number otherwise.
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const set = (n: number) => onChange(Math.max(least, Math.min(MAX_FEE_QUANTITY, n)));
  return (
    <div className="quantity">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <div className="quantity__controls">
        <button
          type="button"
          className="quantity__step"
          aria-label={`Bớt một ${unit}`}
          disabled={value <= least}
          onClick={() => set(value - 1)}
        >
          −
        </button>
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={least}
          max={MAX_FEE_QUANTITY}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            const n = Number.parseInt(e.target.value, 10);
            if (Number.isFinite(n)) set(n);
          }}
          onBlur={() => setText(String(value))}
        />
        <button
          type="button"
          className="quantity__step"
          aria-label={`Thêm một ${unit}`}
          disabled={value >= MAX_FEE_QUANTITY}
          onClick={() => set(value + 1)}
        >
          +
        </button>
      </div>
    </div>
  );
}
