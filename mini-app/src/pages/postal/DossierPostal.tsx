import {
  type AdministrativeUnit,
  type DossierPostal,
  type DossierView,
  FAILED_CHOICE_LABELS,
  type FailedDeliveryChoice,
  formatVietnamDateTime,
  formatVnd,
  POSTAL_KIND_LABELS,
  type PostalOrderView,
} from "@qn/shared";
import { type ReactNode, useId, useState } from "react";
import { Button } from "zmp-ui";
import { api } from "../../api/client";
import { asApiClientError } from "../../api/request";
import { StateMessage } from "../../components/StateMessage";
import { useAsync } from "../../hooks/useAsync";
import { useSuccessSnackbar } from "../../hooks/useErrorSnackbar";
import { openExternal } from "../../zalo";
import { addressLine } from "../file/AddressFields";
import { ContactFields, PickupWhenFields } from "./PostalFields";
import {
  type ContactForm,
  contactFrom,
  contactProblems,
  contactRole,
  deliveryChargeText,
  emptyContact,
  emptyPickup,
  fieldProblems,
  orderTone,
  type PickupField,
  type PickupForm,
  pickupChargeText,
  pickupProblems,
  pickupWindowText,
  toContact,
  toPickupRequest,
} from "./postal";

type Problems = Partial<Record<PickupField, string>>;
/** What an action's failure shows in place: the message, and the fields' own messages under them. */
type Failure = { message: string; fields: Problems };

const failureOf = (error: unknown): Failure => {
  const e = asApiClientError(error);
  return { message: e.message, fields: fieldProblems(e.details) };
};

/**
 * The dossier's "Bưu chính công ích" (issue 15): each postal order as a card with its status, waybill, charge, the
 * parcel's steps and, once delivered, the proof; after a failed or returned delivery the three choices; and, while
 * the server says they may be asked, the pick-up of the originals and the result by post. Loaded again when the
 * dossier's state changes; nothing for a procedure the post may not carry.
 */
export function DossierPostalSection({
  dossier: d,
  onDossier,
}: {
  dossier: DossierView;
  /** The dossier read again after a request here changed it (how its result comes back). */
  onDossier: (dossier: DossierView) => void;
}) {
  const [state, retry] = useAsync((signal) => api.postal(d.code, signal), [d.code, d.state]);
  const [communes] = useAsync((signal) => api.communes(signal), []);
  // The answer of the citizen's last request, over the section as loaded until it loads again.
  const loaded = state.value;
  const [fresh, setFresh] = useState<{ over: DossierPostal | undefined; value: DossierPostal }>();
  const onDone = (value: DossierPostal) => {
    setFresh({ over: loaded, value });
    api.dossier(d.code).then(onDossier, () => {});
  };
  if (state.status === "error" && !loaded) {
    return (
      <section aria-labelledby="postal-section" className="dossier-postal">
        <h3 id="postal-section">Bưu chính công ích</h3>
        <StateMessage kind="error" text={state.error.message} onRetry={retry} />
      </section>
    );
  }
  const postal = fresh && fresh.over === loaded ? fresh.value : loaded;
  if (!postal) return null;
  const byPost = d.resultDelivery.method === "post" ? d.resultDelivery : undefined;
  const hasDeliveryOrder = postal.orders.some((o) => o.kind === "delivery");
  const awaitingResult = postal.allowed && byPost && !hasDeliveryOrder;
  const offers = postal.pickupBlocked === null || postal.deliveryBlocked === null;
  if (postal.orders.length === 0 && !offers && !awaitingResult) return null;
  const units = communes.status === "done" ? communes.value : [];
  const applicant = applicantOf(d, postal);
  return (
    <section aria-labelledby="postal-section" className="dossier-postal">
      <h3 id="postal-section">Bưu chính công ích</h3>
      {postal.orders.map((order) => (
        <OrderCard
          key={order.reference}
          order={order}
          dossier={d}
          communes={units}
          applicant={applicant}
          onDone={onDone}
        />
      ))}
      {awaitingResult && (
        <p className="notice postal-awaiting">
          Kết quả sẽ được gửi qua bưu điện tới {byPost.recipientName},{" "}
          {addressLine(byPost.address.street, byPost.address.communeCode, units)} khi hồ sơ có kết quả.
          {postal.quote && <span className="facts__note">{deliveryChargeText(postal.quote)}</span>}
        </p>
      )}
      {postal.pickupBlocked === null && (
        <RequestPickup dossier={d} postal={postal} communes={units} applicant={applicant} onDone={onDone} />
      )}
      {postal.deliveryBlocked === null && (
        <RequestDelivery dossier={d} postal={postal} communes={units} applicant={applicant} onDone={onDone} />
      )}
    </section>
  );
}

