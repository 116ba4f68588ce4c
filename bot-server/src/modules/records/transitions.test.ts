import { DossierAction as Actions, DOSSIER_STATES, type DossierAction, type DossierState } from "@qn/shared";
import { describe, expect, it } from "vitest";
import {
  type Clock,
  type DossierFacts,
  decideAction,
  decidePortalChange,
  IllegalTransitionError,
  portalStepOf,
} from "./transitions";

/**
 * Every (state, action) pair, written out here independently of the action table: where each legal action leads.
 * A pair not listed must be refused.
 */
const LEGAL: Record<DossierState, Partial<Record<DossierAction, DossierState>>> = {
  1: { accept: 2, reject: 3, "request-supplement": 5, withdraw: 7 },
  2: { "request-supplement": 5, process: 4, "request-payment": 6, stop: 8, complete: 9, withdraw: 7 },
  3: {},
  4: { "request-supplement": 5, "request-payment": 6, stop: 8, complete: 9, withdraw: 7 },
  5: { supplement: 4, stop: 8, withdraw: 7 }, // supplement: back to where it was asked (here: processing)
  6: { "confirm-payment": 4, stop: 8, withdraw: 7 },
  7: {},
  8: {},
  9: { deliver: 10 },
  10: {},
};
const TOLD: Partial<Record<DossierState, string>> = {
  2: "dossier.accepted",
  3: "dossier.rejected",
  5: "dossier.supplement-requested",
  6: "dossier.payment-requested",
  9: "dossier.done",
  10: "dossier.delivered",
};

const AT = new Date("2026-03-11T23:30:00Z"); // 06:30 on 12/03/2026 in Vietnam
const clock: Clock = {
  at: AT,
  today: "2026-03-12",
  // A fake calendar that shows which date and count it was asked for.
  addWorkingDays: (date, days) => `${date}+${days}`,
};
const facts = (state: DossierState, over: Partial<DossierFacts> = {}): DossierFacts => ({
  state,
  resumeState: state === 5 ? 4 : null,
  acceptedAt: state === 1 ? null : "2026-03-01T01:00:00.000Z",
  dueDate: state === 1 ? null : "2026-03-20",
  missingDocuments: state === 5 ? ["Giấy chứng sinh"] : [],
  feesDue: null,
  processingDays: 5,
  ...over,
});

describe("the transition rules", () => {
  const pairs = DOSSIER_STATES.flatMap((s) => Actions.options.map((a) => [s, a] as const));

  it.each(pairs)("state %i, action %s: legal exactly as the table says, to the state it says", (state, action) => {
    const to = LEGAL[state][action];
    const inputs = { note: "Ghi chú", missingDocuments: ["Tờ khai"], amount: 50_000, trackingNumber: "EV123456VN" };
    if (to === undefined) {
      expect(() => decideAction(facts(state), action, inputs, clock)).toThrow(IllegalTransitionError);
      return;
    }
    const t = decideAction(facts(state), action, inputs, clock);
    expect([t.from, t.to, t.fields.state]).toEqual([state, to, to]);
    expect(t.step.action).toBe(action);
    expect(t.step.note).toBe("Ghi chú");
    expect(t.notification).toBe(TOLD[to] ?? null);
  });

  it("when an illegal action is tried, then the refusal is a 409 that names the action and the state in Vietnamese", () => {
    const error = (() => {
      try {
        decideAction(facts(9), "accept", {}, clock);
      } catch (e) {
        return e as IllegalTransitionError;
      }
    })();
    expect([error?.status, error?.code]).toEqual([409, "ILLEGAL_TRANSITION"]);
    expect(error?.message).toBe('Không thể "tiếp nhận" khi hồ sơ đang ở trạng thái "Đã xử lý xong" (9).');
  });

  it("when a dossier is accepted, then its clock starts today in Vietnam time, for the procedure's working days", () => {
    const t = decideAction(facts(1), "accept", {}, clock);
    expect(t.fields).toEqual({
      state: 2,
      acceptedAt: AT.toISOString(),
      completeReceivedAt: AT.toISOString(),
      dueDate: "2026-03-12+5",
    });
    expect(decideAction(facts(1, { processingDays: null }), "accept", {}, clock).fields.dueDate).toBeNull();
  });

  it("when papers are asked for and brought, then the dossier returns where it was and its clock restarts once accepted", () => {
    const atReception = decideAction(facts(1), "request-supplement", { missingDocuments: ["Tờ khai"] }, clock);
    expect(atReception.fields).toEqual({ state: 5, resumeState: 1, missingDocuments: ["Tờ khai"] });
    expect(atReception.step.details).toEqual({ missingDocuments: ["Tờ khai"] });
    const whileProcessing = decideAction(facts(2), "request-supplement", { missingDocuments: ["Tờ khai"] }, clock);
    expect(whileProcessing.fields.resumeState).toBe(4);

    const backToReception = decideAction(facts(5, { resumeState: 1 }), "supplement", { files: 2 }, clock);
    expect(backToReception.fields).toEqual({ state: 1, resumeState: null, missingDocuments: [] });
    expect([backToReception.notification, backToReception.step.details]).toEqual([null, { files: 2 }]);
    const backToWork = decideAction(facts(5), "supplement", { files: 1 }, clock);
    expect(backToWork.fields).toEqual({
      state: 4,
      resumeState: null,
      missingDocuments: [],
      completeReceivedAt: AT.toISOString(),
      dueDate: "2026-03-12+5",
    });
    expect(decideAction(facts(5, { resumeState: null }), "supplement", {}, clock).to).toBe(1);
  });

  it("when fees are asked for, a result delivered or a dossier withdrawn, then exactly those fields are written", () => {
    expect(decideAction(facts(4), "request-payment", { amount: 30_000 }, clock).fields).toEqual({
      state: 6,
      feesDue: 30_000,
    });
    expect(decideAction(facts(4), "request-payment", {}, clock).fields).toEqual({ state: 6 });
    const delivered = decideAction(facts(9), "deliver", { trackingNumber: "EV123456VN" }, clock);
    expect(delivered.fields).toEqual({ state: 10, postalTracking: "EV123456VN", deliveredAt: AT.toISOString() });
    expect(delivered.step.details).toEqual({ trackingNumber: "EV123456VN" });
    expect(decideAction(facts(5), "withdraw", { note: "Không cần nữa" }, clock).fields).toEqual({
      state: 7,
      resumeState: null,
    });
    expect(decideAction(facts(2), "process", {}, clock)).toMatchObject({
      fields: { state: 4 },
      step: { details: null },
      notification: null,
    });
  });
});

