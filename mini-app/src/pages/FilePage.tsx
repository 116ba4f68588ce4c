import {
  type AdministrativeUnit,
  type CccdCard,
  type DossierSubmission,
  formatVietnamDate,
  IdentityNumber,
  normalisePhone,
  type OnBehalfConsent,
  type Procedure,
  parseCccdQr,
  vietnamToday,
} from "@qn/shared";
import { del, get, set } from "idb-keyval";
import { useEffect, useMemo, useRef, useState } from "react";
import { Button, Page, useNavigate, useParams } from "zmp-ui";
import { api, HELPER_ROLES, type HelperSession } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { Stepper } from "../components/Stepper";
import { TopBar } from "../components/TopBar";
import { formatFee, formatProcessingDays } from "../format";
import { useAsync } from "../hooks/useAsync";
import { useErrorSnackbar } from "../hooks/useErrorSnackbar";
import { Icon } from "../icons";
import { photoHint } from "../photo-hints";
import { inZalo, pickImages, scanQr, storage } from "../zalo";

const STEPS = ["Người nộp", "Tờ khai", "Giấy tờ", "Nhận kết quả", "Xem lại"];

type Delivery = "counter" | "post" | "online";
type ConsentMethod = OnBehalfConsent["method"];

const CONSENT_LABELS: Record<ConsentMethod, string> = {
  "in-person": "Công dân đồng ý trực tiếp với tôi",
  written: "Có giấy đề nghị nộp thay, công dân ký",
  "zalo-message": "Công dân đồng ý qua tin nhắn Zalo",
};

/**
 * Everything typed and photographed so far, saved after every change so that closing the app loses nothing: the
 * typed fields in the app's storage (Zalo's nativeStorage inside Zalo), the photos in IndexedDB (nativeStorage holds
 * about 5 MB of text in all, too little for photos).
 */
type Draft = {
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
  delivery: Delivery;
  postName: string;
  postPhone: string;
  postCommune: string;
  postStreet: string;
  files: Record<number, File[]>;
};

const emptyDraft = (): Draft => ({
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
  files: {},
});

const draftKey = (code: string) => `draft:${code}`;
const photosKey = (code: string) => `draft-photos:${code}`;

async function loadDraft(code: string): Promise<Draft | undefined> {
  const typed = await storage.get(draftKey(code)).catch(() => null);
  if (typed) {
    const files = await get<Draft["files"]>(photosKey(code)).catch(() => undefined);
    try {
      return { ...emptyDraft(), ...(JSON.parse(typed) as Partial<Draft>), files: files ?? {} };
    } catch {
      return undefined;
    }
  }
  // Drafts saved before the split kept everything in IndexedDB under the typed fields' key.
  return get<Draft>(draftKey(code)).catch(() => undefined);
}

async function saveDraft(code: string, draft: Draft): Promise<void> {
  const { files, ...typed } = draft;
  await storage.set(draftKey(code), JSON.stringify(typed));
  await set(photosKey(code), files);
}

async function deleteDraft(code: string): Promise<void> {
  await Promise.all([storage.remove(draftKey(code)), del(photosKey(code)), del(draftKey(code))]);
}

/** Nộp hồ sơ: a step-by-step wizard with a visible progress bar, a draft that survives closing the app. */
export default function FilePage() {
  const code = useParams().code ?? "";
  const [procedure, retryProcedure] = useAsync((signal) => api.procedure(code, signal), [code]);
  const [communes, retryCommunes] = useAsync((signal) => api.communes(signal), []);
  return (
    <Page className="screen">
      <TopBar title="Nộp hồ sơ trực tuyến" />
      {(procedure.status === "loading" || communes.status === "loading") && <StateMessage kind="loading" />}
      {procedure.status === "error" && (
        <StateMessage kind="error" text={procedure.error.message} onRetry={retryProcedure} />
      )}
      {communes.status === "error" && (
        <StateMessage kind="error" text={communes.error.message} onRetry={retryCommunes} />
      )}
      {procedure.status === "done" && communes.status === "done" && (
        <Wizard procedure={procedure.value} communes={communes.value} />
      )}
    </Page>
  );
}

