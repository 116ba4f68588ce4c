import {
  type DossierSubmission,
  type FeeChoice,
  IdentityNumber,
  MAX_FEE_QUANTITY,
  normalisePhone,
  type OnBehalfConsent,
  type PickupSlot,
  type Procedure,
  type ResultMethod,
} from "@qn/shared";
import { type PickupField, type PickupForm, pickupProblems, toPickupRequest } from "../postal/postal";

/**
 * The filing wizard's draft, as plain data and functions (no React, no storage): its defaults, how a change applies,
 * what must be right before leaving a step, what is saved on the device and what is filed.
 */

export type ConsentMethod = OnBehalfConsent["method"];

export const CONSENT_LABELS: Record<ConsentMethod, string> = {
  "in-person": "Công dân đồng ý trực tiếp với tôi",
  written: "Có giấy đề nghị nộp thay, công dân ký",
  "zalo-message": "Công dân đồng ý qua tin nhắn Zalo",
};

export const STEPS = ["Người nộp", "Tờ khai", "Giấy tờ", "Nhận kết quả", "Xem lại"];

/**
 * Everything typed and photographed so far, saved after every change so that closing the app loses nothing: the
 * typed fields in the app's storage (Zalo's nativeStorage inside Zalo), the photos in IndexedDB (nativeStorage holds
 * about 5 MB of text in all, too little for photos). The fields are flat, as drafts already saved on phones have them.
 */
export type Draft = {
  step: number;
  /** Filed by a volunteer or HCC officer for a citizen (only when one is signed in on this device). */
  forCitizen: boolean;
  consent: ConsentMethod | "";
  consentNote: string;
  /** The citizen's phone, typed by the helper (a citizen's own phone comes from Zalo). */
  applicantPhone: string;
  name: string;
  identityNumber: string;
  /** ISO date; filled from the căn cước card's QR code, or typed (optional). */
  birthDate: string;
  communeCode: string;
  street: string;
  email: string;
  request: string;
  delivery: ResultMethod;
  postName: string;
  postPhone: string;
  postCommune: string;
  postStreet: string;
  /**
   * The post to pick up the originals at home (issue 15), with who gives them, where, the day (one the quote offers)
   * and the half-day, and a note for the postman. Sent only for a procedure the post may carry.
   */
  pickup: boolean;
  pickupName: string;
  pickupPhone: string;
  pickupCommune: string;
  pickupStreet: string;
  pickupDate: string;
  pickupSlot: PickupSlot | "";
  pickupNote: string;
  /**
   * The fees (issue 14): how many of each counted line (copies, pages) by the line's index, the optional lines asked
   * for, and an exemption claimed (its index in the procedure's list, -1 for none) with its reason.
   */
  feeQuantities: Record<string, number>;
  feeOptional: number[];
  exemptionIndex: number;
  exemptionReason: string;
  /** Photos and PDFs by the index of the procedure's document they are for. */
  files: Record<number, File[]>;
};

/** The typed part: what goes to the app's storage (the photos go to IndexedDB). */
export type TypedDraft = Omit<Draft, "files">;

/** A change: a patch, or a function of the latest draft (photos arrive asynchronously; two quick taps lose none). */
export type DraftUpdate = Partial<Draft> | ((current: Draft) => Partial<Draft>);

/** Where an address lives in the draft: the applicant's, where the post brings the result, where it picks up. */
export type AddressKeys = {
  commune: "communeCode" | "postCommune" | "pickupCommune";
  street: "street" | "postStreet" | "pickupStreet";
};
export const APPLICANT_ADDRESS = { commune: "communeCode", street: "street" } as const satisfies AddressKeys;
export const DELIVERY_ADDRESS = { commune: "postCommune", street: "postStreet" } as const satisfies AddressKeys;
export const PICKUP_ADDRESS = { commune: "pickupCommune", street: "pickupStreet" } as const satisfies AddressKeys;

/**
 * What the draft reads of the procedure: its fees and exemptions, when it has any, and whether the post may carry it
 * (a pick-up is filed only then).
 */
export type DraftProcedure = Pick<Procedure, "code" | "documents"> &
  Partial<Pick<Procedure, "fees" | "exemptions" | "postal">>;

/** The pick-up's form fields under the draft's names (the messages of the step show under them). */
export const PICKUP_FIELDS: Record<PickupField, keyof Draft> = {
  name: "pickupName",
  phone: "pickupPhone",
  communeCode: "pickupCommune",
  street: "pickupStreet",
  date: "pickupDate",
  slot: "pickupSlot",
  note: "pickupNote",
};

/** The draft's pick-up as the shared postal form. */
export function pickupFormOf(draft: Draft): PickupForm {
  return {
    name: draft.pickupName,
    phone: draft.pickupPhone,
    communeCode: draft.pickupCommune,
    street: draft.pickupStreet,
    date: draft.pickupDate,
    slot: draft.pickupSlot,
    note: draft.pickupNote,
  };
}