describe("a change made by the provincial portal", () => {
  const change = (over: Partial<Parameters<typeof decidePortalChange>[1]> = {}) => ({
    eventId: "ev-1",
    code: "P-1",
    reference: null,
    fromState: 1 as DossierState | null,
    toState: 2 as DossierState,
    at: "2026-03-12T01:00:00.000Z",
    action: null,
    actorName: null,
    unitCode: null,
    note: null,
    dueDate: "2026-03-19" as string | null,
    missingDocuments: [] as string[],
    amount: null as number | null,
    trackingNumber: null as string | null,
    ...over,
  });

  it("when it is the filing, a state the dossier has, older than one applied or after a final state, then nothing is written", () => {
    expect(decidePortalChange(facts(1), change({ fromState: null, toState: 1 }), false).outcome).toBe("unchanged");
    expect(decidePortalChange(facts(2), change(), false).outcome).toBe("unchanged");
    expect(decidePortalChange(facts(1), change(), true).outcome).toBe("stale");
    for (const final of [3, 7, 8, 10] as const) {
      expect(decidePortalChange(facts(final), change({ toState: 4 }), false).outcome).toBe("stale");
    }
  });

  it("when it is applied, then it writes the fields an action here would, with the portal's own due date", () => {
    const accepted = decidePortalChange(facts(1), change(), false);
    expect(accepted).toEqual({
      outcome: "applied",
      transition: {
        from: 1,
        to: 2,
        fields: {
          state: 2,
          dueDate: "2026-03-19",
          acceptedAt: "2026-03-12T01:00:00.000Z",
          completeReceivedAt: "2026-03-12T01:00:00.000Z",
        },
        step: { action: "accept", note: null, details: { portalEvent: "ev-1" } },
        notification: "dossier.accepted",
      },
    });
    const asked = decidePortalChange(
      facts(4),
      change({ fromState: 4, toState: 5, dueDate: null, missingDocuments: ["Tờ khai"] }),
      false,
    );
    expect(asked.outcome === "applied" && asked.transition.fields).toEqual({
      state: 5,
      resumeState: 4,
      missingDocuments: ["Tờ khai"],
    });
    const brought = decidePortalChange(facts(5), change({ fromState: 5, toState: 4, dueDate: null }), false);
    expect(brought.outcome === "applied" && [brought.transition.fields, brought.transition.step.action]).toEqual([
      { state: 4, resumeState: null, missingDocuments: [] },
      "supplement",
    ]);
    const delivered = decidePortalChange(
      facts(9),
      change({ fromState: 9, toState: 10, dueDate: null, trackingNumber: "EV1VN", amount: 20_000 }),
      false,
    );
    expect(delivered.outcome === "applied" && delivered.transition.fields).toEqual({
      state: 10,
      feesDue: 20_000,
      postalTracking: "EV1VN",
      deliveredAt: "2026-03-12T01:00:00.000Z",
    });
  });

  it("when it names no action of ours, then the step is named after where it leads", () => {
    const step = (toState: DossierState, fromState: DossierState = 2, action: string | null = null) =>
      portalStepOf({ action, fromState, toState });
    expect([2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => step(s as DossierState))).toEqual([
      "accept",
      "reject",
      "process",
      "request-supplement",
      "request-payment",
      "withdraw",
      "stop",
      "complete",
      "deliver",
    ]);
    expect(step(1)).toBe("portal-update");
    expect(step(4, 5)).toBe("supplement");
    expect(step(7, 5)).toBe("withdraw");
    expect(step(4, 6, "confirm-payment")).toBe("confirm-payment");
    expect(step(4, 6, "made-up")).toBe("process");
  });
});