/** "Dùng địa chỉ người nộp": the applicant as filed, with the phone the server suggests when the view has none. */
function applicantOf(d: DossierView, postal: DossierPostal): ContactForm {
  const form = contactFrom(d.applicant);
  if (!form.phone && postal.suggested) form.phone = contactFrom(postal.suggested).phone;
  return form;
}

function OrderCard({
  order: o,
  dossier: d,
  communes,
  applicant,
  onDone,
}: {
  order: PostalOrderView;
  dossier: DossierView;
  communes: AdministrativeUnit[];
  applicant: ContactForm;
  onDone: (postal: DossierPostal) => void;
}) {
  const titleId = useId();
  const proofAt = o.proof ? formatVietnamDateTime(o.proof.at) : "";
  return (
    <article className="charge postal-order" aria-labelledby={titleId}>
      <div className="charge__head">
        <h4 id={titleId}>{POSTAL_KIND_LABELS[o.kind]}</h4>
        <span className={`state-chip state-chip--${orderTone(o)}`}>{o.statusLabel}</span>
      </div>
      <dl className="facts postal-order__facts">
        <dt>Mã vận đơn</dt>
        <dd className="postal-order__waybill">{o.waybill ?? "Chưa có (bưu điện chưa nhận đơn)"}</dd>
        {o.pickup && (
          <>
            <dt>Hẹn đến lấy</dt>
            <dd>{pickupWindowText(o.pickup.date, o.pickup.slotLabel)}</dd>
          </>
        )}
        <dt>{contactRole(o.kind)}</dt>
        <dd>
          {o.contact.name} · {o.contact.phone}
          <span className="facts__line">
            {addressLine(o.contact.address.street, o.contact.address.communeCode, communes)}
          </span>
        </dd>
        <dt>{o.kind === "pickup" ? "Cước thu gom" : "Thu khi giao kết quả (COD)"}</dt>
        <dd>{moneyText(o)}</dd>
      </dl>
      {o.proof && (
        <div className="postal-proof" role="note">
          <p className="postal-proof__who">
            Người nhận: {o.proof.receivedBy ?? "bưu điện chưa ghi tên"}, lúc {proofAt}
          </p>
          {o.proof.note && <p className="small">{o.proof.note}</p>}
          {o.proof.url && (
            <button
              type="button"
              className="link postal-proof__link"
              onClick={() => void openExternal(o.proof?.url ?? "")}
            >
              Xem xác nhận giao của bưu điện
            </button>
          )}
        </div>
      )}
      {o.choices.length > 0 && (
        <FailedDelivery order={o} dossier={d} communes={communes} applicant={applicant} onDone={onDone} />
      )}
      {o.chosen && o.choices.length === 0 && o.status !== "delivered" && (
        <p className="small postal-order__chosen">Bạn đã chọn: {FAILED_CHOICE_LABELS[o.chosen]}</p>
      )}
      <p className="charge__sub">Hành trình bưu gửi</p>
      <ol className="timeline postal-timeline">
        {[...o.events].reverse().map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a timeline's steps may share a status and a time
          <li key={`${e.at}-${e.status}-${i}`}>
            <span className="timeline__dot" aria-hidden="true" />
            <p className="timeline__title">{e.label}</p>
            <p className="timeline__meta">{formatVietnamDateTime(e.at)}</p>
            {e.note && <p className="timeline__note">{e.note}</p>}
          </li>
        ))}
      </ol>
    </article>
  );
}

