import { z } from "zod";
import type { FeeExemption, ProcedureFee } from "./procedure";
import { line, paragraph } from "./text/safe-text";

/**
 * Fees and their online payment (issue 14, docs/domain.md §6): what a dossier owes, computed in one place from the
 * catalogue's fee lines for the wizard, the server and the console; and the shapes of the payment API.
 */

export type FeeKind = "phi" | "le-phi";
export const FEE_KIND_LABELS: Record<FeeKind, string> = { phi: "Phí", "le-phi": "Lệ phí" };

/** A fee line's kind: as the catalogue says, else read from its name ("Phí …" is a phí), else lệ phí. */
export function feeKindOf(fee: Pick<ProcedureFee, "name" | "kind">): FeeKind {
  if (fee.kind) return fee.kind;
  return /^phí(\s|$)/iu.test(fee.name.trim()) ? "phi" : "le-phi";
}

/** The most of one line a citizen may ask for (copies, pages, people). */
export const MAX_FEE_QUANTITY = 50;

/** What the citizen chooses about the fees when filing: optional lines, how many of a counted line, an exemption. */
export const FeeChoice = z.object({
  /** Line index → how many (copies, pages, people), for lines with a unit; 0 leaves an optional line out. */
  quantities: z.record(z.string().regex(/^\d{1,2}$/), z.number().int().min(0).max(MAX_FEE_QUANTITY)).optional(),
  /** Optional lines asked for (by index), besides those given a quantity. */
  optional: z.array(z.number().int().min(0).max(99)).max(50).optional(),
  /** An exemption the citizen claims (its index in the procedure's list), with their reason; an official checks it. */
  exemption: z
    .object({
      index: z.number().int().min(0).max(99),
      reason: paragraph().trim().min(1, "Cần ghi rõ lý do được miễn").max(500),
    })
    .optional(),
});
export type FeeChoice = z.infer<typeof FeeChoice>;

/** One line of what is paid (the receipt's and the ledger's too). `amount` is the line's total in VND. */
export const PaymentLine = z.object({
  /** The line's position in the procedure's fees, or null for a line an official added. */
  index: z.number().int().min(0).nullable(),
  name: line().trim().min(1).max(300),
  kind: z.enum(["phi", "le-phi"]),
  quantity: z.number().int().min(1).max(MAX_FEE_QUANTITY),
  amount: z.number().int().min(0).max(1_000_000_000),
});
export type PaymentLine = z.infer<typeof PaymentLine>;

/** What a dossier owes, as computed from its procedure's fees and the citizen's choice. */
export type FeeQuote = {
  /** The lines with an amount to pay (free and waived lines are left out). */
  lines: PaymentLine[];
  total: number;
  /**
   * Whether `total` is all there is: false when a line that applies has no figure in the catalogue (the unit works it
   * out and asks for it: state 6), so nothing can be paid at filing.
   */
  fixed: boolean;
  /** The exemption claimed, as the catalogue names it. */
  exemption: { index: number; name: string; reason: string } | null;
};

type QuotedProcedure = { fees: ProcedureFee[]; exemptions?: FeeExemption[] | undefined };

/** What is owed for a procedure filed on `channel` with the citizen's choice (the one fee rule: issue 14). */
export function quoteFees(
  procedure: QuotedProcedure,
  channel: "online" | "counter" | "postal",
  choice: FeeChoice = {},
): FeeQuote {
  const claimed = choice.exemption ? procedure.exemptions?.[choice.exemption.index] : undefined;
  const waives = (kind: FeeKind) => claimed !== undefined && (claimed.appliesTo ?? "all") !== oppositeOf(kind);
  const lines: PaymentLine[] = [];
  let fixed = true;
  procedure.fees.forEach((fee, index) => {
    const asked = choice.quantities?.[String(index)];
    const chosen = asked !== undefined ? asked > 0 : (choice.optional ?? []).includes(index);
    if (fee.optional && !chosen) return;
    if (asked === 0) return;
    const kind = feeKindOf(fee);
    if (waives(kind)) return;
    const unitAmount = channel === "online" && fee.onlineAmount !== undefined ? fee.onlineAmount : fee.amount;
    if (unitAmount === null) {
      fixed = false;
      return;
    }
    if (unitAmount === 0) return;
    const quantity = fee.unit ? Math.max(1, Math.min(MAX_FEE_QUANTITY, asked ?? 1)) : 1;
    lines.push({ index, name: fee.name, kind, quantity, amount: unitAmount * quantity });
  });
  return {
    lines,
    total: lines.reduce((sum, l) => sum + l.amount, 0),
    fixed,
    exemption:
      claimed && choice.exemption
        ? { index: choice.exemption.index, name: claimed.name, reason: choice.exemption.reason }
        : null,
  };
}

