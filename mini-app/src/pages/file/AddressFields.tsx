import type { AdministrativeUnit } from "@qn/shared";
import type { AddressKeys } from "./draft";
import { CommuneSelect, type StepProps, TextField } from "./fields";

/**
 * An address in the province: the commune, then the street. The one component for the applicant's address and the
 * address the post brings the result to; `at` says which fields of the draft it edits (and whose messages it shows).
 */
export function AddressFields({
  draft,
  update,
  errors = {},
  at,
  labels,
  communes,
}: StepProps & { at: AddressKeys; labels: { commune: string; street: string }; communes: AdministrativeUnit[] }) {
  return (
    <>
      <CommuneSelect
        label={labels.commune}
        value={draft[at.commune]}
        onChange={(code) => update({ [at.commune]: code })}
        communes={communes}
        error={errors[at.commune]}
      />
      <TextField
        label={labels.street}
        value={draft[at.street]}
        onChange={(street) => update({ [at.street]: street })}
        error={errors[at.street]}
        required
      />
    </>
  );
}

/** An address on one line, as the review shows it: "Số 5, tổ 3, Phường Hà Tu". */
export function addressLine(street: string, communeCode: string, communes: AdministrativeUnit[]): string {
  return `${street}, ${communes.find((c) => c.code === communeCode)?.fullName ?? communeCode}`;
}
