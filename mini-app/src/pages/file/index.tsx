import type { AdministrativeUnit, Procedure } from "@qn/shared";
import { useEffect, useRef, useState } from "react";
import { Button, Page, useNavigate, useParams } from "zmp-ui";
import { api, HELPER_ROLES, type HelperSession } from "../../api/client";
import { StateMessage } from "../../components/StateMessage";
import { Stepper } from "../../components/Stepper";
import { TopBar } from "../../components/TopBar";
import { useAsync } from "../../hooks/useAsync";
import { useErrorSnackbar } from "../../hooks/useErrorSnackbar";
import { contactFrom } from "../postal/postal";
import { ApplicantStep } from "./ApplicantStep";
import { DeliveryStep } from "./DeliveryStep";
import { DocumentsStep } from "./DocumentsStep";
import {
  applyUpdate,
  type Draft,
  type DraftUpdate,
  remainingProblems,
  STEPS,
  startDraft,
  toForm,
  validateStep,
} from "./draft";
import { deleteDraft, loadDraft, saveDraft } from "./draft-storage";
import { RequestStep } from "./RequestStep";
import { ReviewStep } from "./ReviewStep";

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

/** The steps, the draft saved after every change, the checks before each step is left, and the filing itself. */
function Wizard({ procedure, communes }: { procedure: Procedure; communes: AdministrativeUnit[] }) {
  const navigate = useNavigate();
  const showError = useErrorSnackbar();
  const [draft, setDraft] = useState<Draft | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [sending, setSending] = useState(false);
  const [phone, setPhone] = useState<string | null>(null);
  const [helper, setHelper] = useState<HelperSession>();
  const topRef = useRef<HTMLDivElement>(null);
  // The post's charges and pick-up days at the unit that receives the dossier (the applicant's commune for a commune
  // procedure): only for a procedure the post may carry.
  const commune = draft?.communeCode || undefined;
  const [quote, retryQuote] = useAsync(
    (signal) => (procedure.postal ? api.postalQuote(procedure.code, commune, signal) : Promise.resolve(null)),
    [procedure.code, procedure.postal, commune],
  );

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
      setDraft(startDraft(saved, me));
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
    if (!draft) return;
    const kept = remainingProblems(errors, draft, procedure, draft.forCitizen && helper !== undefined);
    if (kept !== errors) setErrors(kept);
  }, [draft]);

  if (!draft) return <StateMessage kind="loading" text="Đang mở hồ sơ đang soạn…" />;
  const onBehalf = draft.forCitizen && helper !== undefined;
  const applicant = contactFrom({
    name: draft.name.trim(),
    phone: onBehalf ? draft.applicantPhone : phone,
    address: { communeCode: draft.communeCode, street: draft.street.trim() },
  });
  const update = (change: DraftUpdate) => {
    setDraft((current) => (current ? applyUpdate(current, change) : current));
  };
  const go = (step: number) => {
    setErrors({});
    update({ step });
    topRef.current?.scrollIntoView({ behavior: "smooth" });
  };

  const next = () => {
    const problems = validateStep(draft, procedure, onBehalf);
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
      // Fixed fees of a level-4 procedure: paying them is the last step (the dossier is filed, unpaid, either way).
      // A helper's filing is the citizen's to pay (from the OA message or the counter), not the helper's.
      if (!onBehalf && dossier.feesDue !== null && dossier.feesDue > 0) {
        const payments = await api.payments(dossier.code).catch(() => undefined);
        if (payments?.payable) {
          navigate(`/dossiers/${encodeURIComponent(dossier.code)}/pay?buoc=cuoi`, { replace: true });
          return;
        }
      }
      // The receipt shows the secret beside the QR code; it is not kept anywhere else on the device.
      const receipt = new URLSearchParams();
      if (dossier.lookupSecret) receipt.set("secret", dossier.lookupSecret);
      if (onBehalf) receipt.set("for", "citizen");
      const query = receipt.toString();
      navigate(`/receipt/${encodeURIComponent(dossier.code)}${query ? `?${query}` : ""}`, { replace: true });
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
      {draft.step === 1 && <RequestStep draft={draft} update={update} errors={errors} procedure={procedure} />}
      {draft.step === 2 && <DocumentsStep draft={draft} update={update} errors={errors} procedure={procedure} />}
      {draft.step === 3 && (
        <DeliveryStep
          draft={draft}
          update={update}
          errors={errors}
          procedure={procedure}
          communes={communes}
          quote={quote}
          onRetryQuote={retryQuote}
          applicant={applicant}
        />
      )}
      {draft.step === 4 && (
        <ReviewStep
          draft={draft}
          procedure={procedure}
          communes={communes}
          phone={phone}
          onBehalf={onBehalf}
          postal={quote.status === "done" ? quote.value : undefined}
        />
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
