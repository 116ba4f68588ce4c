import { DossierSubmission } from "@qn/shared";
import { describe, expect, it } from "vitest";
import {
  type Draft,
  type DraftProcedure,
  emptyDraft,
  filesPickup,
  pickupFormOf,
  pickupPatch,
  restoreDraft,
  serialiseTyped,
  toSubmission,
  validateStep,
} from "./draft";

/** The wizard's draft with the post (issue 15): the pick-up it keeps, checks and files. */

const procedure: DraftProcedure = {
  code: "1.001193",
  documents: [{ name: "Tờ khai đăng ký khai sinh", copies: 1, required: true }],
  postal: true,
};

const draft = (patch: Partial<Draft> = {}): Draft => ({
  ...emptyDraft(),
  step: 3,
  name: "Nguyễn Văn An",
  identityNumber: "022090001234",
  communeCode: "06652",
  street: "Số 5, tổ 3, khu 4",
  delivery: "post",
  postName: "Nguyễn Văn An",
  postPhone: "0912345678",
  postCommune: "06652",
  postStreet: "Số 5, tổ 3, khu 4",
  ...patch,
});

const withPickup = (patch: Partial<Draft> = {}) =>
  draft({
    pickup: true,
    pickupName: "Nguyễn Văn An",
    pickupPhone: "0912 345 678",
    pickupCommune: "06652",
    pickupStreet: " Số 5, tổ 3, khu 4 ",
    pickupDate: "2026-03-16",
    pickupSlot: "afternoon",
    pickupNote: "",
    ...patch,
  });

describe("the wizard's draft with a pick-up of the originals", () => {
  it("when a draft starts, then no pick-up is asked and its fields are empty", () => {
    expect(emptyDraft()).toMatchObject({ pickup: false, pickupName: "", pickupDate: "", pickupSlot: "" });
    expect(toSubmission(draft(), procedure, false)).not.toHaveProperty("pickup");
  });

  it("when a pick-up is asked, then the filing carries it as the shared PickupRequest beside the result by post", () => {
    const submission = toSubmission(withPickup({ pickupNote: " Gọi trước " }), procedure, false);
    expect(submission.pickup).toEqual({
      name: "Nguyễn Văn An",
      phone: "0912345678",
      address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
      date: "2026-03-16",
      slot: "afternoon",
      note: "Gọi trước",
    });
    expect(submission.resultDelivery).toMatchObject({ method: "post", recipientName: "Nguyễn Văn An" });
    expect(DossierSubmission.safeParse(submission).success).toBe(true);
  });

  it("when the procedure may not go by post, then a pick-up left in an old draft is neither checked nor filed", () => {
    const old = withPickup({ pickupName: "", pickupDate: "" });
    for (const p of [
      { ...procedure, postal: false },
      { code: procedure.code, documents: procedure.documents },
    ]) {
      expect(filesPickup(old, p)).toBe(false);
      expect(validateStep(old, p, false)).toEqual({});
      expect(toSubmission(old, p, false)).not.toHaveProperty("pickup");
    }
  });

  it("when the pick-up's fields are missing, then step 4 names each under the draft's own field", () => {
    const problems = validateStep(draft({ pickup: true }), procedure, false);
    expect(problems).toEqual({
      pickupName: "Cần nhập họ tên người giao hồ sơ",
      pickupPhone: "Số điện thoại di động không hợp lệ (ví dụ 0912345678)",
      pickupCommune: "Cần chọn xã, phường",
      pickupStreet: "Cần nhập địa chỉ (số nhà, thôn, tổ)",
      pickupDate: "Cần chọn ngày bưu điện đến lấy",
      pickupSlot: "Cần chọn buổi bưu điện đến lấy",
    });
    expect(validateStep(withPickup(), procedure, false)).toEqual({});
    // Other steps do not look at it.
    expect(validateStep(draft({ pickup: true, step: 4 }), procedure, false)).toEqual({});
  });

  it("when the pick-up's form changes, then the draft's fields change, and the draft keeps them on the device", () => {
    const patched = { ...draft(), ...pickupPatch({ name: "Trần Thị Bình", date: "2026-03-17", slot: "morning" }) };
    expect(patched).toMatchObject({ pickupName: "Trần Thị Bình", pickupDate: "2026-03-17", pickupSlot: "morning" });
    expect(pickupFormOf(patched)).toMatchObject({ name: "Trần Thị Bình", date: "2026-03-17", slot: "morning" });
    const saved = withPickup();
    expect(restoreDraft(serialiseTyped(saved), {})).toEqual(saved);
    // A draft saved before the post came: completed with no pick-up.
    const { pickup: _p, pickupDate: _d, ...older } = JSON.parse(serialiseTyped(draft())) as Record<string, unknown>;
    expect(restoreDraft(JSON.stringify(older), {})).toMatchObject({ pickup: false, pickupDate: "" });
  });
});
