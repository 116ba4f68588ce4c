import type { AdministrativeUnit } from "@qn/shared";
import { useMemo } from "react";
import type { Draft, DraftUpdate } from "./draft";

/** What every step receives: the draft, the way to change it, and the messages shown after "Tiếp tục". */
export type StepProps = {
  draft: Draft;
  update: (update: DraftUpdate) => void;
  errors?: Record<string, string>;
};

export function TextField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  inputMode?: "numeric" | "email" | "tel" | "text";
  placeholder?: string;
  multiline?: boolean;
  required?: boolean;
}) {
  const id = useMemo(() => `f-${Math.random().toString(36).slice(2, 8)}`, []);
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {props.label}
        {props.required && <span aria-hidden="true"> *</span>}
      </label>
      {props.multiline ? (
        <textarea
          id={id}
          value={props.value}
          placeholder={props.placeholder}
          rows={4}
          onChange={(e) => props.onChange(e.target.value)}
        />
      ) : (
        <input
          id={id}
          value={props.value}
          inputMode={props.inputMode}
          placeholder={props.placeholder}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? `${id}-error` : undefined}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {props.error && (
        <p id={`${id}-error`} className="field__error" role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

export function CommuneSelect(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  communes: AdministrativeUnit[];
  error?: string | undefined;
}) {
  const id = useMemo(() => `c-${Math.random().toString(36).slice(2, 8)}`, []);
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {props.label} <span aria-hidden="true">*</span>
      </label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
      >
        <option value="">Chọn xã, phường, đặc khu</option>
        {props.communes.map((c) => (
          <option key={c.code} value={c.code}>
            {c.fullName}
          </option>
        ))}
      </select>
      {props.error && (
        <p className="field__error" role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}
