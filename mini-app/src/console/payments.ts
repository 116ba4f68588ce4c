import {
  type AttemptStatus,
  type ChargeStatus,
  type ExemptionView,
  type FeeChoice,
  type FeeKind,
  feeKindOf,
  type LedgerEntry,
  MAX_FEE_QUANTITY,
  type PaymentLine,
  type Procedure,
  quoteFees,
} from "@qn/shared";

/**
 * The console's payment logic without React (issue 14): the fee lines an official asks the citizen to pay, prefilled
 * from the catalogue with `quoteFees` (the one fee rule) and checked before they are sent; the ledger's sums; the days
 * the ledger moves between. The pages (PaymentsPage, the dossier's fee panel) only show what this computes.
 */

export type Channel = "online" | "counter" | "postal";

/** One row of the fee-line editor as the official types it; `read` turns the rows into PaymentLines. */
export type FeeLineDraft = {
  /** A stable key for React while rows are added and removed. */
  key: number;
  /** The line's position in the procedure's fees, or null for a line the official added. */
  index: number | null;
  name: string;
  kind: FeeKind;
  quantity: string;
  /** The amount of one unit in đồng, as typed ("10.000" or "10000"); the line's amount is quantity × this. */
  unitPrice: string;
  /** What a line is counted in (bản, trang, người), from the catalogue. */
  unit?: string | undefined;
  /** Shown under the line: the catalogue has no figure for it, the official enters the current one. */
  hint?: string | undefined;
};

let nextKey = 1;
const key = () => nextKey++;

/** An empty line the official fills in. */
export function blankLine(): FeeLineDraft {
  return { key: key(), index: null, name: "", kind: "le-phi", quantity: "1", unitPrice: "" };
}

const NO_FIGURE = "Danh mục chưa ghi mức thu: nhập số tiền theo quy định hiện hành.";

/** The citizen's exemption as a fee choice, when an official accepted it: the waived lines are then left out. */
function acceptedExemption(
  procedure: Pick<Procedure, "exemptions">,
  exemption: ExemptionView | null | undefined,
): FeeChoice {
  if (!exemption?.check?.accepted) return {};
  const { index } = exemption;
  return procedure.exemptions?.[index] === undefined
    ? {}
    : { exemption: { index, reason: exemption.reason || "Đã được chấp nhận" } };
}

/** One catalogue line alone, through quoteFees: its amount for one unit on `channel` (null: no figure), or undefined when it is not charged (free, waived). */
function catalogueAmount(
  procedure: Pick<Procedure, "fees" | "exemptions">,
  index: number,
  channel: Channel,
  choice: FeeChoice,
): number | null | undefined {
  const fee = procedure.fees[index];
  if (!fee) return undefined;
  const alone = { fees: [{ ...fee, optional: false }], exemptions: procedure.exemptions };
  const quote = quoteFees(alone, channel, choice.exemption ? { exemption: choice.exemption } : {});
  if (!quote.fixed) return null;
  return quote.lines[0]?.amount;
}

function draftOf(procedure: Pick<Procedure, "fees">, index: number, amount: number | null, quantity = 1): FeeLineDraft {
  const fee = procedure.fees[index] as Procedure["fees"][number];
  return {
    key: key(),
    index,
    name: fee.name,
    kind: feeKindOf(fee),
    quantity: String(quantity),
    unitPrice: amount === null ? "" : String(amount),
    unit: fee.unit,
    hint: amount === null ? (fee.note ? `${NO_FIGURE} ${fee.note}` : NO_FIGURE) : undefined,
  };
}

/**
 * The lines a request for payment starts with: what `quoteFees(procedure, channel)` charges (an accepted exemption
 * waives its lines), then the lines that apply but have no figure in the catalogue, empty for the official to fill.
 * Nothing at all (no fee in the catalogue): one empty line.
 */