function moneyText(o: PostalOrderView): string {
  if (o.kind === "pickup") {
    return o.charge === 0 ? "Miễn cước" : `${formatVnd(o.charge)}, trả cho nhân viên bưu điện khi đến lấy`;
  }
  if (o.codAmount === 0) return "Miễn cước";
  const fee = o.codAmount - o.charge;
  return fee > 0
    ? `${formatVnd(o.codAmount)} (cước chuyển phát ${formatVnd(o.charge)} + phí thu hộ ${formatVnd(fee)})`
    : formatVnd(o.codAmount);
}

/** After a failed or returned delivery: deliver again, to another address, or collect at the counter, each confirmed. */
function FailedDelivery({
  order: o,
  dossier: d,
  communes,
  applicant,
  onDone,
}: {
  order: PostalOrderView;
  dossier: DossierView;
  communes: AdministrativeUnit[];
  applicant: ContactForm;
  onDone: (postal: DossierPostal) => void;
}) {
  const done = useSuccessSnackbar();
  const headId = useId();
  const [picking, setPicking] = useState<FailedDeliveryChoice["choice"]>();
  const [receiver, setReceiver] = useState<ContactForm>(emptyContact);
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<Failure>();
  const [busy, setBusy] = useState(false);
  const reason = [...o.events].reverse().find((e) => e.status === o.status)?.note;
  const returned = o.status === "returned";
  const pick = (choice: FailedDeliveryChoice["choice"] | undefined) => {
    setPicking(choice);
    setProblems({});
    setFailure(undefined);
  };
  const confirm = async () => {
    if (!picking) return;
    let choice: FailedDeliveryChoice;
    if (picking === "change-address") {
      const found = contactProblems(receiver, "người nhận");
      setProblems(found);
      if (Object.keys(found).length > 0) return;
      choice = { choice: "change-address", receiver: toContact(receiver) };
    } else {
      choice = { choice: picking };
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const postal = await api.choosePostal(d.code, o.reference, choice);
      done(CHOSEN_MESSAGES[picking]);
      onDone(postal);
    } catch (error) {
      const f = failureOf(error);
      setFailure(f);
      setProblems(f.fields);
    } finally {
      setBusy(false);
    }
  };
  const current = addressLine(o.contact.address.street, o.contact.address.communeCode, communes);
  let confirmation: ReactNode = null;
  if (picking === "redeliver") {
    confirmation = (
      <p>
        {returned ? "Cơ quan sẽ gửi lại kết quả qua bưu điện" : "Bưu điện sẽ giao lại kết quả"} tới {o.contact.name},{" "}
        {current}. Bạn nhớ để ý điện thoại {o.contact.phone} khi bưu điện gọi.
      </p>
    );
  } else if (picking === "counter") {
    confirmation = (
      <p>
        {returned ? "Kết quả đang ở cơ quan:" : "Bưu điện sẽ chuyển kết quả về cơ quan:"} bạn đến nhận tại bộ phận một
        cửa của {d.unitName}, mang theo giấy hẹn hoặc mã hồ sơ {d.code}.
      </p>
    );
  } else if (picking === "change-address") {
    confirmation = (
      <ContactFields
        value={receiver}
        onChange={(change) => setReceiver((r) => ({ ...r, ...change }))}
        errors={problems}
        labels={{
          name: "Người nhận mới",
          phone: "Số điện thoại người nhận",
          commune: "Xã, phường nhận",
          street: "Địa chỉ nhận mới",
        }}
        communes={communes}
        applicant={applicant}
      />
    );
  }
  return (
    <section className="action-box postal-choices" aria-labelledby={headId}>
      <h5 id={headId} className="postal-choices__title">
        {returned ? "Kết quả đã được chuyển hoàn về cơ quan" : "Bưu điện giao kết quả không thành công"}
      </h5>
      {reason && <p className="small">Lý do: {reason}</p>}
      {picking === undefined ? (
        <>
          <p>Bạn muốn nhận kết quả thế nào?</p>
          <div className="stack-buttons postal-choices__buttons">
            {o.choices.map((choice) => (
              <Button key={choice} variant="secondary" fullWidth onClick={() => pick(choice)}>
                {FAILED_CHOICE_LABELS[choice]}
              </Button>
            ))}
          </div>
        </>
      ) : (
        <>
          <p className="postal-choices__picked">{FAILED_CHOICE_LABELS[picking]}</p>
          {confirmation}
          {failure && (
            <p className="field__error postal-error" role="alert">
              {failure.message}
            </p>
          )}
          <div className="wizard__nav postal-nav">
            <Button variant="secondary" onClick={() => pick(undefined)} disabled={busy}>
              Quay lại
            </Button>
            <Button onClick={confirm} loading={busy}>
              {CONFIRM_LABELS[picking]}
            </Button>
          </div>
        </>
      )}
    </section>
  );
}

