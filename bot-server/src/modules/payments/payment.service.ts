import { randomInt } from "node:crypto";
import {
  ATTEMPT_STATUS_LABELS,
  CHARGE_STATUS_LABELS,
  type ChargeView,
  type DossierPayments,
  type ExemptionView,
  type FeeChoice,
  FINAL_STATES,
  maskIdentityNumber,
  PAYMENT_METHOD_LABELS,
  type PaymentAttemptView,
  type PaymentLine,
  type PaymentMethod,
  type PaymentStart,
  STATE,
  toVietnamWallClock,
} from "@qn/shared";
import type { Selectable, Transaction } from "kysely";
import {
  type CallbackResult,
  type PaymentProvider,
  PaymentProviderError,
  type ProviderAttempt,
  type ProviderNotice,
} from "../../clients/payments/provider";
import { ZaloCheckoutProvider } from "../../clients/payments/zalo-checkout/zalo-checkout.client";
import type { Db } from "../../db/database";
import type { Database } from "../../db/schema";
import { NotFoundError } from "../../errors/app-error";
import type { Logger } from "../../logger";
import type { Actor } from "../auth/actor";
import type { DossierService } from "../dossiers/dossier.service";
import type { NotificationPlanner } from "../notifications/notification-planner";
import type { DossierRecord, PortalGateway, StepActor } from "../records/gateway";
import { IllegalTransitionError } from "../records/transitions";
import {
  malformedCallback,
  methodUnavailable,
  nothingToPay,
  paymentNotFound,
  signatureInvalid,
  tooManyAttempts,
} from "./payment.errors";
import type { ReceiptData } from "./receipt-pdf";
import { SandboxProvider } from "./sandbox-provider";

type AttemptRow = Selectable<Database["payment_attempts"]>;
type ChargeRow = Selectable<Database["dossier_charges"]>;

export type PaymentProviders = Partial<Record<PaymentMethod, PaymentProvider>>;

export type PaymentServiceOptions = {
  /** How long after an attempt starts the reconciliation first asks its provider, and the longest wait between asks. */
  firstCheckMs: number;
  checkMaxMs: number;
  /** After this long an attempt still open is abandoned (the national platform re-checks for 3 days). */
  abandonAfterMs: number;
  /** Where a payment page sends the citizen back: the mini-app's payment screen of the dossier. */
  returnUrl: (dossierCode: string, reference: string) => string;
  /** What the receipt's QR code opens: the dossier's public lookup. */
  verifyUrl: (dossierCode: string) => string;
  now?: () => Date;
};

/** What became of a confirmation. */
export type ApplyOutcome = { result: CallbackResult; attemptId: number | null };

/** The payment service acts on dossiers as this system actor (the step's "who"). */
const PAYMENT_ACTOR: StepActor = {
  kind: "system",
  id: null,
  name: "Hệ thống thanh toán trực tuyến",
  role: "Hệ thống",
  unitCode: null,
};

/** Payment attempts one charge may have in an hour. */
const MAX_ATTEMPTS_PER_HOUR = 10;

/** States in which a charge may be paid: a filing's fees until the dossier ends; a request's in state 6. */
const OPEN_FOR_FILING_FEES: ReadonlySet<number> = new Set([
  STATE.NEW,
  STATE.ACCEPTED,
  STATE.PROCESSING,
  STATE.SUPPLEMENT_REQUESTED,
  STATE.PAYMENT_REQUESTED,
]);

/**
 * Online payment of a dossier's charges (issue 14, decision 0014). An attempt is written before the citizen leaves
 * for the provider; a confirmation — the provider's callback, the citizen's return, the reconciliation — is applied
 * once per provider transaction (a unique index, inside one transaction that takes the write lock first), and what
 * does not fit (a wrong amount, an unknown reference, a second payment of one charge, a payment for a closed dossier)
 * is recorded and flagged, never dropped. The dossier then moves on by itself (6 → 4) through the gateway.
 */
