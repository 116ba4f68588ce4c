import { type DossierState, STATE_LABELS } from "@qn/shared";

const TONE: Record<DossierState, string> = {
  1: "info",
  2: "info",
  3: "bad",
  4: "info",
  5: "action",
  6: "action",
  7: "muted",
  8: "bad",
  9: "good",
  10: "good",
};

export function StateChip({ state, overdue = false }: { state: DossierState; overdue?: boolean }) {
  return (
    <span className="state-chips">
      <span className={`state-chip state-chip--${TONE[state]}`}>{STATE_LABELS[state]}</span>
      {overdue && <span className="state-chip state-chip--bad">Quá hạn</span>}
    </span>
  );
}