function Wizard({ procedure, communes }: { procedure: Procedure; communes: AdministrativeUnit[] }) {
  const navigate = useNavigate();
  const showError = useErrorSnackbar();
  const [draft, setDraft] = useState<Draft | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [sending, setSending] = useState(false);
  const [phone, setPhone] = useState<string | null>(null);
  const [helper, setHelper] = useState<HelperSession>();
  const topRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let cancelled = false;
    void Promise.all([
      loadDraft(procedure.code),
      api.me().catch(() => undefined),
      api.helper().catch(() => undefined),
    ]).then(([saved, me, signedInHelper]) => {
      if (cancelled) return;
      setPhone(me?.phone ?? null);
      setHelper(signedInHelper && HELPER_ROLES.includes(signedInHelper.official.role) ? signedInHelper : undefined);
      const start = saved ? { ...emptyDraft(), ...saved } : emptyDraft();
      // The name Zalo knows, to be corrected if it is not the legal name.
      if (!saved && me && !me.developmentIdentity) start.name = me.name;
      setDraft(start);
    });
    return () => {
      cancelled = true;
    };
  }, [procedure.code]);

  // Saved after every change (photos included).
  useEffect(() => {
    if (draft) void saveDraft(procedure.code, draft).catch(() => {});
  }, [draft, procedure.code]);

  // A message disappears as soon as its field is fixed; none appears before the citizen presses "Tiếp tục".
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-checked when the draft changes, not when errors do
  useEffect(() => {
    if (!draft || Object.keys(errors).length === 0) return;
    const still = validate(draft, procedure, draft.forCitizen && helper !== undefined);
    const kept = Object.fromEntries(Object.keys(errors).flatMap((k) => (still[k] ? [[k, still[k]]] : [])));
    if (Object.keys(kept).length !== Object.keys(errors).length) setErrors(kept);
  }, [draft]);

  if (!draft) return <StateMessage kind="loading" text="Đang mở hồ sơ đang soạn…" />;
  const onBehalf = draft.forCitizen && helper !== undefined;
  // A patch, or a function of the latest draft: photos arrive asynchronously, and two quick taps must not lose one.
  const update = (patch: Partial<Draft> | ((current: Draft) => Partial<Draft>)) => {
    setDraft((current) =>
      current ? { ...current, ...(typeof patch === "function" ? patch(current) : patch) } : current,
    );
  };
  const go = (step: number) => {
    setErrors({});
    update({ step });
    topRef.current?.scrollIntoView({ behavior: "smooth" });
  };

  const next = () => {
    const problems = validate(draft, procedure, onBehalf);
    if (Object.keys(problems).length > 0) {
      setErrors(problems);
      // Show the first thing to fix, not just a button that did nothing.
      requestAnimationFrame(() => {
        const first = topRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], .field__error');
        first?.scrollIntoView({ block: "center", behavior: "smooth" });
        if (first?.matches("input, select, textarea")) first.focus({ preventScroll: true });
      });
      return;
    }
    go(draft.step + 1);
  };

  const submit = async () => {
    setSending(true);
    try {
      const form = toForm(draft, procedure, onBehalf);
      const dossier = onBehalf ? await api.fileOnBehalf(form) : await api.file(form);
      await deleteDraft(procedure.code).catch(() => {});
      navigate(`/receipt/${encodeURIComponent(dossier.code)}${onBehalf ? "?for=citizen" : ""}`, { replace: true });
    } catch (error) {
      showError(error);
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="wizard" ref={topRef}>
      <p className="wizard__procedure">{procedure.name}</p>
      <Stepper steps={STEPS} current={draft.step} />
      {draft.step === 0 && (
        <ApplicantStep
          draft={draft}
          update={update}
          errors={errors}
          communes={communes}
          phone={phone}
          onPhone={setPhone}
          helper={helper}
        />
      )}
      {draft.step === 1 && <RequestStep draft={draft} update={update} />}
      {draft.step === 2 && <DocumentsStep draft={draft} update={update} errors={errors} procedure={procedure} />}
      {draft.step === 3 && (
        <DeliveryStep draft={draft} update={update} errors={errors} procedure={procedure} communes={communes} />
      )}
      {draft.step === 4 && (
        <ReviewStep draft={draft} procedure={procedure} communes={communes} phone={phone} onBehalf={onBehalf} />
      )}
      <div className="wizard__nav">
        {draft.step > 0 && (
          <Button variant="secondary" onClick={() => go(draft.step - 1)} disabled={sending}>
            Quay lại
          </Button>
        )}
        {draft.step < STEPS.length - 1 ? (
          <Button onClick={next}>Tiếp tục</Button>
        ) : (
          <Button onClick={submit} loading={sending}>
            Nộp hồ sơ
          </Button>
        )}
      </div>
      <p className="muted small">Hồ sơ đang soạn được lưu trên máy, bạn có thể đóng ứng dụng và làm tiếp sau.</p>
    </div>
  );
}

