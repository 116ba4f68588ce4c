import { ReceivingUnitView } from "@qn/shared";
import type { ReactNode } from "react";
import { useAsync } from "../../../hooks/useAsync";
import { get, Items } from "../../api";

export const LEVEL_LABELS: Record<ReceivingUnitView["level"], string> = {
  province: "Cấp tỉnh",
  commune: "Cấp xã",
};

/** The receiving units, province first then communes by name (the server's order). */
export function useUnits() {
  return useAsync(() => get("/admin/units", Items(ReceivingUnitView)).then((r) => r.items), []);
}

export function unitLabel(units: ReceivingUnitView[] | undefined, code: string): string {
  const unit = units?.find((u) => u.code === code);
  return unit ? unit.name : `Đơn vị ${code}`;
}

/** A dialog over the page: labelled by its title, closed with Escape or its own buttons. */
export function Dialog({
  id,
  title,
  onClose,
  children,
}: {
  id: string;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        onKeyDown={(e) => {
          if (e.key === "Escape") onClose();
        }}
      >
        <h2 id={id}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** A text field with its label and the error under it. */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control comes as `children`, inside the label
    <label className={`field ${error ? "field--error" : ""}`}>
      <span>{label}</span>
      {children}
      {hint && !error && <small className="muted">{hint}</small>}
      {error && <span className="field__error">{error}</span>}
    </label>
  );
}
