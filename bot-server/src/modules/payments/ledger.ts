import {
  ATTEMPT_STATUS_LABELS,
  FLAG_LABELS,
  fromVietnamWallClock,
  type LedgerEntry,
  type LedgerQuery,
  PAYMENT_METHOD_LABELS,
  type PaymentFlag,
  type PaymentFlagView,
  REFUND_REASON_LABELS,
  vietnamDate,
} from "@qn/shared";
import ExcelJS from "exceljs";
import type { Db } from "../../db/database";
import { ForbiddenError, NotFoundError } from "../../errors/app-error";
import type { OfficialActor } from "../auth/actor";
import type { DossierService } from "../dossiers/dossier.service";
import { refundState } from "./payment.errors";

const SOURCE_LABELS = {
  callback: "Thông báo của cổng",
  return: "Công dân quay lại",
  reconcile: "Đối soát tự động",
} as const;
const RESULT_LABELS = {
  applied: "Đã ghi nhận",
  duplicate: "Trùng, đã ghi nhận trước",
  refused: "Từ chối",
  failed: "Giao dịch không thành công",
  late: "Đến muộn, không thay đổi",
} as const;

/** The unit an official's ledger reads: their own; an administrator's, any (or all). */
function unitOf(official: OfficialActor, asked: string | undefined): string | undefined {
  if (official.role === "admin") return asked;
  if (official.role === "volunteer") throw new ForbiddenError("Tình nguyện viên không xem sổ thu phí.");
  return official.unitCode;
}

/** A Vietnamese calendar day as the instants it spans, [from, to). */
function dayInstants(day: string): { from: string; to: string } {
  const start = fromVietnamWallClock(Date.parse(`${day}T00:00:00Z`));
  return { from: new Date(start).toISOString(), to: new Date(start + 86_400_000).toISOString() };
}

/**
 * The officials' side of payments (issue 14): the ledger per unit and day, the flagged confirmations, the refunds due,
 * the exemption checks, and the day's reconciliation exported as XLSX.
 */