const CONFIRM_LABELS: Record<FailedDeliveryChoice["choice"], string> = {
  redeliver: "Xác nhận giao lại",
  "change-address": "Xác nhận địa chỉ mới",
  counter: "Xác nhận nhận tại một cửa",
};
const CHOSEN_MESSAGES: Record<FailedDeliveryChoice["choice"], string> = {
  redeliver: "Đã gửi yêu cầu giao lại tới bưu điện",
  "change-address": "Đã gửi địa chỉ nhận mới tới bưu điện",
  counter: "Đã ghi nhận: bạn nhận kết quả tại bộ phận một cửa",
};

/** "Nhờ bưu điện đến lấy hồ sơ gốc": the same form as the wizard's, the days from the post's quote. */
function RequestPickup({
  dossier: d,
  postal,
  communes,
  applicant,
  onDone,
}: {
  dossier: DossierView;
  postal: DossierPostal;
  communes: AdministrativeUnit[];
  applicant: ContactForm;
  onDone: (postal: DossierPostal) => void;
}) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <Button variant="secondary" fullWidth className="postal-offer" onClick={() => setOpen(true)}>
        Nhờ bưu điện đến lấy hồ sơ gốc
      </Button>
    );
  }
  return (
    <PickupRequestForm
      dossier={d}
      postal={postal}
      communes={communes}
      applicant={applicant}
      onDone={onDone}
      onClose={() => setOpen(false)}
    />
  );
}