/** A change of the pick-up's form as a change of the draft. */
export function pickupPatch(form: Partial<PickupForm>): Partial<Draft> {
  const patch: Partial<Record<keyof Draft, unknown>> = {};
  for (const [field, value] of Object.entries(form)) patch[PICKUP_FIELDS[field as PickupField]] = value;
  return patch as Partial<Draft>;
}

/** Whether the draft files a pick-up: asked for, and the procedure may go by post. */
export const filesPickup = (draft: Draft, procedure: DraftProcedure): boolean =>
  draft.pickup && procedure.postal === true;

export const emptyDraft = (): Draft => ({
  step: 0,
  forCitizen: false,
  consent: "",
  consentNote: "",
  applicantPhone: "",
  name: "",
  identityNumber: "",
  birthDate: "",
  communeCode: "",
  street: "",
  email: "",
  request: "",
  delivery: "counter",
  postName: "",
  postPhone: "",
  postCommune: "",
  postStreet: "",
  pickup: false,
  pickupName: "",
  pickupPhone: "",
  pickupCommune: "",
  pickupStreet: "",
  pickupDate: "",
  pickupSlot: "",
  pickupNote: "",
  feeQuantities: {},
  feeOptional: [],
  exemptionIndex: -1,
  exemptionReason: "",
  files: {},
});

export function applyUpdate(current: Draft, update: DraftUpdate): Draft {
  return { ...current, ...(typeof update === "function" ? update(current) : update) };
}

/**
 * Where the wizard starts: the saved draft (completed with today's defaults), or a new one with the name Zalo knows
 * (to be corrected if it is not the legal name; not a development identity's made-up name).
 */
export function startDraft(
  saved: Partial<Draft> | undefined,
  me?: { name: string; developmentIdentity: boolean },
): Draft {
  if (saved) return { ...emptyDraft(), ...saved };
  const start = emptyDraft();
  if (me && !me.developmentIdentity) start.name = me.name;
  return start;
}

/** The typed fields as stored (JSON), without the photos. */
export function serialiseTyped(draft: Draft): string {
  const { files: _files, ...typed } = draft;
  return JSON.stringify(typed satisfies TypedDraft);
}

/** A stored draft back: the typed fields over the defaults, with its photos; undefined when the text is unreadable. */
export function restoreDraft(typed: string, files: Draft["files"] | undefined): Draft | undefined {
  try {
    const parsed: unknown = JSON.parse(typed);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    return { ...emptyDraft(), ...(parsed as Partial<TypedDraft>), files: files ?? {} };
  } catch {
    return undefined;
  }
}

const PHONE_MESSAGE = "Số điện thoại di động không hợp lệ (ví dụ 0912345678)";

/** An address's problems, under the names of its draft fields. */
function addressProblems(draft: Draft, at: AddressKeys, streetMessage: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!draft[at.commune]) problems[at.commune] = "Cần chọn xã, phường";
  if (!draft[at.street].trim()) problems[at.street] = streetMessage;
  return problems;
}

/** What must be right before leaving the draft's current step, by field (documents as `doc<index>`). */
export function validateStep(draft: Draft, procedure: DraftProcedure, onBehalf: boolean): Record<string, string> {
  const problems: Record<string, string> = {};
  if (draft.step === 0) {
    if (draft.name.trim().length < 2) problems.name = "Cần nhập họ và tên";
    const id = IdentityNumber.safeParse(draft.identityNumber);
    if (!id.success) problems.identityNumber = id.error.issues[0]?.message ?? "Số định danh không hợp lệ";
    Object.assign(problems, addressProblems(draft, APPLICANT_ADDRESS, "Cần nhập địa chỉ"));
    if (draft.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(draft.email)) problems.email = "Email không hợp lệ";
    if (onBehalf && !draft.consent) problems.consent = "Cần ghi nhận công dân đồng ý cho bạn nộp thay";
    if (onBehalf && draft.applicantPhone.trim() && !normalisePhone(draft.applicantPhone)) {
      problems.applicantPhone = PHONE_MESSAGE;
    }
  }
  if (draft.step === 1 && claimedExemption(draft, procedure) && !draft.exemptionReason.trim()) {
    problems.exemptionReason = "Cần ghi rõ lý do được miễn";
  }
  if (draft.step === 2) {
    procedure.documents.forEach((doc, i) => {
      if (doc.required && (draft.files[i] ?? []).length === 0) problems[`doc${i}`] = "Cần chụp hoặc chọn giấy tờ này";
    });
  }
  if (draft.step === 3 && draft.delivery === "post") {
    if (!draft.postName.trim()) problems.postName = "Cần nhập người nhận";
    if (!normalisePhone(draft.postPhone)) problems.postPhone = PHONE_MESSAGE;
    Object.assign(problems, addressProblems(draft, DELIVERY_ADDRESS, "Cần nhập địa chỉ nhận"));
  }
  if (draft.step === 3 && filesPickup(draft, procedure)) {
    for (const [field, message] of Object.entries(pickupProblems(pickupFormOf(draft), undefined))) {
      problems[PICKUP_FIELDS[field as PickupField]] = message;
    }
  }
  return problems;
}