export class PaymentLedger {
  constructor(
    private readonly db: Db,
    private readonly dossiers: DossierService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async entries(
    official: OfficialActor,
    query: LedgerQuery,
    /** The screen's page; the day's reconciliation file takes every row. */
    limit = 1000,
  ): Promise<{ day: string; items: LedgerEntry[]; total: number }> {
    const unit = unitOf(official, query.unit);
    const day = query.day ?? vietnamDate(this.now());
    let q = this.db
      .selectFrom("payment_attempts as a")
      .innerJoin("dossiers as d", "d.id", "a.dossier_id")
      .leftJoin("payment_refunds as r", "r.attempt_id", "a.id")
      .leftJoin("officials as o", "o.id", "r.done_by")
      .select([
        "a.reference",
        "a.dossier_code",
        "a.unit_code",
        "a.provider",
        "a.amount",
        "a.status",
        "a.created_at",
        "a.paid_at",
        "a.transaction_id",
        "a.receipt_number",
        "d.procedure_snapshot",
        "d.applicant_name",
        "r.id as refund_id",
        "r.reason as refund_reason",
        "r.amount as refund_amount",
        "r.due_at as refund_due_at",
        "r.done_at as refund_done_at",
        "r.note as refund_note",
        "o.name as refund_done_by",
      ]);
    if (unit) q = q.where("a.unit_code", "=", unit);
    if (query.status) q = q.where("a.status", "=", query.status);
    if (query.method) q = q.where("a.provider", "=", query.method);
    if (query.refundDue) {
      // Refunds due are listed whatever their day: they wait for an official.
      q = q.where("r.id", "is not", null).where("r.done_at", "is", null);
    } else {
      const { from, to } = dayInstants(day);
      q = q.where("a.created_at", ">=", from).where("a.created_at", "<", to);
    }
    const rows = await q.orderBy("a.created_at", "desc").limit(limit).execute();
    const items: LedgerEntry[] = rows.map((r) => ({
      reference: r.reference,
      dossierCode: r.dossier_code,
      unitCode: r.unit_code,
      procedureName: (JSON.parse(r.procedure_snapshot) as { name: string }).name,
      payerName: r.applicant_name,
      method: r.provider,
      amount: r.amount,
      status: r.status,
      createdAt: r.created_at,
      paidAt: r.paid_at,
      transactionId: r.transaction_id,
      receiptNumber: r.receipt_number,
      refund:
        r.refund_id === null
          ? null
          : {
              id: r.refund_id,
              reason:
                REFUND_REASON_LABELS[r.refund_reason as keyof typeof REFUND_REASON_LABELS] ?? String(r.refund_reason),
              amount: r.refund_amount ?? 0,
              dueAt: r.refund_due_at ?? "",
              doneAt: r.refund_done_at ?? null,
              note: r.refund_note ?? null,
              doneBy: r.refund_done_by ?? null,
            },
    }));
    return { day, items, total: items.filter((i) => i.status === "paid").reduce((sum, i) => sum + i.amount, 0) };
  }

  /** Confirmations flagged (wrong amount, unknown reference, paid twice…), the unresolved first. */
  async flags(official: OfficialActor, unitAsked: string | undefined): Promise<PaymentFlagView[]> {
    const unit = unitOf(official, unitAsked);
    let q = this.db
      .selectFrom("payment_events")
      .leftJoin("officials", "officials.id", "payment_events.resolved_by")
      .selectAll("payment_events")
      .select("officials.name as resolved_by_name")
      .where("payment_events.flag", "is not", null);
    // A confirmation with an unknown reference belongs to no unit: administrators see it.
    if (unit) q = q.where("payment_events.unit_code", "=", unit);
    else if (official.role !== "admin") q = q.where("payment_events.unit_code", "is", null);
    const rows = await q
      .orderBy("payment_events.resolved_at", "asc")
      .orderBy("payment_events.received_at", "desc")
      .limit(500)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      flag: r.flag as string,
      label: FLAG_LABELS[r.flag as PaymentFlag] ?? String(r.flag),
      method: r.provider,
      reference: r.reference,
      dossierCode: r.dossier_code,
      transactionId: r.transaction_id,
      amount: r.amount,
      receivedAt: r.received_at,
      resolvedAt: r.resolved_at,
      resolution: r.resolution,
      resolvedBy: r.resolved_by_name ?? null,
    }));
  }

  async resolveFlag(official: OfficialActor, id: number, note: string): Promise<void> {
    const unit = unitOf(official, undefined);
    const row = await this.db
      .selectFrom("payment_events")
      .select(["unit_code", "flag"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row || row.flag === null || (unit !== undefined && row.unit_code !== unit)) {
      throw new NotFoundError("Không tìm thấy mục cần xử lý.");
    }
    await this.db
      .updateTable("payment_events")
      .set({ resolved_at: this.now().toISOString(), resolved_by: official.id, resolution: note })
      .where("id", "=", id)
      .where("resolved_at", "is", null)
      .execute();
  }

  /** An official records that a refund was paid back (how, in the note). */
  async refundDone(official: OfficialActor, id: number, note: string): Promise<void> {
    if (official.role !== "official" && official.role !== "hcc" && official.role !== "admin")
      throw new ForbiddenError();
    const unit = unitOf(official, undefined);
    const row = await this.db
      .selectFrom("payment_refunds")
      .select(["unit_code"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row || (unit !== undefined && row.unit_code !== unit))
      throw new NotFoundError("Không tìm thấy khoản hoàn tiền.");
    const done = await this.db
      .updateTable("payment_refunds")
      .set({ done_at: this.now().toISOString(), done_by: official.id, note })
      .where("id", "=", id)
      .where("done_at", "is", null)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) throw refundState();
  }

  /** An official of the unit checks the exemption the citizen claimed; refused, they then ask for the fees (state 6). */
  async checkExemption(
    official: OfficialActor,
    code: string,
    accepted: boolean,
    note: string | undefined,
  ): Promise<void> {
    const record = await this.dossiers.seen(official, code);
    if ((official.role !== "official" && official.role !== "hcc") || official.unitCode !== record.unitCode) {
      throw new ForbiddenError("Hồ sơ không thuộc đơn vị của bạn hoặc bạn không có quyền xử lý.");
    }
    const row = await this.db
      .selectFrom("dossiers")
      .select(["fee_choice"])
      .where("code", "=", code)
      .executeTakeFirstOrThrow();
    const choice = row.fee_choice ? (JSON.parse(row.fee_choice) as { exemption?: unknown }) : null;
    if (!choice?.exemption) throw new NotFoundError("Hồ sơ không đề nghị miễn phí, lệ phí.");
    await this.db
      .updateTable("dossiers")
      .set({
        exemption_check: JSON.stringify({
          accepted,
          by: official.name,
          at: this.now().toISOString(),
          note: note ?? null,
        }),
      })
      .where("code", "=", code)
      .execute();
  }

  /** The day's reconciliation: every attempt with the provider's transaction, and the totals per method and status. */
  async reconciliationXlsx(official: OfficialActor, query: LedgerQuery): Promise<Buffer> {
    const { day, items } = await this.entries(official, { ...query, refundDue: undefined }, 100_000);
    const book = new ExcelJS.Workbook();
    book.creator = "Trợ lý dịch vụ công Quảng Ninh";
    const sheet = book.addWorksheet(`Đối soát ${day}`);
    sheet.addRow([`Đối soát thanh toán trực tuyến ngày ${day.split("-").reverse().join("/")}`]);
    sheet.addRow(["Đơn vị", query.unit ?? (official.role === "admin" ? "Tất cả" : official.unitCode)]);
    sheet.addRow([]);
    const header = sheet.addRow([
      "Mã tham chiếu",
      "Mã hồ sơ",
      "Thủ tục",
      "Người nộp",
      "Cổng thanh toán",
      "Số tiền (đ)",
      "Trạng thái",
      "Mã giao dịch của cổng",
      "Thời điểm thanh toán",
      "Số biên lai",
      "Hoàn tiền",
    ]);
    header.font = { bold: true };
    for (const i of items) {
      sheet.addRow([
        i.reference,
        i.dossierCode,
        i.procedureName,
        i.payerName,
        PAYMENT_METHOD_LABELS[i.method],
        i.amount,
        ATTEMPT_STATUS_LABELS[i.status],
        i.transactionId ?? "",
        i.paidAt ?? "",
        i.receiptNumber ?? "",
        i.refund ? `${i.refund.reason}${i.refund.doneAt ? " (đã hoàn)" : " (chưa hoàn)"}` : "",
      ]);
    }
    sheet.addRow([]);
    const totals = new Map<string, { count: number; amount: number }>();
    for (const i of items.filter((x) => x.status === "paid")) {
      const key = PAYMENT_METHOD_LABELS[i.method];
      const t = totals.get(key) ?? { count: 0, amount: 0 };
      totals.set(key, { count: t.count + 1, amount: t.amount + i.amount });
    }
    sheet.addRow(["Tổng đã thu theo cổng", "", "", "", "Cổng", "Số tiền (đ)", "Số giao dịch"]).font = { bold: true };
    for (const [method, t] of totals) sheet.addRow(["", "", "", "", method, t.amount, t.count]);
    sheet.columns.forEach((c) => {
      c.width = 20;
    });

    // The providers' own word: every confirmation received that day and what became of it, so that a payment the
    // provider reports and the ledger does not hold (or holds differently) stands out.
    const unit = unitOf(official, query.unit);
    const { from, to } = dayInstants(day);
    let events = this.db
      .selectFrom("payment_events")
      .selectAll()
      .where("received_at", ">=", from)
      .where("received_at", "<", to);
    if (unit) events = events.where("unit_code", "=", unit);
    const received = await events.orderBy("received_at").limit(10_000).execute();
    const words = book.addWorksheet("Xác nhận từ cổng");
    words.addRow([
      "Thời điểm nhận",
      "Cổng",
      "Nguồn",
      "Mã tham chiếu",
      "Mã hồ sơ",
      "Mã giao dịch của cổng",
      "Số tiền (đ)",
      "Cổng báo",
      "Kết quả ghi nhận",
      "Cần xử lý",
    ]).font = { bold: true };
    for (const e of received) {
      words.addRow([
        e.received_at,
        PAYMENT_METHOD_LABELS[e.provider],
        SOURCE_LABELS[e.source],
        e.reference ?? "",
        e.dossier_code ?? "",
        e.transaction_id ?? "",
        e.amount,
        e.outcome === "paid" ? "Đã thanh toán" : "Không thành công",
        RESULT_LABELS[e.result],
        e.flag ? (FLAG_LABELS[e.flag as PaymentFlag] ?? e.flag) : "",
      ]);
    }
    words.columns.forEach((c) => {
      c.width = 22;
    });
    return Buffer.from(await book.xlsx.writeBuffer());
  }
}
