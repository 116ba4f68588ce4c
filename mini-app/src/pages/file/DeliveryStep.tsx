import { type AdministrativeUnit, type FilingProcedure, type ResultMethod, resultMethods } from "@qn/shared";
import { AddressFields } from "./AddressFields";
import { DELIVERY_ADDRESS } from "./draft";
import { type StepProps, TextField } from "./fields";

const RESULT_METHODS: Record<ResultMethod, { label: string; hint: string }> = {
  counter: { label: "Nhận tại bộ phận một cửa", hint: "Mang giấy hẹn hoặc mã hồ sơ khi đến nhận." },
  post: { label: "Nhận qua bưu điện", hint: "Bưu điện giao tận nhà; cước do bạn trả khi nhận." },
  online: { label: "Nhận bản điện tử", hint: "Kết quả điện tử trong mini-app." },
};

/**
 * Step 4, Nhận kết quả: the ways this procedure's result may come back, as the shared filing rules allow them
 * (the same rules the server enforces), and for the post, where to.
 */
export function DeliveryStep({
  draft,
  update,
  errors = {},
  procedure,
  communes,
}: StepProps & { procedure: FilingProcedure; communes: AdministrativeUnit[] }) {
  return (
    <section aria-label="Nhận kết quả">
      <fieldset className="radio-group">
        <legend className="field__label">Bạn muốn nhận kết quả thế nào?</legend>
        {resultMethods(procedure).map((method) => (
          <label key={method} className={draft.delivery === method ? "radio is-checked" : "radio"}>
            <input
              type="radio"
              name="delivery"
              value={method}
              checked={draft.delivery === method}
              onChange={() => update({ delivery: method })}
            />
            <span>
              {RESULT_METHODS[method].label}
              <span className="radio__hint">{RESULT_METHODS[method].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {draft.delivery === "post" && (
        <div className="sub-form">
          <TextField
            label="Người nhận"
            value={draft.postName}
            onChange={(postName) => update({ postName })}
            error={errors.postName}
            required
          />
          <TextField
            label="Số điện thoại người nhận"
            value={draft.postPhone}
            inputMode="tel"
            onChange={(postPhone) => update({ postPhone })}
            error={errors.postPhone}
            required
          />
          <AddressFields
            draft={draft}
            update={update}
            errors={errors}
            at={DELIVERY_ADDRESS}
            labels={{ commune: "Xã, phường nhận", street: "Địa chỉ nhận" }}
            communes={communes}
          />
        </div>
      )}
    </section>
  );
}