export function prefillLines(
  procedure: Pick<Procedure, "fees" | "exemptions">,
  channel: Channel,
  exemption?: ExemptionView | null,
): FeeLineDraft[] {
  const choice = acceptedExemption(procedure, exemption);
  const quote = quoteFees(procedure, channel, choice);
  const rows = quote.lines.map((l) =>
    l.index === null
      ? {
          key: key(),
          index: null,
          name: l.name,
          kind: l.kind,
          quantity: String(l.quantity),
          unitPrice: String(l.amount),
        }
      : draftOf(procedure, l.index, Math.round(l.amount / l.quantity), l.quantity),
  );
  if (!quote.fixed) {
    procedure.fees.forEach((fee, index) => {
      if (fee.optional) return;
      if (catalogueAmount(procedure, index, channel, choice) === null) rows.push(draftOf(procedure, index, null));
    });
  }
  return rows.length > 0 ? rows : [blankLine()];
}

/** The catalogue's lines not yet in the editor and not free, which the official may add (optional lines, copies). */
export function catalogueExtras(
  procedure: Pick<Procedure, "fees" | "exemptions">,
  channel: Channel,
  drafts: FeeLineDraft[],
): { index: number; name: string; draft: () => FeeLineDraft }[] {
  const present = new Set(drafts.map((d) => d.index));
  return procedure.fees.flatMap((fee, index) => {
    if (present.has(index)) return [];
    const amount = catalogueAmount(procedure, index, channel, {});
    if (amount === undefined) return [];
    return [{ index, name: fee.name, draft: () => draftOf(procedure, index, amount) }];
  });
}

/** An amount in đồng as typed: digits, optionally grouped by thousands with dots or spaces ("10.000"). */
export function parseVnd(text: string): number | null {
  const t = text.trim().replace(/\s*(đồng|đ|d)$/iu, "");
  if (!/^\d+$/.test(t) && !/^\d{1,3}([.\s]\d{3})+$/.test(t)) return null;
  const value = Number(t.replace(/[.\s]/g, ""));
  return Number.isSafeInteger(value) ? value : null;
}

export type LineProblems = { name?: string; quantity?: string; unitPrice?: string };

export type ReadLines = {
  lines: PaymentLine[];
  total: number;
  /** By row position. */
  problems: LineProblems[];
  /** What is wrong with the lines as a whole (none, a zero total, too many). */
  overall: string | null;
  ok: boolean;
};

export const MAX_REQUEST_LINES = 20;
const MAX_AMOUNT = 1_000_000_000;

/** The editor's rows as the lines the API takes, with what is wrong with each, in words an official reads. */
export function readLines(drafts: FeeLineDraft[]): ReadLines {
  const problems: LineProblems[] = [];
  const lines: PaymentLine[] = [];
  for (const d of drafts) {
    const p: LineProblems = {};
    const name = d.name.trim();
    if (!name) p.name = "Cần ghi tên khoản phí, lệ phí.";
    else if (name.length > 300) p.name = "Tên khoản tối đa 300 ký tự.";
    const quantity = /^\d+$/.test(d.quantity.trim()) ? Number(d.quantity.trim()) : Number.NaN;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_FEE_QUANTITY)
      p.quantity = `Số lượng là số nguyên từ 1 đến ${MAX_FEE_QUANTITY}.`;
    const price = parseVnd(d.unitPrice);
    if (d.unitPrice.trim() === "") p.unitPrice = "Cần nhập số tiền.";
    else if (price === null) p.unitPrice = "Số tiền là số nguyên, đơn vị đồng (VD: 10000 hoặc 10.000).";
    const amount = price !== null && Number.isInteger(quantity) ? price * quantity : null;
    if (amount !== null && amount > MAX_AMOUNT) p.unitPrice = "Số tiền của một khoản tối đa 1.000.000.000 đ.";
    problems.push(p);
    if (!p.name && !p.quantity && !p.unitPrice && amount !== null)
      lines.push({ index: d.index, name, kind: d.kind, quantity, amount });
  }
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  let overall: string | null = null;
  if (drafts.length === 0) overall = "Cần ít nhất một khoản phí, lệ phí.";
  else if (drafts.length > MAX_REQUEST_LINES) overall = `Tối đa ${MAX_REQUEST_LINES} khoản trong một lần yêu cầu.`;
  else if (lines.length === drafts.length && total === 0) overall = "Tổng số tiền phải lớn hơn 0 đồng.";
  else if (total > MAX_AMOUNT) overall = "Tổng số tiền tối đa 1.000.000.000 đ.";
  const ok = overall === null && lines.length === drafts.length;
  return { lines, total, problems, overall, ok };
}

