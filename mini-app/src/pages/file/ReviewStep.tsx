import { type AdministrativeUnit, formatVnd, normalisePhone, type Procedure, quoteFees } from "@qn/shared";
import type { PostalQuoteAnswer } from "../../api/postal";
import { formatProcessingDays } from "../../format";
import { deliveryChargeText, pickupChargeText, pickupDateLabel } from "../postal/postal";
import { addressLine } from "./AddressFields";
import { CONSENT_LABELS, type Draft, feeChoiceOf, filesPickup } from "./draft";
import { feesTiming } from "./fees";

/** Step 5, Xem lại: everything that will be filed, the time limit and the fees, before "Nộp hồ sơ". */
export function ReviewStep({
  draft,
  procedure,
  communes,
  phone,
  onBehalf,
  postal,
}: {
  draft: Draft;
  procedure: Procedure;
  communes: AdministrativeUnit[];
  phone: string | null;
  onBehalf: boolean;
  /** The post's charges and slots (a procedure the post may carry, once loaded). */
  postal?: PostalQuoteAnswer | null | undefined;
}) {
  const slotLabel = postal?.slots.find((s) => s.slot === draft.pickupSlot)?.label ?? draft.pickupSlot;
  const attached = procedure.documents.filter((_, i) => (draft.files[i] ?? []).length > 0).length;
  const quote = quoteFees(procedure, "online", feeChoiceOf(draft, procedure));
  return (
    <section aria-label="Xem lại hồ sơ" className="review">
      <dl className="facts">
        <dt>Người nộp</dt>
        <dd>
          {draft.name} · {draft.identityNumber}
        </dd>
        <dt>Địa chỉ</dt>
        <dd>{addressLine(draft.street, draft.communeCode, communes)}</dd>
        <dt>Số điện thoại</dt>
        <dd>{onBehalf ? normalisePhone(draft.applicantPhone) || "Không có" : (phone ?? "Chưa chia sẻ")}</dd>
        {onBehalf && draft.consent && (
          <>
            <dt>Nộp thay</dt>
            <dd>
              {CONSENT_LABELS[draft.consent]}
              {draft.consentNote.trim() && ` (${draft.consentNote.trim()})`}
            </dd>
          </>
        )}
        <dt>Giấy tờ đính kèm</dt>
        <dd>
          {attached}/{procedure.documents.length} loại giấy tờ
        </dd>
        <dt>Nhận kết quả</dt>
        <dd>
          {draft.delivery === "counter" && "Tại bộ phận một cửa"}
          {draft.delivery === "online" && "Bản điện tử"}
          {draft.delivery === "post" && (
            <>
              Qua bưu điện: {draft.postName}, {normalisePhone(draft.postPhone) ?? draft.postPhone},{" "}
              {addressLine(draft.postStreet, draft.postCommune, communes)}
              {postal?.quote && <span className="facts__note">{deliveryChargeText(postal.quote)}</span>}
            </>
          )}
        </dd>
        {filesPickup(draft, procedure) && (
          <>
            <dt>Bưu điện đến lấy hồ sơ gốc</dt>
            <dd>
              <span className="facts__line">
                {pickupDateLabel(draft.pickupDate)}, {slotLabel}
              </span>
              <span className="facts__line">
                {draft.pickupName}, {normalisePhone(draft.pickupPhone) ?? draft.pickupPhone},{" "}
                {addressLine(draft.pickupStreet, draft.pickupCommune, communes)}
              </span>
              {draft.pickupNote.trim() && <span className="facts__note">Ghi chú: {draft.pickupNote.trim()}</span>}
              {postal?.quote && <span className="facts__note">{pickupChargeText(postal.quote.pickup)}</span>}
            </dd>
          </>
        )}
        <dt>Thời hạn giải quyết</dt>
        <dd>{formatProcessingDays(procedure.processingDays)} (tính từ khi hồ sơ được tiếp nhận)</dd>
        <dt>Phí, lệ phí</dt>
        <dd>
          {procedure.fees.length === 0 ? (
            "Đang cập nhật"
          ) : (
            <>
              {quote.lines.map((l) => (
                <span key={l.index ?? l.name} className="facts__line">
                  {l.name}
                  {l.quantity > 1 ? ` (${l.quantity})` : ""}: {formatVnd(l.amount)}
                </span>
              ))}
              <strong className="facts__line">
                {quote.fixed ? "Tổng cộng" : "Tạm tính"}: {formatVnd(quote.total)}
              </strong>
              {quote.exemption && (
                <span className="facts__note">
                  Xin miễn, giảm: {quote.exemption.name} ({quote.exemption.reason})
                </span>
              )}
              <span className="facts__note">{feesTiming(procedure, quote)}</span>
            </>
          )}
        </dd>
      </dl>
      <p className="notice">
        {onBehalf
          ? "Bằng việc nộp hồ sơ, bạn xác nhận công dân đã đồng ý cho bạn nộp thay và thông tin khai là đúng sự thật."
          : "Bằng việc nộp hồ sơ, bạn cam đoan thông tin khai là đúng sự thật."}
      </p>
    </section>
  );
}
