import { type AdministrativeUnit, type CccdCard, formatVietnamDate, parseCccdQr, vietnamToday } from "@qn/shared";
import { useState } from "react";
import { Button } from "zmp-ui";
import { api, type HelperSession } from "../../api/client";
import { useErrorSnackbar } from "../../hooks/useErrorSnackbar";
import { Icon } from "../../icons";
import { inZalo, scanQr } from "../../zalo";
import { AddressFields } from "./AddressFields";
import { APPLICANT_ADDRESS, CONSENT_LABELS, type ConsentMethod } from "./draft";
import { type StepProps, TextField } from "./fields";

/** Step 1, Người nộp: who files (the citizen, or a helper for one), read from the căn cước card or typed. */
export function ApplicantStep({
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
      <AddressFields
        draft={draft}
        update={update}
        errors={errors}
        at={APPLICANT_ADDRESS}
        labels={{ commune: "Xã, phường nơi cư trú", street: "Địa chỉ (số nhà, thôn, tổ)" }}
        communes={communes}
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