/** A row's amount as far as it can be computed while typing (null: not yet a number). */
export function lineAmount(d: FeeLineDraft): number | null {
  const price = parseVnd(d.unitPrice);
  const quantity = /^\d+$/.test(d.quantity.trim()) ? Number(d.quantity.trim()) : Number.NaN;
  return price === null || !Number.isInteger(quantity) ? null : price * quantity;
}

/** The row a server's field detail (`lines.2.amount`) is about, and the field in the editor it belongs to. */
export function detailTarget(path: string): { row: number; field: keyof LineProblems } | null {
  const m = /^lines\.(\d+)\.(name|kind|quantity|amount|index)/.exec(path);
  if (!m) return null;
  const field = m[2] === "name" ? "name" : m[2] === "quantity" ? "quantity" : "unitPrice";
  return { row: Number(m[1]), field };
}

// ─── The ledger ───

export type LedgerSummary = {
  paid: { count: number; amount: number };
  open: number;
  failed: number;
  abandoned: number;
  refundsDue: { count: number; amount: number };
};

/** What a day's rows add up to: money collected, attempts waiting or failed, refunds owed. */
export function summarise(items: readonly LedgerEntry[]): LedgerSummary {
  const s: LedgerSummary = {
    paid: { count: 0, amount: 0 },
    open: 0,
    failed: 0,
    abandoned: 0,
    refundsDue: { count: 0, amount: 0 },
  };
  for (const i of items) {
    if (i.status === "paid") {
      s.paid.count++;
      s.paid.amount += i.amount;
    } else s[i.status]++;
    if (i.refund && !i.refund.doneAt) {
      s.refundsDue.count++;
      s.refundsDue.amount += i.refund.amount;
    }
  }
  return s;
}

export type Tone = "done" | "run" | "wait" | "closed";

export const ATTEMPT_TONES: Record<AttemptStatus, Tone> = {
  open: "run",
  paid: "done",
  failed: "wait",
  abandoned: "closed",
};

export const CHARGE_TONES: Record<ChargeStatus, Tone> = {
  due: "wait",
  paid: "done",
  "paid-at-counter": "done",
  cancelled: "closed",
};

/** A ledger row's refund in a few words: a chip (owed, with its amount, or paid back) and a detail (why, or when). */
export function refundLabel(
  refund: LedgerEntry["refund"],
  formatTime: (iso: string) => string,
  formatMoney: (vnd: number) => string,
): { tone: Tone; chip: string; detail: string } | null {
  if (!refund) return null;
  return refund.doneAt
    ? {
        tone: "done",
        chip: "Đã hoàn tiền",
        detail: [
          `Lúc ${formatTime(refund.doneAt)}`,
          refund.doneBy ? `bởi ${refund.doneBy}` : "",
          refund.note ? `— ${refund.note}` : "",
        ]
          .filter(Boolean)
          .join(" "),
      }
    : { tone: "wait", chip: `Cần hoàn ${formatMoney(refund.amount)}`, detail: refund.reason };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day (`yyyy-mm-dd`) if the text is one, else null. */
export function validDay(text: string | null | undefined): string | null {
  if (!text || !DAY.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text ? text : null;
}

/** The calendar day `delta` days from `day` (calendar arithmetic, no time zone involved). */
export function shiftDay(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + delta * 86_400_000).toISOString().slice(0, 10);
}