/**
 * The messages on screen that still apply after a change: one disappears as soon as its field is fixed, and none
 * appears before the citizen presses "Tiếp tục". The same object when nothing went.
 */
export function remainingProblems(
  shown: Record<string, string>,
  draft: Draft,
  procedure: DraftProcedure,
  onBehalf: boolean,
): Record<string, string> {
  if (Object.keys(shown).length === 0) return shown;
  const still = validateStep(draft, procedure, onBehalf);
  const kept = Object.fromEntries(Object.keys(shown).flatMap((k) => (still[k] ? [[k, still[k]]] : [])));
  return Object.keys(kept).length === Object.keys(shown).length ? shown : kept;
}

/** Whether the draft claims one of the procedure's exemptions. */
function claimedExemption(draft: Draft, procedure: DraftProcedure): boolean {
  return draft.exemptionIndex >= 0 && procedure.exemptions?.[draft.exemptionIndex] !== undefined;
}

/**
 * How many of a counted line the draft asks for: as chosen, else one of a required line and none of an optional one
 * (the same defaults as quoteFees), kept within 0 (optional) or 1 and MAX_FEE_QUANTITY.
 */
export function feeQuantity(draft: Draft, fee: { optional?: boolean | undefined }, index: number): number {
  const least = fee.optional ? 0 : 1;
  const chosen = draft.feeQuantities[String(index)];
  if (chosen === undefined || !Number.isFinite(chosen)) return least;
  return Math.max(least, Math.min(MAX_FEE_QUANTITY, Math.trunc(chosen)));
}

/**
 * What the citizen chose about the fees, as filed (`DossierSubmission.fees`) and quoted (`quoteFees`): only lines the
 * procedure has, quantities for counted lines, optional lines asked for, and the exemption claimed with its reason.
 */
export function feeChoiceOf(draft: Draft, procedure: DraftProcedure): FeeChoice {
  const fees = procedure.fees ?? [];
  const choice: FeeChoice = {};
  const quantities: Record<string, number> = {};
  fees.forEach((fee, index) => {
    if (fee.unit && (fee.optional || draft.feeQuantities[String(index)] !== undefined)) {
      quantities[String(index)] = feeQuantity(draft, fee, index);
    }
  });
  if (Object.keys(quantities).length > 0) choice.quantities = quantities;
  const optional = [...new Set(draft.feeOptional)]
    .filter((i) => fees[i]?.optional && !fees[i]?.unit)
    .sort((a, b) => a - b);
  if (optional.length > 0) choice.optional = optional;
  const reason = draft.exemptionReason.trim();
  if (claimedExemption(draft, procedure) && reason) choice.exemption = { index: draft.exemptionIndex, reason };
  return choice;
}

/** What is filed (the JSON part of `POST /api/dossiers`). */
export function toSubmission(draft: Draft, procedure: DraftProcedure, onBehalf: boolean): DossierSubmission {
  const citizenPhone = onBehalf ? normalisePhone(draft.applicantPhone) : undefined;
  const fees = feeChoiceOf(draft, procedure);
  return {
    procedureCode: procedure.code,
    applicant: {
      type: "citizen",
      name: draft.name.trim(),
      identityNumber: draft.identityNumber,
      ...(draft.birthDate ? { birthDate: draft.birthDate } : {}),
      ...(draft.email ? { email: draft.email.trim() } : {}),
      ...(citizenPhone ? { phone: citizenPhone } : {}),
      address: { communeCode: draft.communeCode, street: draft.street.trim() },
    },
    resultDelivery:
      draft.delivery === "post"
        ? {
            method: "post",
            recipientName: draft.postName.trim(),
            phone: normalisePhone(draft.postPhone) ?? draft.postPhone,
            address: { communeCode: draft.postCommune, street: draft.postStreet.trim() },
          }
        : { method: draft.delivery },
    formData: draft.request.trim() ? { noiDungDeNghi: draft.request.trim() } : {},
    ...(Object.keys(fees).length > 0 ? { fees } : {}),
    ...(filesPickup(draft, procedure) ? { pickup: toPickupRequest(pickupFormOf(draft)) } : {}),
    ...(onBehalf && draft.consent
      ? { onBehalf: { method: draft.consent, ...(draft.consentNote.trim() ? { note: draft.consentNote.trim() } : {}) } }
      : {}),
  };
}

/** The multipart body: the submission as `dossier`, each file as `document:<index of its document>`. */
export function toForm(draft: Draft, procedure: DraftProcedure, onBehalf: boolean): FormData {
  const form = new FormData();
  form.set("dossier", JSON.stringify(toSubmission(draft, procedure, onBehalf)));
  for (const [index, files] of Object.entries(draft.files)) {
    for (const file of files) form.append(`document:${index}`, file, file.name);
  }
  return form;
}
