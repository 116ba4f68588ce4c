import { type AdministrativeUnit, PICKUP_SLOT_LABELS, type PickupSlot } from "@qn/shared";
import { useId } from "react";
import { CommuneSelect, TextField } from "../file/fields";
import {
  type ContactField,
  type ContactForm,
  type PickupField,
  type PickupForm,
  pickupDateLabel,
  withApplicant,
} from "./postal";

/**
 * The postal forms' fields, the same in the wizard and on the dossier page: a contact (name, phone, commune, street)
 * with "Dùng địa chỉ người nộp", and a pick-up's day, half-day and note.
 */

export function ContactFields({
  value,
  onChange,
  errors = {},
  labels,
  communes,
  applicant,
}: {
  value: ContactForm;
  onChange: (change: Partial<ContactForm>) => void;
  errors?: Partial<Record<ContactField, string>>;
  labels: { name: string; phone: string; commune: string; street: string };
  communes: AdministrativeUnit[];
  /** The applicant's details, filled in with one tap (absent when nothing is known of them yet). */
  applicant?: ContactForm | undefined;
}) {
  const known = applicant && (applicant.name || applicant.street);
  return (
    <>
      {known && (
        <button type="button" className="pill postal-fill" onClick={() => onChange(withApplicant(value, applicant))}>
          Dùng địa chỉ người nộp
        </button>
      )}
      <TextField
        label={labels.name}
        value={value.name}
        onChange={(name) => onChange({ name })}
        error={errors.name}
        required
      />
      <TextField
        label={labels.phone}
        value={value.phone}
        inputMode="tel"
        placeholder="Ví dụ 0912345678"
        onChange={(phone) => onChange({ phone })}
        error={errors.phone}
        required
      />
      <CommuneSelect
        label={labels.commune}
        value={value.communeCode}
        onChange={(communeCode) => onChange({ communeCode })}
        communes={communes}
        error={errors.communeCode}
      />
      <TextField
        label={labels.street}
        value={value.street}
        onChange={(street) => onChange({ street })}
        error={errors.street}
        required
      />
    </>
  );
}

/** The day (a select of the days the post can come, in Vietnamese), the half-day, and a note for the postman. */
export function PickupWhenFields({
  value,
  onChange,
  errors = {},
  dates,
  slots,
}: {
  value: Pick<PickupForm, "date" | "slot" | "note">;
  onChange: (change: Partial<PickupForm>) => void;
  errors?: Partial<Record<PickupField, string>>;
  dates: readonly string[];
  slots?: readonly { slot: PickupSlot; label: string }[];
}) {
  const dateId = useId();
  const noteId = useId();
  const offered =
    slots ??
    (Object.keys(PICKUP_SLOT_LABELS) as PickupSlot[]).map((slot) => ({
      slot,
      label: PICKUP_SLOT_LABELS[slot],
    }));
  return (
    <>
      <div className="field">
        <label htmlFor={dateId} className="field__label">
          Ngày bưu điện đến lấy <span aria-hidden="true">*</span>
        </label>
        <select
          id={dateId}
          value={dates.includes(value.date) ? value.date : ""}
          onChange={(e) => onChange({ date: e.target.value })}
          aria-invalid={errors.date ? true : undefined}
          aria-describedby={errors.date ? `${dateId}-error` : undefined}
        >
          <option value="">Chọn ngày</option>
          {dates.map((date) => (
            <option key={date} value={date}>
              {pickupDateLabel(date)}
            </option>
          ))}
        </select>
        {errors.date && (
          <p id={`${dateId}-error`} className="field__error" role="alert">
            {errors.date}
          </p>
        )}
      </div>
      <fieldset className="radio-group">
        <legend className="field__label">
          Buổi <span aria-hidden="true">*</span>
        </legend>
        {offered.map(({ slot, label }) => (
          <label key={slot} className={value.slot === slot ? "radio is-checked" : "radio"}>
            <input
              type="radio"
              name={`${dateId}-slot`}
              value={slot}
              checked={value.slot === slot}
              onChange={() => onChange({ slot })}
            />
            <span>{label}</span>
          </label>
        ))}
        {errors.slot && (
          <p className="field__error" role="alert">
            {errors.slot}
          </p>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={noteId} className="field__label">
          Ghi chú cho bưu điện (không bắt buộc)
        </label>
        <textarea
          id={noteId}
          value={value.note}
          rows={2}
          maxLength={300}
          placeholder="Ví dụ: gọi trước 30 phút, nhà trong ngõ 12"
          aria-invalid={errors.note ? true : undefined}
          onChange={(e) => onChange({ note: e.target.value })}
        />
        {errors.note && (
          <p className="field__error" role="alert">
            {errors.note}
          </p>
        )}
      </div>
    </>
  );
}
