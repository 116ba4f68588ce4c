import { describe, expect, it } from "vitest";
import {
  applyUpdate,
  type Draft,
  type DraftProcedure,
  emptyDraft,
  feeChoiceOf,
  feeQuantity,
  remainingProblems,
  restoreDraft,
  serialiseTyped,
  startDraft,
  toForm,
  toSubmission,
  validateStep,
} from "./draft";

const procedure: DraftProcedure = {
  code: "1.001193",
  documents: [
    { name: "Tờ khai đăng ký khai sinh", copies: 1, required: true },
    { name: "Giấy chứng sinh", copies: 1, required: true },
    { name: "Giấy tờ tùy thân của người đi đăng ký", copies: 1, required: false },
  ],
};

/** A first step filled in correctly. */
const applicant = (patch: Partial<Draft> = {}): Draft => ({
  ...emptyDraft(),
  name: "Nguyễn Văn An",
  identityNumber: "022090001234",
  communeCode: "06652",
  street: "Số 5, tổ 3, khu 4",
  ...patch,
});

const png = (name: string) => new File([new Uint8Array([137, 80, 78, 71])], name, { type: "image/png" });

describe("the filing wizard's draft", () => {
  it("when a draft starts, then it is empty, at the first step, with the result at the counter", () => {
    const draft = emptyDraft();
    expect(draft).toMatchObject({ step: 0, forCitizen: false, consent: "", delivery: "counter", files: {} });
    expect(emptyDraft()).not.toBe(draft);
    expect(emptyDraft().files).not.toBe(draft.files);
  });

  it("when a change is a patch or a function of the latest draft, then it applies without touching the old one", () => {
    const before = emptyDraft();
    const named = applyUpdate(before, { name: "Trần Thị Bình" });
    expect(named.name).toBe("Trần Thị Bình");
    expect(before.name).toBe("");
    // Two photos arriving one after the other: the second sees the first.
    const one = applyUpdate(named, (d) => ({ files: { ...d.files, 0: [...(d.files[0] ?? []), png("a.png")] } }));
    const two = applyUpdate(one, (d) => ({ files: { ...d.files, 0: [...(d.files[0] ?? []), png("b.png")] } }));
    expect(two.files[0]?.map((f) => f.name)).toEqual(["a.png", "b.png"]);
  });

  it("when there is no saved draft, then the name Zalo knows is offered, but not a development identity's", () => {
    expect(startDraft(undefined, { name: "Nguyễn Văn An", developmentIdentity: false }).name).toBe("Nguyễn Văn An");
    expect(startDraft(undefined, { name: "Người dùng thử", developmentIdentity: true }).name).toBe("");
    expect(startDraft(undefined).name).toBe("");
  });

  it("when a draft was saved, then it is taken as it was, completed with the fields it did not have yet", () => {
    const old = { step: 2, name: "Trần Thị Bình", street: "Tổ 2" } as Partial<Draft>;
    const started = startDraft(old, { name: "Tên trên Zalo", developmentIdentity: false });
    expect(started).toMatchObject({ step: 2, name: "Trần Thị Bình", street: "Tổ 2", delivery: "counter", consent: "" });
  });

  it("when a draft is saved, then the typed fields go to storage without the photos, and come back with them", () => {
    const draft = applicant({ step: 3, delivery: "post", postName: "Nguyễn Văn An", files: { 0: [png("a.png")] } });
    const text = serialiseTyped(draft);
    const stored = JSON.parse(text);
    expect(stored).not.toHaveProperty("files");
    expect(stored).toMatchObject({
      step: 3,
      delivery: "post",
      postName: "Nguyễn Văn An",
      identityNumber: "022090001234",
    });
    const photos = { 0: [png("a.png")] };
    const back = restoreDraft(text, photos);
    expect(back).toEqual({ ...draft, files: photos });
    // Without photos in IndexedDB, and with fields added since: defaults fill in.
    expect(restoreDraft(JSON.stringify({ name: "An" }), undefined)).toEqual({ ...emptyDraft(), name: "An" });
  });

  it("when the stored text is unreadable, then there is no draft to restore (the wizard starts afresh)", () => {
    expect(restoreDraft("{not json", undefined)).toBeUndefined();
    expect(restoreDraft("[1,2]", undefined)).toBeUndefined();
    expect(restoreDraft("null", undefined)).toBeUndefined();
  });

  it("when the first step is left empty, then each required field says what it needs", () => {
    expect(validateStep(emptyDraft(), procedure, false)).toEqual({
      name: "Cần nhập họ và tên",
      identityNumber: expect.any(String),
      communeCode: "Cần chọn xã, phường",
      street: "Cần nhập địa chỉ",
    });
    expect(validateStep(applicant(), procedure, false)).toEqual({});
  });

  it("when the identity number, the email or a helper's entries are wrong, then those fields say so", () => {
    expect(validateStep(applicant({ identityNumber: "003090001234" }), procedure, false).identityNumber).toContain(
      "3 chữ số đầu không phải mã tỉnh",
    );
    expect(validateStep(applicant({ email: "an@" }), procedure, false)).toEqual({ email: "Email không hợp lệ" });
    // For a citizen filing for themselves, consent is not asked; for a helper it is, and a typed phone must be valid.
    expect(validateStep(applicant({ applicantPhone: "123" }), procedure, false)).toEqual({});
    expect(validateStep(applicant({ applicantPhone: "123" }), procedure, true)).toEqual({
      consent: "Cần ghi nhận công dân đồng ý cho bạn nộp thay",
      applicantPhone: "Số điện thoại di động không hợp lệ (ví dụ 0912345678)",
    });
    expect(validateStep(applicant({ consent: "in-person", applicantPhone: "0912 345 678" }), procedure, true)).toEqual(
      {},
    );
  });

  it("when a required document has no photo, then it is asked for; an optional one is not", () => {
    const draft = applicant({ step: 2, files: { 0: [png("to-khai.png")] } });
    expect(validateStep(draft, procedure, false)).toEqual({ doc1: "Cần chụp hoặc chọn giấy tờ này" });
    expect(validateStep({ ...draft, files: { 0: [png("a.png")], 1: [png("b.png")] } }, procedure, false)).toEqual({});
  });

  it("when the result goes by post, then the recipient and the delivery address are checked like the applicant's", () => {
    const post = applicant({ step: 3, delivery: "post" });
    expect(validateStep(post, procedure, false)).toEqual({
      postName: "Cần nhập người nhận",
      postPhone: "Số điện thoại di động không hợp lệ (ví dụ 0912345678)",
      postCommune: "Cần chọn xã, phường",
      postStreet: "Cần nhập địa chỉ nhận",
    });
    const filled = { ...post, postName: "An", postPhone: "0912345678", postCommune: "06652", postStreet: "Tổ 3" };
    expect(validateStep(filled, procedure, false)).toEqual({});
    expect(validateStep(applicant({ step: 3, delivery: "counter" }), procedure, false)).toEqual({});
  });

  it("when a shown message's field is fixed, then only that message goes, and none is added before Tiếp tục", () => {
    const shown = validateStep(emptyDraft(), procedure, false);
    const named = applyUpdate(emptyDraft(), { name: "Nguyễn Văn An" });
    const kept = remainingProblems(shown, named, procedure, false);
    expect(Object.keys(kept)).toEqual(["identityNumber", "communeCode", "street"]);
    // Nothing fixed: the very same object (no re-render).
    expect(remainingProblems(kept, named, procedure, false)).toBe(kept);
    // Nothing shown: nothing appears, even though the draft is incomplete.
    expect(remainingProblems({}, emptyDraft(), procedure, false)).toEqual({});
  });

  it("when it is filed, then the submission carries the trimmed fields and only the parts that were given", () => {
    const draft = applicant({ name: "  Nguyễn Văn An ", request: "  Đăng ký khai sinh cho con  " });
    expect(toSubmission(draft, procedure, false)).toEqual({
      procedureCode: "1.001193",
      applicant: {
        type: "citizen",
        name: "Nguyễn Văn An",
        identityNumber: "022090001234",
        address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
      },
      resultDelivery: { method: "counter" },
      formData: { noiDungDeNghi: "Đăng ký khai sinh cho con" },
    });
  });

  it("when a helper files by post for a citizen, then the consent, the citizen's phone and the delivery go with it", () => {
    const draft = applicant({
      birthDate: "1990-01-01",
      email: "an@example.vn",
      applicantPhone: "0912 345 678",
      consent: "in-person",
      consentNote: " Tại nhà văn hóa khu 5 ",
      delivery: "post",
      postName: " Nguyễn Văn An ",
      postPhone: "0912 345 678",
      postCommune: "06652",
      postStreet: " Tổ 3 ",
    });
    const submission = toSubmission(draft, procedure, true);
    expect(submission.applicant).toMatchObject({
      birthDate: "1990-01-01",
      email: "an@example.vn",
      phone: "0912345678",
    });
    expect(submission.resultDelivery).toEqual({
      method: "post",
      recipientName: "Nguyễn Văn An",
      phone: "0912345678",
      address: { communeCode: "06652", street: "Tổ 3" },
    });
    expect(submission.onBehalf).toEqual({ method: "in-person", note: "Tại nhà văn hóa khu 5" });
    // The same draft filed by the citizen: no consent, no typed phone.
    const own = toSubmission(draft, procedure, false);
    expect(own.onBehalf).toBeUndefined();
    expect(own.applicant.phone).toBeUndefined();
  });

  it("when it is filed, then the form has the submission and each photo under its document's index", async () => {
    const draft = applicant({ files: { 0: [png("trang-1.png"), png("trang-2.png")], 1: [png("chung-sinh.png")] } });
    const form = toForm(draft, procedure, false);
    expect(JSON.parse(form.get("dossier") as string)).toEqual(toSubmission(draft, procedure, false));
    expect(form.getAll("document:0").map((f) => (f as File).name)).toEqual(["trang-1.png", "trang-2.png"]);
    expect(form.getAll("document:1").map((f) => (f as File).name)).toEqual(["chung-sinh.png"]);
    expect(form.getAll("document:2")).toEqual([]);
  });

  describe("the fees chosen in the wizard", () => {
    const copies: DraftProcedure = {
      ...procedure,
      code: "2.000635",
      fees: [
        { name: "Phí cấp bản sao Trích lục hộ tịch", amount: 8000, unit: "bản" },
        { name: "Phí cấp bản sao Trích lục kết hôn (nếu có yêu cầu)", amount: 8000, optional: true, unit: "bản" },
        { name: "Phí tra cứu (nếu có yêu cầu)", amount: 5000, optional: true },
      ],
      exemptions: [{ name: "Hộ nghèo" }],
    };

    it("when nothing is chosen, then one of a required counted line and none of an optional one, and no choice is filed", () => {
      const draft = applicant();
      expect(feeQuantity(draft, { optional: false }, 0)).toBe(1);
      expect(feeQuantity(draft, { optional: true }, 1)).toBe(0);
      // The optional counted line is filed as "none" so that the quote leaves it out, as the screen shows.
      expect(feeChoiceOf(draft, copies)).toEqual({ quantities: { "1": 0 } });
      expect(toSubmission(draft, procedure, false).fees).toBeUndefined();
    });

    it("when copies, an optional line and an exemption are chosen, then the choice is filed as FeeChoice", () => {
      const draft = applicant({
        step: 1,
        feeQuantities: { "0": 3, "1": 99 },
        feeOptional: [2, 2, 1, 7],
        exemptionIndex: 0,
        exemptionReason: "  Hộ nghèo năm 2026 ",
      });
      const choice = feeChoiceOf(draft, copies);
      expect(choice).toEqual({
        quantities: { "0": 3, "1": 50 },
        optional: [2],
        exemption: { index: 0, reason: "Hộ nghèo năm 2026" },
      });
      expect(toSubmission(draft, copies, false).fees).toEqual(choice);
      expect(validateStep(draft, copies, false)).toEqual({});
    });

    it("when an exemption is claimed without a reason, then the step says so; a missing exemption is not claimed", () => {
      const claimed = applicant({ step: 1, exemptionIndex: 0, exemptionReason: "  " });
      expect(validateStep(claimed, copies, false)).toEqual({ exemptionReason: "Cần ghi rõ lý do được miễn" });
      expect(feeChoiceOf(claimed, copies).exemption).toBeUndefined();
      const stale = applicant({ step: 1, exemptionIndex: 4, exemptionReason: "" });
      expect(validateStep(stale, copies, false)).toEqual({});
      expect(feeChoiceOf(stale, copies).exemption).toBeUndefined();
    });

    it("when a draft saved before fees existed comes back, then it has no fee choice and files as before", () => {
      const old = restoreDraft(JSON.stringify({ step: 1, name: "Trần Thị Bình" }), undefined);
      expect(old).toMatchObject({ feeQuantities: {}, feeOptional: [], exemptionIndex: -1, exemptionReason: "" });
      expect(old && feeChoiceOf(old, procedure)).toEqual({});
    });
  });
});
