import type { Procedure } from "@qn/shared";
import { FeesSection } from "./FeesSection";
import { type StepProps, TextField } from "./fields";

/** Step 2, Tờ khai: what the citizen asks for, in their words, and what they choose about the fees. */
export function RequestStep({ draft, update, errors, procedure }: StepProps & { procedure: Procedure }) {
  return (
    <section aria-label="Tờ khai">
      <TextField
        label="Nội dung đề nghị"
        value={draft.request}
        multiline
        placeholder="Ví dụ: Đăng ký khai sinh cho con Nguyễn Minh Khôi, sinh ngày 20/11/2026 tại Bệnh viện Bãi Cháy."
        onChange={(request) => update({ request })}
      />
      <p className="muted small">Cán bộ sẽ liên hệ nếu cần thêm thông tin cho tờ khai.</p>
      <FeesSection draft={draft} update={update} errors={errors} procedure={procedure} />
    </section>
  );
}