type StepProps = {
  draft: Draft;
  update: (patch: Partial<Draft> | ((current: Draft) => Partial<Draft>)) => void;
  errors?: Record<string, string>;
};

function TextField(props: {
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

function CommuneSelect(props: {
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

function ApplicantStep({
  draft,
  update,
  errors = {},
  communes,
  phone,
  onPhone,
  helper,
}: StepProps & {
  communes: AdministrativeUnit[];
  phone: string | null;
  onPhone: (p: string | null) => void;
  helper: HelperSession | undefined;
}) {
  const onBehalf = draft.forCitizen && helper !== undefined;
  const showError = useErrorSnackbar();
  const [phoneRefused, setPhoneRefused] = useState(false);
  const [card, setCard] = useState<CccdCard>();
  const [cardProblem, setCardProblem] = useState<string>();
  const share = async () => {
    try {
      const shared = await api.sharePhone();
      setPhoneRefused(!shared);
      if (shared) onPhone(shared);
    } catch (error) {
      showError(error);
    }
  };
  const scanCard = async () => {
    setCardProblem(undefined);
    try {
      const text = await scanQr();
      if (text === undefined) return; // scanner closed
      const parsed = parseCccdQr(text);
      if (parsed.ok) setCard(parsed.card);
      else setCardProblem(parsed.message);
    } catch (error) {
      showError(error);
    }
  };
  const acceptCard = (c: CccdCard) => {
    update({
      name: c.name,
      identityNumber: c.identityNumber,
      birthDate: c.birthDate,
      ...(c.communeCode ? { communeCode: c.communeCode, street: c.street ?? "" } : {}),
    });
    setCard(undefined);
  };
  return (
    <section aria-label="Thông tin người nộp">
      {helper && (
        <fieldset className="radio-group">
          <legend className="field__label">Bạn nộp hồ sơ cho ai?</legend>
          {[
            { value: false, label: "Cho tôi", hint: "Hồ sơ nằm trong mục Hồ sơ của tôi." },
            {
              value: true,
              label: "Nộp thay công dân",
              hint: `Bằng tài khoản ${helper.official.name}; công dân tra cứu bằng mã hồ sơ.`,
            },
          ].map((o) => (
            <label key={String(o.value)} className={draft.forCitizen === o.value ? "radio is-checked" : "radio"}>
              <input
                type="radio"
                name="for-citizen"
                checked={draft.forCitizen === o.value}
                onChange={() => update({ forCitizen: o.value })}
              />
              <span>
                {o.label}
                <span className="radio__hint">{o.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {inZalo() && !card && (
        <div className="field">
          <Button fullWidth variant="secondary" onClick={scanCard}>
            <Icon name="qr" size={18} />{" "}
            {onBehalf ? "Quét mã QR trên thẻ căn cước của công dân" : "Quét mã QR trên thẻ căn cước"}
          </Button>
          <p className="muted small">
            Mã QR ở mặt trước thẻ căn cước gắn chip: điền sẵn họ tên, số định danh, ngày sinh và địa chỉ.
          </p>
          {cardProblem && (
            <p className="field__error" role="alert">
              {cardProblem}
            </p>
          )}
        </div>
      )}
      {card && (
        <section className="action-box" aria-labelledby="card-read">
          <h3 id="card-read">Thông tin đọc từ thẻ căn cước</h3>
          <dl className="facts">
            <dt>Họ và tên</dt>
            <dd>{card.name}</dd>
            <dt>Số định danh</dt>
            <dd>{card.identityNumber}</dd>
            <dt>Ngày sinh</dt>
            <dd>{formatVietnamDate(card.birthDate)}</dd>
            <dt>Địa chỉ</dt>
            <dd>{card.address}</dd>
          </dl>
          {!card.communeCode && (
            <p className="muted small">
              Địa chỉ trên thẻ không thuộc một xã, phường hiện nay của tỉnh: vui lòng chọn lại bên dưới.
            </p>
          )}
          <p className="muted small">Kiểm tra lại: thông tin đúng với thẻ của {onBehalf ? "công dân" : "bạn"}?</p>
          <div className="stack">
            <Button fullWidth onClick={() => acceptCard(card)}>
              Dùng thông tin này
            </Button>
            <Button fullWidth variant="secondary" onClick={() => setCard(undefined)}>
              Không đúng, tôi nhập tay
            </Button>
          </div>
        </section>
      )}
      <TextField
        label={onBehalf ? "Họ và tên công dân" : "Họ và tên"}
        value={draft.name}
        onChange={(name) => update({ name })}
        error={errors.name}
        required
      />
      <TextField
        label="Số định danh cá nhân (số căn cước, 12 chữ số)"
        value={draft.identityNumber}
        inputMode="numeric"
        onChange={(identityNumber) => update({ identityNumber: identityNumber.replace(/\D/g, "").slice(0, 12) })}
        error={errors.identityNumber}
        required
      />
      <div className="field">
        <label htmlFor="birth-date" className="field__label">
          Ngày sinh (không bắt buộc)
        </label>
        <input
          id="birth-date"
          type="date"
          value={draft.birthDate}
          max={vietnamToday()}
          onChange={(e) => update({ birthDate: e.target.value })}
        />
      </div>
      <CommuneSelect
        label="Xã, phường nơi cư trú"
        value={draft.communeCode}
        onChange={(communeCode) => update({ communeCode })}
        communes={communes}
        error={errors.communeCode}
      />
      <TextField
        label="Địa chỉ (số nhà, thôn, tổ)"
        value={draft.street}
        onChange={(street) => update({ street })}
        error={errors.street}
        required
      />
      <TextField
        label="Email (không bắt buộc)"
        value={draft.email}
        inputMode="email"
        onChange={(email) => update({ email })}
        error={errors.email}
      />
      {onBehalf ? (
        <>
          <TextField
            label="Số điện thoại của công dân (không bắt buộc)"
            value={draft.applicantPhone}
            inputMode="tel"
            onChange={(applicantPhone) => update({ applicantPhone })}
            error={errors.applicantPhone}
          />
          <div className="field">
            <label htmlFor="consent" className="field__label">
              Sự đồng ý của công dân <span aria-hidden="true">*</span>
            </label>
            <select
              id="consent"
              value={draft.consent}
              onChange={(e) => update({ consent: e.target.value as ConsentMethod | "" })}
              aria-invalid={errors.consent ? true : undefined}
            >
              <option value="">Chọn cách công dân đồng ý</option>
              {(Object.keys(CONSENT_LABELS) as ConsentMethod[]).map((m) => (
                <option key={m} value={m}>
                  {CONSENT_LABELS[m]}
                </option>
              ))}
            </select>
            {errors.consent && (
              <p className="field__error" role="alert">
                {errors.consent}
              </p>
            )}
          </div>
          <TextField
            label="Ghi chú về sự đồng ý (không bắt buộc)"
            value={draft.consentNote}
            onChange={(consentNote) => update({ consentNote })}
          />
        </>
      ) : (
        <div className="field">
          <span className="field__label">Số điện thoại</span>
          {phone ? (
            <p>{phone} (từ tài khoản Zalo của bạn)</p>
          ) : inZalo() ? (
            <>
              <p className="muted small">
                Để cán bộ liên hệ khi cần và để gửi tin báo về hồ sơ qua Zalo theo số điện thoại.
              </p>
              <Button variant="secondary" size="medium" onClick={share}>
                Chia sẻ số điện thoại Zalo
              </Button>
              {phoneRefused && (
                <p className="notice" role="status">
                  Bạn chưa chia sẻ số điện thoại. Bạn vẫn nộp được hồ sơ, nhưng cán bộ sẽ không gọi được cho bạn và tin
                  báo chỉ đến khi bạn quan tâm Official Account. Bạn có thể chia sẻ lại bất cứ lúc nào.
                </p>
              )}
            </>
          ) : (
            <p className="muted small">Số điện thoại được lấy từ Zalo (khi bạn đồng ý) lúc dùng ứng dụng trong Zalo.</p>
          )}
        </div>
      )}
    </section>
  );
}

function RequestStep({ draft, update }: StepProps) {
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
    </section>
  );
}

function DocumentsStep({ draft, update, errors = {}, procedure }: StepProps & { procedure: Procedure }) {
  const showError = useErrorSnackbar();
  const add = async (index: number, source: "camera" | "gallery") => {
    try {
      // The server's limit, checked before anything is uploaded.
      const { maxUploadBytes } = await api.appConfig();
      const picked = await pickImages(source, 5, maxUploadBytes);
      if (picked.length > 0) {
        update((current) => ({
          files: { ...current.files, [index]: [...(current.files[index] ?? []), ...picked] },
        }));
      }
    } catch (error) {
      showError(error, "Không mở được máy ảnh hoặc thư viện ảnh.");
    }
  };
  const remove = (index: number, k: number) =>
    update({ files: { ...draft.files, [index]: (draft.files[index] ?? []).filter((_, i) => i !== k) } });
  if (procedure.documents.length === 0) {
    return (
      <p className="notice">
        Thủ tục này chưa công bố thành phần hồ sơ. Bạn có thể tiếp tục; cán bộ sẽ hướng dẫn bổ sung nếu cần.
      </p>
    );
  }
  return (
    <section aria-label="Giấy tờ">
      <p className="muted small">Chụp rõ từng giấy tờ, đủ 4 góc. Ảnh JPEG, PNG hoặc tệp PDF, tối đa 10 MB mỗi tệp.</p>
      <ul className="checklist">
        {procedure.documents.map((doc, index) => {
          const files = draft.files[index] ?? [];
          return (
            <li key={doc.name} className={files.length > 0 ? "checklist__item is-done" : "checklist__item"}>
              <div className="checklist__head">
                <span className="checklist__status">
                  {files.length > 0 ? <Icon name="check" title="Đã có" /> : <span aria-hidden="true">○</span>}
                </span>
                <span>
                  {doc.name}
                  <span className="checklist__meta">
                    {doc.required ? "Bắt buộc" : "Nếu có"} · {doc.copies} bản
                  </span>
                  <span className="checklist__hint">{photoHint(doc.name)}</span>
                </span>
              </div>
              {files.length > 0 && (
                <div className="previews">
                  {files.map((file, k) => (
                    <Preview
                      key={`${file.name}-${file.size}-${file.lastModified}`}
                      file={file}
                      onRemove={() => remove(index, k)}
                    />
                  ))}
                </div>
              )}
              <div className="checklist__actions">
                <button
                  type="button"
                  className="pill"
                  onClick={() => add(index, "camera")}
                  aria-label={`Chụp ảnh: ${doc.name}`}
                >
                  <Icon name="camera" size={18} /> Chụp ảnh
                </button>
                <button
                  type="button"
                  className="pill"
                  onClick={() => add(index, "gallery")}
                  aria-label={`Chọn từ thư viện: ${doc.name}`}
                >
                  <Icon name="image" size={18} /> Thư viện
                </button>
              </div>
              {errors[`doc${index}`] && (
                <p className="field__error" role="alert">
                  {errors[`doc${index}`]}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Preview({ file, onRemove }: { file: File; onRemove: () => void }) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return (
    <figure className="preview">
      {file.type === "application/pdf" ? (
        <div className="preview__pdf">PDF</div>
      ) : (
        url && <img src={url} alt={`Ảnh ${file.name}`} />
      )}
      <button type="button" className="preview__remove" onClick={onRemove} aria-label={`Xóa ${file.name}`}>
        <Icon name="trash" size={16} />
      </button>
    </figure>
  );
}

function DeliveryStep({
  draft,
  update,
  errors = {},
  procedure,
  communes,
}: StepProps & { procedure: Procedure; communes: AdministrativeUnit[] }) {
  const options: { value: Delivery; label: string; hint: string; enabled: boolean }[] = [
    {
      value: "counter",
      label: "Nhận tại bộ phận một cửa",
      hint: "Mang giấy hẹn hoặc mã hồ sơ khi đến nhận.",
      enabled: true,
    },
    {
      value: "post",
      label: "Nhận qua bưu điện",
      hint: "Bưu điện giao tận nhà; cước do bạn trả khi nhận.",
      enabled: procedure.postal,
    },
    {
      value: "online",
      label: "Nhận bản điện tử",
      hint: "Kết quả điện tử trong mini-app.",
      enabled: procedure.onlineLevel === 4,
    },
  ];
  return (
    <section aria-label="Nhận kết quả">
      <fieldset className="radio-group">
        <legend className="field__label">Bạn muốn nhận kết quả thế nào?</legend>
        {options
          .filter((o) => o.enabled)
          .map((o) => (
            <label key={o.value} className={draft.delivery === o.value ? "radio is-checked" : "radio"}>
              <input
                type="radio"
                name="delivery"
                value={o.value}
                checked={draft.delivery === o.value}
                onChange={() => update({ delivery: o.value })}
              />
              <span>
                {o.label}
                <span className="radio__hint">{o.hint}</span>
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
          <CommuneSelect
            label="Xã, phường nhận"
            value={draft.postCommune}
            onChange={(postCommune) => update({ postCommune })}
            communes={communes}
            error={errors.postCommune}
          />
          <TextField
            label="Địa chỉ nhận"
            value={draft.postStreet}
            onChange={(postStreet) => update({ postStreet })}
            error={errors.postStreet}
            required
          />
        </div>
      )}
    </section>
  );
}

function ReviewStep({
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
  const commune = (code: string) => communes.find((c) => c.code === code)?.fullName ?? code;
  const attached = procedure.documents.filter((_, i) => (draft.files[i] ?? []).length > 0).length;
  return (
    <section aria-label="Xem lại hồ sơ" className="review">
      <dl className="facts">
        <dt>Người nộp</dt>
        <dd>
          {draft.name} · {draft.identityNumber}
        </dd>
        <dt>Địa chỉ</dt>
        <dd>
          {draft.street}, {commune(draft.communeCode)}
        </dd>
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
            `Qua bưu điện: ${draft.postName}, ${draft.postStreet}, ${commune(draft.postCommune)}`}
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

/** What must be right before leaving a step. */
function validate(draft: Draft, procedure: Procedure, onBehalf: boolean): Record<string, string> {
  const problems: Record<string, string> = {};
  if (draft.step === 0) {
    if (draft.name.trim().length < 2) problems.name = "Cần nhập họ và tên";
    const id = IdentityNumber.safeParse(draft.identityNumber);
    if (!id.success) problems.identityNumber = id.error.issues[0]?.message ?? "Số định danh không hợp lệ";
    if (!draft.communeCode) problems.communeCode = "Cần chọn xã, phường";
    if (!draft.street.trim()) problems.street = "Cần nhập địa chỉ";
    if (draft.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(draft.email)) problems.email = "Email không hợp lệ";
    if (onBehalf && !draft.consent) problems.consent = "Cần ghi nhận công dân đồng ý cho bạn nộp thay";
    if (onBehalf && draft.applicantPhone.trim() && !normalisePhone(draft.applicantPhone)) {
      problems.applicantPhone = "Số điện thoại di động không hợp lệ (ví dụ 0912345678)";
    }
  }
  if (draft.step === 2) {
    procedure.documents.forEach((doc, i) => {
      if (doc.required && (draft.files[i] ?? []).length === 0) problems[`doc${i}`] = "Cần chụp hoặc chọn giấy tờ này";
    });
  }
  if (draft.step === 3 && draft.delivery === "post") {
    if (!draft.postName.trim()) problems.postName = "Cần nhập người nhận";
    if (!normalisePhone(draft.postPhone)) problems.postPhone = "Số điện thoại di động không hợp lệ (ví dụ 0912345678)";
    if (!draft.postCommune) problems.postCommune = "Cần chọn xã, phường";
    if (!draft.postStreet.trim()) problems.postStreet = "Cần nhập địa chỉ nhận";
  }
  return problems;
}

function toForm(draft: Draft, procedure: Procedure, onBehalf: boolean): FormData {
  const citizenPhone = onBehalf ? normalisePhone(draft.applicantPhone) : undefined;
  const submission: DossierSubmission = {
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
    ...(onBehalf && draft.consent
      ? { onBehalf: { method: draft.consent, ...(draft.consentNote.trim() ? { note: draft.consentNote.trim() } : {}) } }
      : {}),
  };
  const form = new FormData();
  form.set("dossier", JSON.stringify(submission));
  for (const [index, files] of Object.entries(draft.files)) {
    for (const file of files) form.append(`document:${index}`, file, file.name);
  }
  return form;
}