export class PaymentService {
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly portal: PortalGateway,
    private readonly dossiers: DossierService,
    private readonly providers: PaymentProviders,
    private readonly planner: NotificationPlanner,
    private readonly options: PaymentServiceOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The methods this deployment offers, in the order the app shows them. */
  methods(): { id: PaymentMethod; label: string }[] {
    return (["zalo-checkout", "national", "sandbox"] as const)
      .filter((id) => this.providers[id])
      .map((id) => ({ id, label: PAYMENT_METHOD_LABELS[id] }));
  }

  provider(id: PaymentMethod): PaymentProvider | undefined {
    return this.providers[id];
  }

  /** A dossier's charges, attempts and exemption, for whoever may see the dossier (404 otherwise). */
  async overview(actor: Actor, code: string): Promise<DossierPayments> {
    const record = await this.dossiers.seen(actor, code);
    return this.overviewOf(record);
  }

  /** Starts paying the dossier's payable charge with `method`: its owner or filer only. */
  async start(
    actor: Actor,
    code: string,
    method: PaymentMethod,
    clientIp: string,
    /** The Checkout attempt this one pays, through Checkout's custom method (handOver). */
    viaAttemptId: number | null = null,
  ): Promise<PaymentStart> {
    const record = await this.dossiers.owned(actor, code);
    const provider = this.providers[method];
    if (!provider) throw methodUnavailable(method);
    const charge = await this.payableCharge(record);
    if (!charge) throw nothingToPay();
    const at = this.now();
    // Each attempt is a row and a provider's order: a script clicking "Thanh toán" is held back per charge.
    const recent = await this.db
      .selectFrom("payment_attempts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("charge_id", "=", charge.id)
      .where("created_at", ">", new Date(at.getTime() - 3_600_000).toISOString())
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= MAX_ATTEMPTS_PER_HOUR) throw tooManyAttempts();
    const row = await this.db
      .insertInto("payment_attempts")
      .values({
        reference: newReference(at),
        charge_id: charge.id,
        dossier_id: charge.dossier_id,
        dossier_code: record.code,
        unit_code: record.unitCode,
        citizen_id: actor.kind === "citizen" ? actor.id : null,
        provider: method,
        amount: charge.amount,
        lines: charge.lines,
        payer: JSON.stringify({
          name: record.applicant.name,
          identityNumber: record.applicant.identityNumber,
          address: record.applicant.address.street,
        }),
        client_ip: clientIp,
        status: "open",
        via_attempt_id: viaAttemptId,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
        next_check_at: new Date(at.getTime() + this.options.firstCheckMs).toISOString(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    let next: PaymentStart["next"];
    try {
      const started = await provider.start(this.providerAttempt(row, record));
      if (started.kind === "redirect") {
        if (started.providerOrderId) await this.setOrderId(row.id, started.providerOrderId);
        next = { kind: "redirect", url: started.url };
      } else {
        next = { kind: "checkout", order: started.order };
      }
    } catch (error) {
      const detail = error instanceof PaymentProviderError ? `${error.failure}: ${error.detail}` : String(error);
      // The attempt stays, failed, in the ledger: the citizen sees "thử lại", nothing is lost.
      await this.db
        .updateTable("payment_attempts")
        .set({ status: "failed", failure: "Cổng thanh toán không phản hồi", updated_at: this.now().toISOString() })
        .where("id", "=", row.id)
        .where("status", "=", "open")
        .execute();
      this.logger.warn({ reference: row.reference, provider: method, detail }, "payment: provider did not start");
      throw error;
    }
    return { attempt: await this.attemptView(row.reference), next };
  }

  /** Checkout's orderId for an attempt, told by the device after `Payment.createOrder` (used to ask its status). */
  async reportOrder(actor: Actor, reference: string, orderId: string): Promise<PaymentAttemptView> {
    const attempt = await this.ownAttempt(actor, reference);
    if (attempt.provider === "zalo-checkout" && attempt.provider_order_id === null) {
      await this.setOrderId(attempt.id, orderId);
    }
    return this.attemptView(reference);
  }

  /**
   * The citizen is back from the provider: ask it what happened (the device's word is never taken for a payment) and
   * apply the answer like a callback. A provider that does not answer leaves the attempt to the reconciliation.
   */
  async check(actor: Actor, reference: string): Promise<PaymentAttemptView> {
    const attempt = await this.ownAttempt(actor, reference);
    if (attempt.status === "open") {
      try {
        await this.reconcileOne(attempt, "return");
      } catch (error) {
        if (!(error instanceof PaymentProviderError)) throw error;
        this.logger.warn({ reference, failure: error.failure }, "payment: status check on return failed");
      }
    }
    return this.attemptView(reference);
  }

  /** Asks the attempt's provider about it and applies what it says. Throws PaymentProviderError. */
  async reconcileOne(attempt: AttemptRow, source: "return" | "reconcile"): Promise<void> {
    const provider = this.providers[attempt.provider];
    if (!provider) return;
    const record = await this.portal.get(attempt.dossier_code);
    if (!record) return;
    const status = await provider.status(this.providerAttempt(attempt, record));
    if (status.state === "paid") {
      await this.apply(
        attempt.provider,
        {
          reference: attempt.reference,
          providerOrderId: attempt.provider_order_id,
          transactionId: status.transactionId,
          amount: status.amount,
          outcome: "paid",
          at: status.paidAt,
          reason: null,
          fields: { status: "paid", transactionId: status.transactionId, amount: status.amount },
        },
        source,
      );
    } else if (status.state === "failed") {
      await this.apply(
        attempt.provider,
        {
          reference: attempt.reference,
          providerOrderId: attempt.provider_order_id,
          transactionId: null,
          amount: attempt.amount,
          outcome: "failed",
          at: this.now(),
          reason: status.reason,
          fields: { status: "failed", reason: status.reason },
        },
        source,
      );
    }
  }

  /**
   * Applies a verified confirmation, once. Everything is decided in one transaction whose first statement writes
   * (SQLite takes its write lock there, so no other process decides between our read and our write); the unique index
   * on applied (provider, transaction) rows is the last guard. The dossier is moved on after the commit.
   */
  async apply(
    provider: PaymentMethod,
    notice: ProviderNotice,
    source: "callback" | "return" | "reconcile",
  ): Promise<ApplyOutcome> {
    const at = this.now().toISOString();
    const outcome = await this.db.transaction().execute(async (trx) => {
      // The write that takes the lock: touch the attempt the notice names (none: nothing touched, still a write).
      const touched = await trx
        .updateTable("payment_attempts")
        .set({ updated_at: at })
        .where((eb) =>
          notice.reference
            ? eb("reference", "=", notice.reference)
            : eb.and([eb("provider", "=", provider), eb("provider_order_id", "=", notice.providerOrderId ?? "")]),
        )
        .returningAll()
        .executeTakeFirst();
      const event = async (result: Database["payment_events"]["result"], flag: string | null) => {
        // One flag per problem: the same refusal again (the reconciliation asks every few minutes, a provider
        // redelivers a refused callback) is recorded without raising a new flag while the first is unresolved.
        const repeated =
          flag !== null &&
          (await trx
            .selectFrom("payment_events")
            .select("id")
            .where((eb) =>
              touched
                ? eb("attempt_id", "=", touched.id)
                : notice.reference === null
                  ? eb("reference", "is", null)
                  : eb("reference", "=", notice.reference),
            )
            .where("provider", "=", provider)
            .where("flag", "=", flag)
            .where("resolved_at", "is", null)
            .where((eb) =>
              notice.transactionId === null
                ? eb("transaction_id", "is", null)
                : eb("transaction_id", "=", notice.transactionId),
            )
            .executeTakeFirst()) !== undefined;
        await trx
          .insertInto("payment_events")
          .values({
            provider,
            source,
            reference: notice.reference,
            attempt_id: touched?.id ?? null,
            dossier_code: touched?.dossier_code ?? null,
            unit_code: touched?.unit_code ?? null,
            transaction_id: notice.transactionId,
            amount: notice.amount,
            outcome: notice.outcome,
            result,
            flag: repeated ? null : flag,
            fields: JSON.stringify(notice.fields),
            received_at: at,
          })
          .execute();
      };
      if (!touched) {
        // No attempt of ours: the provider's word is kept and shown to officials, nothing else changes.
        await event("refused", "unknown-reference");
        return { result: "refused" as const, attemptId: null, advance: false };
      }
      const attempt = touched;
      if (attempt.provider !== provider) {
        await event("refused", "provider-mismatch");
        return { result: "refused" as const, attemptId: attempt.id, advance: false };
      }
      // Only a Checkout attempt is ever handed over (handOver); asking for others would scan every attempt (no index
      // on via_attempt_id) in each confirmation's locked transaction.
      const handedOver =
        attempt.provider === "zalo-checkout"
          ? await trx
              .selectFrom("payment_attempts")
              .select("id")
              .where("via_attempt_id", "=", attempt.id)
              .executeTakeFirst()
          : undefined;
      if (handedOver) {
        // Checkout's word about an order paid on the national platform (its custom method): that payment counts.
        await event("duplicate", null);
        return { result: "duplicate" as const, attemptId: attempt.id, advance: false };
      }
      if (attempt.provider_order_id && notice.providerOrderId && attempt.provider_order_id !== notice.providerOrderId) {
        // The reference names this attempt, the provider's order is another: one of them is someone else's.
        await event("refused", "order-mismatch");
        return { result: "refused" as const, attemptId: attempt.id, advance: false };
      }
      if (notice.outcome === "failed") {
        if (attempt.status !== "open") {
          // A failure after a success (out of order) or repeated: it must not undo anything.
          await event("late", null);
          return { result: "duplicate" as const, attemptId: attempt.id, advance: false };
        }
        await trx
          .updateTable("payment_attempts")
          .set({ status: "failed", failure: notice.reason ?? "Giao dịch không thành công", next_check_at: null })
          .where("id", "=", attempt.id)
          .execute();
        await event("failed", null);
        return { result: "applied" as const, attemptId: attempt.id, advance: false };
      }
      if (!notice.transactionId) {
        await event("refused", "unknown-reference");
        return { result: "refused" as const, attemptId: attempt.id, advance: false };
      }
      if (notice.amount !== attempt.amount) {
        await event("refused", "amount-mismatch");
        return { result: "refused" as const, attemptId: attempt.id, advance: false };
      }
      const seen = await trx
        .selectFrom("payment_events")
        .select(["attempt_id"])
        .where("provider", "=", provider)
        .where("transaction_id", "=", notice.transactionId)
        .where("result", "=", "applied")
        .executeTakeFirst();
      if (seen) {
        await event(
          seen.attempt_id === attempt.id ? "duplicate" : "refused",
          seen.attempt_id === attempt.id ? null : "unknown-reference",
        );
        return { result: "duplicate" as const, attemptId: attempt.id, advance: false };
      }
      if (attempt.status === "paid") {
        // The same attempt paid again under another transaction: money came twice.
        await event("applied", "paid-twice");
        await refund(trx, attempt, "paid-twice", at);
        return { result: "applied" as const, attemptId: attempt.id, advance: false };
      }
      const charge = await trx
        .selectFrom("dossier_charges")
        .selectAll()
        .where("id", "=", attempt.charge_id)
        .executeTakeFirstOrThrow();
      const dossier = await trx
        .selectFrom("dossiers")
        .select(["id", "code", "state", "citizen_id", "procedure_snapshot", "due_date", "missing_documents"])
        .where("id", "=", attempt.dossier_id)
        .executeTakeFirstOrThrow();
      const paidAt = notice.at.toISOString();
      await trx
        .updateTable("payment_attempts")
        .set({
          status: "paid",
          transaction_id: notice.transactionId,
          paid_at: paidAt,
          failure: null,
          // Left set until the dossier is moved on (advance): after a crash in between, the reconciliation does it.
          next_check_at: new Date(Date.parse(at) + this.options.firstCheckMs).toISOString(),
          receipt_number: receiptNumber(attempt, notice.at),
        })
        .where("id", "=", attempt.id)
        .execute();
      let flag: string | null = null;
      if (charge.status === "due") {
        await trx
          .updateTable("dossier_charges")
          .set({ status: "paid", settled_at: paidAt, settled_attempt_id: attempt.id })
          .where("id", "=", charge.id)
          .execute();
      } else if (FINAL_STATES.has(dossier.state as never)) {
        flag = "paid-after-close";
        await refund(
          trx,
          attempt,
          dossier.state === STATE.WITHDRAWN ? "withdrawn" : dossier.state === STATE.REJECTED ? "rejected" : "stopped",
          at,
        );
      } else {
        // Paid already (another attempt, at the counter) or replaced by a newer request: owed back.
        flag = "paid-twice";
        await refund(trx, attempt, "paid-twice", at);
      }
      await event("applied", flag);
      const snapshot = JSON.parse(dossier.procedure_snapshot) as { name: string };
      await this.planner.onPaymentReceived(trx, attempt.reference, {
        id: dossier.id,
        code: dossier.code,
        citizenId: dossier.citizen_id,
        procedureName: snapshot.name,
        state: dossier.state as never,
        dueDate: dossier.due_date,
        missingDocuments: JSON.parse(dossier.missing_documents) as string[],
        feesDue: null,
        paid: attempt.amount,
      });
      return { result: "applied" as const, attemptId: attempt.id, advance: true };
    });
    if (outcome.advance && outcome.attemptId !== null) {
      const id = outcome.attemptId;
      // Recorded: what follows (moving the dossier, telling Checkout) is retried by the reconciliation if it fails.
      await this.advance(id).catch((error: unknown) =>
        this.logger.warn({ err: error, attemptId: id }, "payment: moving on after the payment failed, will retry"),
      );
    }
    return { result: outcome.result, attemptId: outcome.attemptId };
  }

  /**
   * A provider's callback, raw: its signature is checked before anything reads it (401, nothing changed, when it is
   * wrong), then it is applied and answered the way the provider expects. An error while applying answers the
   * provider's "try again" so that it redelivers; the reconciliation catches it too.
   */
  async receiveCallback(
    id: PaymentMethod,
    body: Buffer,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<{ status: number; body: unknown; outcome: ApplyOutcome | null }> {
    const provider = this.providers[id];
    if (!provider) throw methodUnavailable(id);
    const check = provider.verifyCallback(body, headers);
    if (!check.ok) {
      if (check.reason === "signature") throw signatureInvalid();
      throw malformedCallback();
    }
    try {
      const outcome = await this.apply(id, check.notice, "callback");
      return { ...provider.callbackAnswer(outcome.result), outcome };
    } catch (error) {
      this.logger.error(
        { err: error, provider: id, reference: check.notice.reference },
        "payment: callback not applied",
      );
      return { ...provider.callbackAnswer("error"), outcome: null };
    }
  }

  /**
   * Moves the dossier on after a paid request (6 → 4), as the payment service, through the gateway; marks the attempt
   * done with it. Repeatable: the reconciliation calls it again for a paid attempt not yet marked (a crash in between).
   */
  async advance(attemptId: number): Promise<void> {
    const attempt = await this.db
      .selectFrom("payment_attempts")
      .innerJoin("dossier_charges", "dossier_charges.id", "payment_attempts.charge_id")
      .select([
        "payment_attempts.reference",
        "payment_attempts.dossier_code",
        "payment_attempts.advanced_at",
        "payment_attempts.transaction_id",
        "payment_attempts.via_attempt_id",
        "payment_attempts.reported_at",
        "dossier_charges.kind",
        "dossier_charges.settled_attempt_id",
      ])
      .where("payment_attempts.id", "=", attemptId)
      .executeTakeFirst();
    if (!attempt || attempt.advanced_at !== null) return;
    if (attempt.via_attempt_id !== null && attempt.reported_at === null) {
      // Paid on the national platform as Checkout's custom method: Checkout is told, or its order stays pending there.
      // A failure throws: the attempt stays queued and the reconciliation tells it later.
      await this.reportToCheckout(attemptId, attempt.via_attempt_id);
    }
    if (attempt.kind === "request" && attempt.settled_attempt_id === attemptId) {
      const record = await this.portal.get(attempt.dossier_code);
      if (record?.state === STATE.PAYMENT_REQUESTED) {
        try {
          await this.portal.transition(attempt.dossier_code, "confirm-payment", PAYMENT_ACTOR, {
            note: `Đã thanh toán trực tuyến, mã giao dịch ${attempt.transaction_id}`,
            payment: attempt.reference,
          });
        } catch (error) {
          // Someone moved the dossier meanwhile (an official confirmed it by hand): nothing left to move.
          if (!(error instanceof IllegalTransitionError) && !isConcurrentChange(error)) throw error;
        }
      }
    }
    await this.db
      .updateTable("payment_attempts")
      .set({ advanced_at: this.now().toISOString(), next_check_at: null })
      .where("id", "=", attemptId)
      .where("advanced_at", "is", null)
      .execute();
  }

  /**
   * The citizen chose the national platform inside Checkout (its custom method, `PAY_BY_CUSTOM_METHOD`): the Checkout
   * attempt is handed over to a new national-platform attempt for the same charge, which Checkout is told about once
   * paid (`updateOrderStatus`). A Checkout confirmation for the handed-over order is then not a second payment.
   */
  async handOver(actor: Actor, reference: string, orderId: string, clientIp: string): Promise<PaymentStart> {
    const checkout = await this.ownAttempt(actor, reference);
    if (checkout.provider !== "zalo-checkout" || checkout.status !== "open") throw nothingToPay();
    if (!this.providers.national) throw methodUnavailable("national");
    if (checkout.provider_order_id === null) await this.setOrderId(checkout.id, orderId);
    const started = await this.start(actor, checkout.dossier_code, "national", clientIp, checkout.id);
    await this.db
      .updateTable("payment_attempts")
      .set({
        status: "failed",
        failure: "Chuyển sang Nền tảng thanh toán trực tuyến quốc gia",
        next_check_at: null,
        updated_at: this.now().toISOString(),
      })
      .where("id", "=", checkout.id)
      .where("status", "=", "open")
      .execute();
    return started;
  }

  private async reportToCheckout(attemptId: number, checkoutId: number): Promise<void> {
    const provider = this.providers["zalo-checkout"];
    const checkout = await this.db
      .selectFrom("payment_attempts")
      .select(["provider_order_id"])
      .where("id", "=", checkoutId)
      .executeTakeFirst();
    if (provider instanceof ZaloCheckoutProvider && checkout?.provider_order_id) {
      await provider.updateOrderStatus({ orderId: checkout.provider_order_id, resultCode: 1 });
    }
    await this.db
      .updateTable("payment_attempts")
      .set({ reported_at: this.now().toISOString() })
      .where("id", "=", attemptId)
      .execute();
  }

  /** The sandbox provider, when this deployment offers it (offline mode): its test page is served beside the API. */
  sandbox(): SandboxProvider | undefined {
    const provider = this.providers.sandbox;
    return provider instanceof SandboxProvider ? provider : undefined;
  }

  /** The e-receipt of a paid attempt, for whoever may see the dossier (its owner, its unit's officials). */
  async receipt(actor: Actor, code: string, number: string): Promise<ReceiptData> {
    return this.receiptOf(await this.dossiers.seen(actor, code), number);
  }

  /** The e-receipt a signed link opens (receipt-links.ts): the link was issued to someone who could see it. */
  async receiptByLink(code: string, number: string): Promise<ReceiptData> {
    const record = await this.portal.get(code);
    if (!record) throw new NotFoundError("Không tìm thấy biên lai này.");
    return this.receiptOf(record, number);
  }

  private async receiptOf(record: DossierRecord, number: string): Promise<ReceiptData> {
    const row = await this.db
      .selectFrom("payment_attempts")
      .selectAll()
      .where("dossier_code", "=", record.code)
      .where("receipt_number", "=", number)
      .where("status", "=", "paid")
      .executeTakeFirst();
    if (!row || row.transaction_id === null || row.paid_at === null) {
      throw new NotFoundError("Không tìm thấy biên lai này.");
    }
    const payer = JSON.parse(row.payer) as ProviderAttempt["payer"];
    const lines = JSON.parse(row.lines) as PaymentLine[];
    return {
      receiptNumber: number,
      issuedAt: new Date(row.paid_at),
      issuer: { name: record.unitName, unitCode: record.unitCode },
      payer: {
        name: payer.name,
        identityNumberMasked: payer.identityNumber ? maskIdentityNumber(payer.identityNumber) : null,
        address: payer.address,
      },
      dossier: { code: record.code, procedureName: record.procedure.name },
      lines,
      total: row.amount,
      provider: PAYMENT_METHOD_LABELS[row.provider],
      transactionId: row.transaction_id,
      reference: row.reference,
      verifyUrl: this.options.verifyUrl(record.code),
      test: row.provider === "sandbox",
    };
  }

  /** The attempt's row, for its owner or filer (404 for anyone else). */
  async ownAttempt(actor: Actor, reference: string): Promise<AttemptRow> {
    const attempt = await this.db
      .selectFrom("payment_attempts")
      .selectAll()
      .where("reference", "=", reference)
      .executeTakeFirst();
    if (!attempt) throw paymentNotFound();
    await this.dossiers.owned(actor, attempt.dossier_code).catch(() => {
      throw paymentNotFound();
    });
    return attempt;
  }

  async attemptView(reference: string): Promise<PaymentAttemptView> {
    const row = await this.db
      .selectFrom("payment_attempts")
      .selectAll()
      .where("reference", "=", reference)
      .executeTakeFirstOrThrow();
    return attemptViewOf(row);
  }

  /** What a provider is told of an attempt. */
  providerAttempt(row: AttemptRow, record: DossierRecord): ProviderAttempt {
    const payer = JSON.parse(row.payer) as ProviderAttempt["payer"];
    return {
      reference: row.reference,
      dossierCode: row.dossier_code,
      procedure: { code: record.procedure.code, name: record.procedure.name },
      unit: { code: record.unitCode, name: record.unitName },
      amount: row.amount,
      lines: JSON.parse(row.lines) as PaymentLine[],
      payer,
      description: `Nộp phí hồ sơ ${row.dossier_code}`.slice(0, 100),
      createdAt: new Date(row.created_at),
      clientIp: row.client_ip,
      providerOrderId: row.provider_order_id,
      returnUrl: this.options.returnUrl(row.dossier_code, row.reference),
    };
  }

  private async setOrderId(id: number, orderId: string): Promise<void> {
    await this.db
      .updateTable("payment_attempts")
      .set({ provider_order_id: orderId })
      .where("id", "=", id)
      .where("provider_order_id", "is", null)
      .execute();
  }

  private async payableCharge(record: DossierRecord): Promise<ChargeRow | undefined> {
    const charge = await this.db
      .selectFrom("dossier_charges")
      .innerJoin("dossiers", "dossiers.id", "dossier_charges.dossier_id")
      .selectAll("dossier_charges")
      .where("dossiers.code", "=", record.code)
      .where("dossier_charges.status", "=", "due")
      .executeTakeFirst();
    if (!charge || charge.amount <= 0) return undefined;
    const open =
      charge.kind === "request" ? record.state === STATE.PAYMENT_REQUESTED : OPEN_FOR_FILING_FEES.has(record.state);
    return open ? charge : undefined;
  }

  private async overviewOf(record: DossierRecord): Promise<DossierPayments> {
    const dossier = await this.db
      .selectFrom("dossiers")
      .select(["id", "fee_choice", "exemption_check", "procedure_snapshot"])
      .where("code", "=", record.code)
      .executeTakeFirstOrThrow();
    const [charges, attempts] = await Promise.all([
      this.db.selectFrom("dossier_charges").selectAll().where("dossier_id", "=", dossier.id).orderBy("id").execute(),
      this.db.selectFrom("payment_attempts").selectAll().where("dossier_id", "=", dossier.id).orderBy("id").execute(),
    ]);
    const payable = await this.payableCharge(record);
    const views: ChargeView[] = charges.map((c) => ({
      id: c.id,
      kind: c.kind,
      lines: JSON.parse(c.lines) as PaymentLine[],
      amount: c.amount,
      status: c.status,
      statusLabel: CHARGE_STATUS_LABELS[c.status],
      createdAt: c.created_at,
      attempts: attempts.filter((a) => a.charge_id === c.id).map(attemptViewOf),
    }));
    return {
      charges: views,
      payable: payable ? { chargeId: payable.id, amount: payable.amount } : null,
      methods: this.methods(),
      exemption: exemptionOf(dossier),
    };
  }
}

function exemptionOf(row: { fee_choice: string | null; exemption_check: string | null; procedure_snapshot: string }) {
  const choice = row.fee_choice ? (JSON.parse(row.fee_choice) as FeeChoice) : null;
  if (!choice?.exemption) return null;
  const snapshot = JSON.parse(row.procedure_snapshot) as { exemptions?: { name: string }[] };
  const name = snapshot.exemptions?.[choice.exemption.index]?.name ?? "Trường hợp được miễn";
  const check = row.exemption_check ? (JSON.parse(row.exemption_check) as NonNullable<ExemptionView["check"]>) : null;
  return { index: choice.exemption.index, name, reason: choice.exemption.reason, check } satisfies ExemptionView;
}

export function attemptViewOf(row: AttemptRow): PaymentAttemptView {
  return {
    reference: row.reference,
    method: row.provider,
    methodLabel: PAYMENT_METHOD_LABELS[row.provider],
    amount: row.amount,
    status: row.status,
    statusLabel: ATTEMPT_STATUS_LABELS[row.status],
    createdAt: row.created_at,
    paidAt: row.paid_at,
    transactionId: row.transaction_id,
    failure: row.failure,
    receiptNumber: row.receipt_number,
  };
}

async function refund(
  trx: Transaction<Database>,
  attempt: AttemptRow,
  reason: Database["payment_refunds"]["reason"],
  at: string,
): Promise<void> {
  await trx
    .insertInto("payment_refunds")
    .values({
      attempt_id: attempt.id,
      dossier_code: attempt.dossier_code,
      unit_code: attempt.unit_code,
      amount: attempt.amount,
      reason,
      due_at: at,
    })
    .onConflict((oc) => oc.column("attempt_id").doNothing())
    .execute();
}

/** `TT` + the Vietnamese wall-clock time to the second + 6 random digits: unique, sortable, readable on a phone. */
function newReference(at: Date): string {
  const wall = new Date(toVietnamWallClock(at.getTime())).toISOString().replace(/\D/g, "").slice(2, 14);
  return `TT${wall}${String(randomInt(0, 1_000_000)).padStart(6, "0")}`;
}

/** The e-receipt's number: `BL` + year + the attempt's id (unique, issued with the payment). */
function receiptNumber(attempt: AttemptRow, at: Date): string {
  const year = new Date(toVietnamWallClock(at.getTime())).toISOString().slice(0, 4);
  return `BL${year}-${String(attempt.id).padStart(7, "0")}`;
}

function isConcurrentChange(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "CONCURRENT_CHANGE";
}
