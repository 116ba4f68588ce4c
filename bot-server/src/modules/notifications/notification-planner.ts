import {
  type DossierState,
  miniAppLink,
  NOTIFICATION_KIND_LABELS,
  type NotificationKind,
  STATE_LABELS,
} from "@qn/shared";
import type { Transaction } from "kysely";
import type { OaMessage } from "../../clients/zalo/messages";
import type { Database } from "../../db/schema";

type Trx = Transaction<Database>;

/** What a status notification carries to the delivery worker. */
export type StatusPayload = {
  kind: NotificationKind;
  dossierCode: string;
  message: OaMessage;
  /** Values for ZNS template parameters (mapped per template by configuration). */
  fields: Record<string, string>;
};

export type DossierFacts = {
  id: number;
  code: string;
  citizenId: number | null;
  procedureName: string;
  state: DossierState;
  dueDate: string | null;
  missingDocuments: string[];
  feesDue: number | null;
};

const vnd = new Intl.NumberFormat("vi-VN");
const BUTTON_TITLES: Partial<Record<NotificationKind, string>> = {
  "dossier.payment-requested": "Thanh toán ngay",
  "dossier.payment-received": "Xem biên lai",
  "dossier.postal": "Theo dõi bưu gửi",
};
const dateVi = (iso: string) => iso.split("-").reverse().join("/");

/**
 * Turns dossier events into what the citizen is told: a row in the in-app inbox and a row in the outbox, both written
 * in the transaction of the change itself (so a crash can neither lose the message nor send it without the change).
 */
export class NotificationPlanner {
  constructor(private readonly miniAppId: string) {}

  /** Called inside the dossier's transaction after a state change the citizen is told of (records/transitions.ts). */
  async onStateChange(trx: Trx, eventId: number, kind: NotificationKind, dossier: DossierFacts): Promise<void> {
    await this.plan(trx, `dossier-event:${eventId}`, kind, dossier);
  }

  /** A payment received online (issue 14): once per attempt, with the amount; the receipt is in the mini-app. */
  async onPaymentReceived(trx: Trx, reference: string, dossier: DossierFacts & { paid: number }): Promise<void> {
    await this.plan(trx, `payment:${reference}`, "dossier.payment-received", { ...dossier, feesDue: dossier.paid });
  }

  /**
   * A postal order moved (issue 15): once per status the post reported and we applied (`key` names that event), with
   * the status's own words as the title and what to do next.
   */
  async onPostalStatus(
    trx: Trx,
    key: string,
    dossier: DossierFacts,
    postal: { title: string; body: string; waybill: string | null },
  ): Promise<void> {
    await this.plan(trx, `postal:${key}`, "dossier.postal", dossier, postal);
  }

  /** Due soon or overdue: one notification per dossier and due date (the key makes repeats no-ops). */
  async onDeadline(trx: Trx, kind: "dossier.due-soon" | "dossier.overdue", dossier: DossierFacts): Promise<void> {
    await this.plan(trx, `${kind}:${dossier.code}:${dossier.dueDate}`, kind, dossier);
  }

  private async plan(
    trx: Trx,
    key: string,
    kind: NotificationKind,
    dossier: DossierFacts,
    text?: { title: string; body: string; waybill: string | null },
  ): Promise<void> {
    if (dossier.citizenId === null) return; // filed for someone without an account: nobody to notify on Zalo
    const now = new Date().toISOString();
    // A payment request opens the payment screen itself: one tap from the message to paying.
    const link =
      kind === "dossier.payment-requested"
        ? miniAppLink(this.miniAppId, { kind: "page", page: "pay", code: dossier.code })
        : miniAppLink(this.miniAppId, { kind: "dossier", code: dossier.code });
    const body = text?.body ?? this.body(kind, dossier);
    const title = text?.title ?? NOTIFICATION_KIND_LABELS[kind];
    const inserted = await trx
      .insertInto("notifications")
      .values({
        citizen_id: dossier.citizenId,
        source_key: key,
        kind,
        title,
        body,
        dossier_code: dossier.code,
        link,
        created_at: now,
        read_at: null,
      })
      .onConflict((oc) => oc.column("source_key").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    const payload: StatusPayload = {
      kind,
      dossierCode: dossier.code,
      message: {
        text: `${title}\n${body}`,
        buttons: [{ title: BUTTON_TITLES[kind] ?? "Xem hồ sơ", kind: "url", url: link }],
      },
      fields: {
        code: dossier.code,
        procedureName: dossier.procedureName,
        stateLabel: STATE_LABELS[dossier.state],
        dueDate: dossier.dueDate ? dateVi(dossier.dueDate) : "",
        feesDue: dossier.feesDue === null ? "" : `${vnd.format(dossier.feesDue)} đ`,
        missingDocuments: dossier.missingDocuments.join("; "),
        ...(text ? { postalStatus: text.title, waybill: text.waybill ?? "" } : {}),
      },
    };
    await trx
      .insertInto("outbox")
      .values({
        idempotency_key: key,
        kind,
        citizen_id: dossier.citizenId,
        zalo_user_id: null,
        announcement_id: null,
        payload: JSON.stringify(payload),
        status: "pending",
        next_attempt_at: now,
        claimed_by: null,
        claimed_until: null,
        channel: null,
        provider_message_id: null,
        last_error: null,
        created_at: now,
        sent_at: null,
      })
      .onConflict((oc) => oc.column("idempotency_key").doNothing())
      .execute();
  }

  /** The short Vietnamese message: code, procedure, what happened, what to do next. */
  private body(kind: NotificationKind, d: DossierFacts): string {
    const head = `Hồ sơ ${d.code} (${d.procedureName})`;
    switch (kind) {
      case "dossier.accepted":
        return `${head} đã được tiếp nhận.${d.dueDate ? ` Hẹn trả kết quả ngày ${dateVi(d.dueDate)}.` : ""} Bạn không cần làm gì thêm.`;
      case "dossier.rejected":
        return `${head} không được tiếp nhận. Mở mini-app để xem lý do và hướng dẫn nộp lại.`;
      case "dossier.supplement-requested":
        return `${head} cần bổ sung: ${d.missingDocuments.join("; ") || "giấy tờ theo yêu cầu"}. Mở mini-app để gửi bổ sung.`;
      case "dossier.payment-requested":
        return `${head} cần nộp phí, lệ phí${d.feesDue ? ` ${vnd.format(d.feesDue)} đ` : ""} để được tiếp tục xử lý. Bạn có thể thanh toán trực tuyến ngay trong mini-app.`;
      case "dossier.payment-received":
        return `${head}: đã nhận ${vnd.format(d.feesDue ?? 0)} đ phí, lệ phí. Biên lai điện tử có trong mini-app, mục hồ sơ.`;
      case "dossier.done":
        return `${head} đã có kết quả. Bạn nhận kết quả theo hình thức đã chọn khi nộp hồ sơ.`;
      case "dossier.delivered":
        return `${head} đã trả kết quả. Mời bạn đánh giá mức độ hài lòng trong mini-app.`;
      case "dossier.due-soon":
        return `${head} sắp đến hạn trả kết quả${d.dueDate ? ` (${dateVi(d.dueDate)})` : ""}.`;
      case "dossier.overdue":
        return `${head} đã quá hạn trả kết quả${d.dueDate ? ` (${dateVi(d.dueDate)})` : ""}. Cơ quan giải quyết sẽ thông báo lý do và hẹn lại.`;
      default:
        return head;
    }
  }
}
