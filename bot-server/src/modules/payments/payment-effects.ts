import { type FeeChoice, PaymentLine, paidAtFiling, quoteFees, STATE } from "@qn/shared";
import type { Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/schema";
import type { RecordedChange } from "../records/embedded-portal";
import { snapshotOf } from "../records/record-view";

type Trx = Transaction<Database>;

/** States that end a dossier before its result: what was paid for it is owed back. */
const REFUND_REASONS = {
  [STATE.REJECTED]: "rejected",
  [STATE.WITHDRAWN]: "withdrawn",
  [STATE.STOPPED]: "stopped",
} as const satisfies Partial<Record<number, string>>;

const StepLines = z.array(PaymentLine).min(1);

/**
 * What a dossier's steps mean for its charges (issue 14) — the one place, run in the transaction of every recorded step
 * whoever made it (an official, the citizen, the payment service, the provincial portal): a level-4 filing with fixed
 * fees owes them at once; a payment request (state 6) replaces what was due with its lines; a confirmation at the
 * counter settles it; a dossier refused, withdrawn or stopped owes nothing more, and what was paid online for it is due
 * back. The payment service's own confirmation carries its reference and finds the charge already settled.
 */
export async function recordPaymentEffects(trx: Trx, change: RecordedChange): Promise<void> {
  const { step } = change;
  const at = step.at;
  if (step.from === null) {
    await chargeAtFiling(trx, change.dossierId, change.code, at);
    return;
  }
  if (step.to === STATE.PAYMENT_REQUESTED && step.from !== STATE.PAYMENT_REQUESTED) {
    const parsed = StepLines.safeParse(step.details?.lines);
    const amount = change.dossier.feesDue;
    const lines = parsed.success
      ? parsed.data
      : amount
        ? [
            {
              index: null,
              name: "Phí, lệ phí theo thông báo của cơ quan giải quyết",
              kind: "le-phi" as const,
              quantity: 1,
              amount,
            },
          ]
        : [];
    await cancelDue(trx, change.dossierId, at);
    if (lines.length === 0) return;
    await trx
      .insertInto("dossier_charges")
      .values({
        dossier_id: change.dossierId,
        dossier_code: change.code,
        kind: "request",
        lines: JSON.stringify(lines),
        amount: lines.reduce((sum, l) => sum + l.amount, 0),
        status: "due",
        created_at: at,
      })
      .execute();
    return;
  }
  if (step.from === STATE.PAYMENT_REQUESTED && step.to === STATE.PROCESSING && !step.details?.payment) {
    // An official confirmed a payment made at the counter (or elsewhere): what was due is settled.
    await trx
      .updateTable("dossier_charges")
      .set({ status: "paid-at-counter", settled_at: at })
      .where("dossier_id", "=", change.dossierId)
      .where("status", "=", "due")
      .execute();
    return;
  }
  const reason = REFUND_REASONS[step.to as keyof typeof REFUND_REASONS];
  if (reason) {
    await cancelDue(trx, change.dossierId, at);
    const paid = await trx
      .selectFrom("payment_attempts")
      .select(["id", "amount", "unit_code"])
      .where("dossier_id", "=", change.dossierId)
      .where("status", "=", "paid")
      .execute();
    for (const attempt of paid) {
      await trx
        .insertInto("payment_refunds")
        .values({
          attempt_id: attempt.id,
          dossier_code: change.code,
          unit_code: attempt.unit_code,
          amount: attempt.amount,
          reason,
          due_at: at,
        })
        .onConflict((oc) => oc.column("attempt_id").doNothing())
        .execute();
    }
  }
}

async function cancelDue(trx: Trx, dossierId: number, at: string): Promise<void> {
  await trx
    .updateTable("dossier_charges")
    .set({ status: "cancelled", settled_at: at })
    .where("dossier_id", "=", dossierId)
    .where("status", "=", "due")
    .execute();
}

/** A level-4 procedure filed online with fixed fees owes them from the filing: the wizard's last step pays them. */
async function chargeAtFiling(trx: Trx, dossierId: number, code: string, at: string): Promise<void> {
  const row = await trx
    .selectFrom("dossiers")
    .select(["procedure_snapshot", "channel", "fee_choice"])
    .where("id", "=", dossierId)
    .executeTakeFirstOrThrow();
  if (row.channel !== "online") return;
  const procedure = snapshotOf(row);
  const choice = row.fee_choice ? (JSON.parse(row.fee_choice) as FeeChoice) : undefined;
  const quote = quoteFees(procedure, "online", choice);
  if (!paidAtFiling(procedure, quote)) return;
  // An exemption claimed waives its lines in the quote already; the official's check may later ask for them (state 6).
  await trx
    .insertInto("dossier_charges")
    .values({
      dossier_id: dossierId,
      dossier_code: code,
      kind: "filing",
      lines: JSON.stringify(quote.lines),
      amount: quote.total,
      status: "due",
      created_at: at,
    })
    .execute();
}