function PickupRequestForm({
  dossier: d,
  postal,
  communes,
  applicant,
  onDone,
  onClose,
}: {
  dossier: DossierView;
  postal: DossierPostal;
  communes: AdministrativeUnit[];
  applicant: ContactForm;
  onDone: (postal: DossierPostal) => void;
  onClose: () => void;
}) {
  const done = useSuccessSnackbar();
  const titleId = useId();
  const commune = /^\d{5}$/.test(d.unitCode) ? d.unitCode : undefined;
  const [quote, retryQuote] = useAsync(
    (signal) => api.postalQuote(d.procedure.code, commune, signal),
    [d.procedure.code, commune],
  );
  const [form, setForm] = useState<PickupForm>(emptyPickup);
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<Failure>();
  const [busy, setBusy] = useState(false);
  const dates = quote.status === "done" ? quote.value.pickupDates : undefined;
  const change = (patch: Partial<PickupForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    // A message goes as soon as its field changes.
    setProblems((p) => {
      const kept = { ...p };
      for (const key of Object.keys(patch)) delete kept[key as PickupField];
      return kept;
    });
  };
  const submit = async () => {
    const found = pickupProblems(form, dates);
    setProblems(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const answer = await api.requestPickup(d.code, toPickupRequest(form));
      done("Đã gửi yêu cầu bưu điện đến lấy hồ sơ gốc");
      onDone(answer);
    } catch (error) {
      const f = failureOf(error);
      setFailure(f);
      setProblems(f.fields);
      if (f.fields.date) retryQuote();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="action-box postal-form" aria-labelledby={titleId}>
      <h4 id={titleId} className="postal-form__title">
        Nhờ bưu điện đến lấy hồ sơ gốc
      </h4>
      <p className="small">Nhân viên bưu điện đến lấy bản giấy tại địa chỉ bạn hẹn và chuyển tới {d.unitName}.</p>
      <ContactFields
        value={form}
        onChange={change}
        errors={problems}
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
      {quote.status === "error" && <StateMessage kind="error" text={quote.error.message} onRetry={retryQuote} />}
      {quote.status === "done" && (
        <PickupWhenFields
          value={form}
          onChange={change}
          errors={problems}
          dates={quote.value.pickupDates}
          slots={quote.value.slots}
        />
      )}
      {postal.quote && <p className="postal-charge postal-charge--box">{pickupChargeText(postal.quote.pickup)}</p>}
      <FormFooter
        failure={failure}
        busy={busy}
        onClose={onClose}
        onSubmit={submit}
        submitLabel="Xác nhận hẹn lấy hồ sơ"
      />
    </section>
  );
}

/** "Nhận kết quả qua bưu điện": who receives it and where, with the charge paid on delivery. */
function RequestDelivery({
  dossier: d,
  postal,
  communes,
  applicant,
  onDone,
}: {
  dossier: DossierView;
  postal: DossierPostal;
  communes: AdministrativeUnit[];
  applicant: ContactForm;
  onDone: (postal: DossierPostal) => void;
}) {
  const done = useSuccessSnackbar();
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<ContactForm>(emptyContact);
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<Failure>();
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <Button variant="secondary" fullWidth className="postal-offer" onClick={() => setOpen(true)}>
        Nhận kết quả qua bưu điện
      </Button>
    );
  }
  const change = (patch: Partial<ContactForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setProblems((p) => {
      const kept = { ...p };
      for (const key of Object.keys(patch)) delete kept[key as PickupField];
      return kept;
    });
  };
  const submit = async () => {
    const found = contactProblems(form, "người nhận");
    setProblems(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const answer = await api.requestDelivery(d.code, toContact(form));
      done("Đã ghi nhận: kết quả sẽ được gửi qua bưu điện");
      onDone(answer);
    } catch (error) {
      const f = failureOf(error);
      setFailure(f);
      setProblems(f.fields);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="action-box postal-form" aria-labelledby={titleId}>
      <h4 id={titleId} className="postal-form__title">
        Nhận kết quả qua bưu điện
      </h4>
      <p className="small">Khi hồ sơ có kết quả, cơ quan gửi qua bưu điện tới địa chỉ bạn chọn.</p>
      <ContactFields
        value={form}
        onChange={change}
        errors={problems}
        labels={{
          name: "Người nhận",
          phone: "Số điện thoại người nhận",
          commune: "Xã, phường nhận",
          street: "Địa chỉ nhận",
        }}
        communes={communes}
        applicant={applicant}
      />
      {postal.quote && <p className="postal-charge postal-charge--box">{deliveryChargeText(postal.quote)}</p>}
      <FormFooter
        failure={failure}
        busy={busy}
        onClose={() => setOpen(false)}
        onSubmit={submit}
        submitLabel="Xác nhận nhận qua bưu điện"
      />
    </section>
  );
}

function FormFooter({
  failure,
  busy,
  onClose,
  onSubmit,
  submitLabel,
}: {
  failure: Failure | undefined;
  busy: boolean;
  onClose: () => void;
  onSubmit: () => void;
  submitLabel: string;
}) {
  return (
    <>
      {failure && (
        <p className="field__error postal-error" role="alert">
          {failure.message}
        </p>
      )}
      <div className="wizard__nav postal-nav">
        <Button variant="secondary" onClick={onClose} disabled={busy}>
          Để sau
        </Button>
        <Button onClick={onSubmit} loading={busy}>
          {submitLabel}
        </Button>
      </div>
    </>
  );
}
