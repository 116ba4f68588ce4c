import { type AdministrativeUnit, normalisePhone, type Procedure } from "@qn/shared";
import { formatFee, formatProcessingDays } from "../../format";
import { addressLine } from "./AddressFields";
import { CONSENT_LABELS, type Draft } from "./draft";

/** Step 5, Xem lại: everything that will be filed, the time limit and the fees, before "Nộp hồ sơ". */
export function ReviewStep({
  draft,
  procedure,
  communes,
  phone,
  onBehalf,
}: {
  draft: Draft;
  procedure: Procedure;
  communes: AdministrativeUnit[];
  phone: string | null;
  onBehalf: boolean;
}) {
  const attached = procedure.documents.filter((_, i) => (draft.files[i] ?? []).length > 0).length;
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
          {draft.delivery === "post" &&
            `Qua bưu điện: ${draft.postName}, ${addressLine(draft.postStreet, draft.postCommune, communes)}`}
        </dd>
        <dt>Thời hạn giải quyết</dt>
        <dd>{formatProcessingDays(procedure.processingDays)} (tính từ khi hồ sơ được tiếp nhận)</dd>
        <dt>Phí, lệ phí</dt>
        <dd>
          {procedure.fees.length === 0
            ? "Đang cập nhật"
            : procedure.fees.map((f) => `${f.name}: ${formatFee(f)}`).join("; ")}
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