function oppositeOf(kind: FeeKind): "phi" | "le-phi" {
  return kind === "phi" ? "le-phi" : "phi";
}

/** Whether a procedure's fees are paid online as the last step of filing: level 4 with a fixed amount to pay. */
export function paidAtFiling(procedure: { onlineLevel: number }, quote: FeeQuote): boolean {
  return procedure.onlineLevel === 4 && quote.fixed && quote.total > 0;
}

/**
 * An amount in figures, `10.000 đ`: dots between thousands, as Vietnamese write it. Written out rather than taken
 * from `Intl` so that a Node or WebView built without the Vietnamese locale data does not print `10,000`.
 */
export function formatVnd(amount: number): string {
  const sign = amount < 0 ? "-" : "";
  const digits = String(Math.abs(Math.round(amount))).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return `${sign}${digits} đ`;
}

// ─── The payment API ─────────────────────────────────────────────────────────────────────────────────────────────────

export const PaymentMethod = z.enum(["sandbox", "zalo-checkout", "national"]);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = {
  sandbox: "Cổng thử nghiệm (không thu tiền thật)",
  "zalo-checkout": "Thanh toán trong Zalo",
  national: "Nền tảng thanh toán trực tuyến quốc gia",
};

/** A charge: what the dossier owes at one time (at filing, or an official's request), and what became of it. */
export const ChargeStatus = z.enum(["due", "paid", "paid-at-counter", "cancelled"]);
export type ChargeStatus = z.infer<typeof ChargeStatus>;
export const CHARGE_STATUS_LABELS: Record<ChargeStatus, string> = {
  due: "Chưa thanh toán",
  paid: "Đã thanh toán trực tuyến",
  "paid-at-counter": "Đã nộp tại bộ phận một cửa",
  cancelled: "Không còn phải nộp",
};

export const AttemptStatus = z.enum(["open", "paid", "failed", "abandoned"]);
export type AttemptStatus = z.infer<typeof AttemptStatus>;
export const ATTEMPT_STATUS_LABELS: Record<AttemptStatus, string> = {
  open: "Đang chờ cổng thanh toán",
  paid: "Thành công",
  failed: "Không thành công",
  abandoned: "Đã bỏ dở",
};

export const PaymentAttemptView = z.object({
  reference: z.string(),
  method: PaymentMethod,
  methodLabel: z.string(),
  amount: z.number().int(),
  status: AttemptStatus,
  statusLabel: z.string(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  transactionId: z.string().nullable(),
  failure: z.string().nullable(),
  /** Set once paid: the e-receipt's number (download at …/receipts/<number>.pdf). */
  receiptNumber: z.string().nullable(),
});
export type PaymentAttemptView = z.infer<typeof PaymentAttemptView>;

export const ChargeView = z.object({
  id: z.number().int(),
  kind: z.enum(["filing", "request"]),
  lines: z.array(PaymentLine),
  amount: z.number().int(),
  status: ChargeStatus,
  statusLabel: z.string(),
  createdAt: z.string(),
  attempts: z.array(PaymentAttemptView),
});
export type ChargeView = z.infer<typeof ChargeView>;

export const ExemptionView = z.object({
  /** Its position in the procedure's exemptions. */
  index: z.number().int(),
  name: z.string(),
  reason: z.string(),
  /** null: not yet checked; an official of the unit accepted or refused it. */
  check: z.object({ accepted: z.boolean(), by: z.string(), at: z.string(), note: z.string().nullable() }).nullable(),
});
export type ExemptionView = z.infer<typeof ExemptionView>;

/** `GET /api/dossiers/:code/payments`: the dossier's charges, the methods offered, and what is payable now. */
export const DossierPayments = z.object({
  charges: z.array(ChargeView),
  /** The charge the citizen may pay now, if any. */
  payable: z.object({ chargeId: z.number().int(), amount: z.number().int() }).nullable(),
  methods: z.array(z.object({ id: PaymentMethod, label: z.string() })),
  exemption: ExemptionView.nullable(),
});
export type DossierPayments = z.infer<typeof DossierPayments>;

/** `POST /api/dossiers/:code/payments`. */
export const StartPaymentRequest = z.object({ method: PaymentMethod });
export type StartPaymentRequest = z.infer<typeof StartPaymentRequest>;

export const CheckoutOrder = z.object({
  desc: z.string(),
  item: z.array(z.object({ id: z.string(), amount: z.number().int() })),
  amount: z.number().int(),
  extradata: z.string(),
  method: z.string(),
  mac: z.string(),
});
export type CheckoutOrder = z.infer<typeof CheckoutOrder>;

/** What the device does next: open a payment page, or call Checkout's `Payment.createOrder` with the order. */
export const PaymentStart = z.object({
  attempt: PaymentAttemptView,
  next: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("redirect"), url: z.string() }),
    z.object({ kind: z.literal("checkout"), order: CheckoutOrder }),
  ]),
});
export type PaymentStart = z.infer<typeof PaymentStart>;

