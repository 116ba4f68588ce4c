import { type AdministrativeUnit, type FilingProcedure, type ResultMethod, resultMethods } from "@qn/shared";
import { useEffect, useId } from "react";
import type { PostalQuoteAnswer } from "../../api/postal";
import { StateMessage } from "../../components/StateMessage";
import type { AsyncState } from "../../hooks/useAsync";
import { ContactFields, PickupWhenFields } from "../postal/PostalFields";
import {
  type ContactForm,
  deliveryChargeText,
  NOT_BY_POST,
  type PickupField,
  pickupChargeText,
} from "../postal/postal";
import { type Draft, PICKUP_FIELDS, pickupFormOf, pickupPatch } from "./draft";
import type { StepProps } from "./fields";

const RESULT_METHODS: Record<ResultMethod, { label: string; hint: string }> = {
  counter: { label: "Nhận tại bộ phận một cửa", hint: "Mang giấy hẹn hoặc mã hồ sơ khi đến nhận." },
  post: { label: "Nhận qua bưu điện", hint: "Bưu điện giao kết quả tận nhà." },
  online: { label: "Nhận bản điện tử", hint: "Kết quả điện tử trong mini-app." },
};

/** The post's quote as the step reads it: loading, the answer (null for a procedure the post may not carry), failed. */
export type QuoteState = AsyncState<PostalQuoteAnswer | null>;

/** The receiver's fields of the result by post under the draft's names. */
const POST_FIELDS = { name: "postName", phone: "postPhone", communeCode: "postCommune", street: "postStreet" } as const;

/**
 * Step 4, Nhận kết quả: the ways this procedure's result may come back, as the shared filing rules allow them
 * (the same rules the server enforces), and for the post, where to and what it costs; then, for a procedure the post
 * may carry (bưu chính công ích, issue 15), the post to pick up the originals at home, on a day it can come.
 */
export function DeliveryStep({
  draft,
  update,
  errors = {},
  procedure,
  communes,
  quote,
  onRetryQuote,
  applicant,
}: StepProps & {
  procedure: FilingProcedure;
  communes: AdministrativeUnit[];
  quote: QuoteState;
  onRetryQuote: () => void;
  /** The applicant's name, phone and address, for "Dùng địa chỉ người nộp". */
  applicant: ContactForm;
}) {
  const answer = quote.status === "done" ? quote.value : undefined;
  // A day saved in the draft that the post no longer offers (the draft is a week old) is chosen again.
  useEffect(() => {
    if (answer && draft.pickupDate && !answer.pickupDates.includes(draft.pickupDate)) update({ pickupDate: "" });
  }, [answer, draft.pickupDate, update]);
  const postCharge = answer?.quote ? deliveryChargeText(answer.quote) : undefined;
  return (
    <section aria-label="Nhận kết quả">
      {!procedure.postal && (
        <p className="notice" role="note">
          {NOT_BY_POST}
        </p>
      )}
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
              {method === "post" && (
                <span className="radio__hint postal-charge">
                  {postCharge ??
                    (quote.status === "loading" ? "Đang tính cước chuyển phát…" : "Cước do bạn trả khi nhận.")}
                </span>
              )}
            </span>
          </label>
        ))}
      </fieldset>
      {draft.delivery === "post" && (
        <div className="sub-form">
          <ContactFields
            value={{
              name: draft.postName,
              phone: draft.postPhone,
              communeCode: draft.postCommune,
              street: draft.postStreet,
            }}
            onChange={(change) =>
              update(
                Object.fromEntries(
                  Object.entries(change).map(([k, v]) => [POST_FIELDS[k as keyof typeof POST_FIELDS], v]),
                ) as Partial<Draft>,
              )
            }
            errors={{
              name: errors.postName,
              phone: errors.postPhone,
              communeCode: errors.postCommune,
              street: errors.postStreet,
            }}
            labels={{
              name: "Người nhận",
              phone: "Số điện thoại người nhận",
              commune: "Xã, phường nhận",
              street: "Địa chỉ nhận",
            }}
            communes={communes}
            applicant={applicant}
          />
        </div>
      )}
      {procedure.postal && (
        <PickupChoice
          draft={draft}
          update={update}
          errors={errors}
          communes={communes}
          quote={quote}
          onRetryQuote={onRetryQuote}
          applicant={applicant}
        />
      )}
    </section>
  );
}

/** "Nhờ bưu điện đến lấy hồ sơ gốc tại nhà": who gives the originals, where, which day and half-day, the charge. */
function PickupChoice({
  draft,
  update,
  errors = {},
  communes,
  quote,
  onRetryQuote,
  applicant,
}: StepProps & {
  communes: AdministrativeUnit[];
  quote: QuoteState;
  onRetryQuote: () => void;
  applicant: ContactForm;
}) {
  const checkId = useId();
  const answer = quote.status === "done" ? quote.value : undefined;
  const fieldErrors = Object.fromEntries(
    (Object.keys(PICKUP_FIELDS) as PickupField[]).map((f) => [f, errors[PICKUP_FIELDS[f]]]),
  );
  const form = pickupFormOf(draft);
  return (
    <section aria-labelledby={`${checkId}-title`} className="postal-choice">
      <h3 id={`${checkId}-title`} className="fees-choice__title">
        Hồ sơ gốc
      </h3>
      <label htmlFor={checkId} className={draft.pickup ? "radio is-checked" : "radio"}>
        <input
          id={checkId}
          type="checkbox"
          checked={draft.pickup}
          onChange={(e) => update({ pickup: e.target.checked })}
        />
        <span>
          Nhờ bưu điện đến lấy hồ sơ gốc tại nhà
          <span className="radio__hint">
            Nhân viên bưu điện đến lấy bản giấy tại địa chỉ bạn hẹn và chuyển tới cơ quan giải quyết.
          </span>
          {answer?.quote && <span className="radio__hint postal-charge">{pickupChargeText(answer.quote.pickup)}</span>}
        </span>
      </label>
      {draft.pickup && (
        <div className="sub-form">
          <ContactFields
            value={form}
            onChange={(change) => update(pickupPatch(change))}
            errors={fieldErrors}
            labels={{
              name: "Người giao hồ sơ",
              phone: "Số điện thoại người giao",
              commune: "Xã, phường lấy hồ sơ",
              street: "Địa chỉ lấy hồ sơ (số nhà, thôn, tổ)",
            }}
            communes={communes}
            applicant={applicant}
          />
          {quote.status === "loading" && <StateMessage kind="loading" text="Đang tải các ngày bưu điện có thể đến…" />}
          {quote.status === "error" && (
            <>
              <StateMessage kind="error" text={quote.error.message} onRetry={onRetryQuote} />
              {fieldErrors.date && (
                <p className="field__error" role="alert">
                  {fieldErrors.date}
                </p>
              )}
            </>
          )}
          {answer && (
            <PickupWhenFields
              value={form}
              onChange={(change) => update(pickupPatch(change))}
              errors={fieldErrors}
              dates={answer.pickupDates}
              slots={answer.slots}
            />
          )}
        </div>
      )}
    </section>
  );
}