/** `POST /api/payments/:reference/order`: Checkout's orderId, told by the device after createOrder. */
export const CheckoutOrderReport = z.object({ orderId: z.string().trim().min(1).max(100) });

/** `POST /api/dossiers/:code/receipts/:number/link`: a receipt's address for a few minutes, without a session. */
export const ReceiptLink = z.object({ url: z.string(), expiresAt: z.string() });
export type ReceiptLink = z.infer<typeof ReceiptLink>;

/** Officials: an exemption claim checked. */
export const ExemptionCheckRequest = z.object({
  accepted: z.boolean(),
  note: paragraph().trim().max(1000).optional(),
});

/** Officials: a refund recorded as paid back. */
export const RefundDoneRequest = z.object({ note: paragraph().trim().min(1, "Cần ghi cách đã hoàn tiền").max(1000) });

/** Officials: a flagged payment event looked at. */
export const FlagResolveRequest = z.object({ note: paragraph().trim().min(1, "Cần ghi cách đã xử lý").max(1000) });

export const REFUND_REASON_LABELS = {
  withdrawn: "Hồ sơ đã rút sau khi thanh toán",
  rejected: "Hồ sơ không được tiếp nhận sau khi thanh toán",
  stopped: "Hồ sơ dừng xử lý sau khi thanh toán",
  "paid-twice": "Thanh toán trùng (khoản phí đã được nộp)",
} as const;
export type RefundReason = keyof typeof REFUND_REASON_LABELS;

export const FLAG_LABELS = {
  "amount-mismatch": "Số tiền không khớp với lần thanh toán",
  "unknown-reference": "Mã tham chiếu không thuộc lần thanh toán nào",
  "provider-mismatch": "Xác nhận đến từ cổng khác với cổng của lần thanh toán",
  "order-mismatch": "Mã đơn hàng của cổng không khớp với lần thanh toán",
  "paid-twice": "Khoản phí được thanh toán hai lần",
  "paid-after-close": "Thanh toán sau khi hồ sơ đã kết thúc",
} as const;
export type PaymentFlag = keyof typeof FLAG_LABELS;

/** One row of the officials' ledger: a payment attempt of the unit, with its flags and refund. */
export const LedgerEntry = z.object({
  reference: z.string(),
  dossierCode: z.string(),
  unitCode: z.string(),
  procedureName: z.string(),
  payerName: z.string(),
  method: PaymentMethod,
  amount: z.number().int(),
  status: AttemptStatus,
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  transactionId: z.string().nullable(),
  receiptNumber: z.string().nullable(),
  refund: z
    .object({
      id: z.number().int(),
      reason: z.string(),
      amount: z.number().int(),
      dueAt: z.string(),
      doneAt: z.string().nullable(),
      /** How it was given back, and by whom (once done). */
      note: z.string().nullable(),
      doneBy: z.string().nullable(),
    })
    .nullable(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const PaymentFlagView = z.object({
  id: z.number().int(),
  flag: z.string(),
  label: z.string(),
  method: PaymentMethod,
  reference: z.string().nullable(),
  dossierCode: z.string().nullable(),
  transactionId: z.string().nullable(),
  amount: z.number().int(),
  receivedAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
  resolvedBy: z.string().nullable(),
});
export type PaymentFlagView = z.infer<typeof PaymentFlagView>;

export const LedgerQuery = z.object({
  /** Vietnamese calendar day, yyyy-mm-dd (default today). */
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  unit: z
    .string()
    .regex(/^\d{2,5}$/)
    .optional(),
  status: AttemptStatus.optional(),
  method: PaymentMethod.optional(),
  /** Only the attempts with a refund due (not yet paid back). */
  refundDue: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});
export type LedgerQuery = z.infer<typeof LedgerQuery>;
