import { describe, expect, it } from "vitest";
import { canTransition, DossierAction, OfficialActionRequest, officialActions, TRANSITIONS } from "./dossier";

describe("the dossier state machine", () => {
  it("when a dossier is new, then officials may accept, reject or ask for documents, and nothing else", () => {
    expect(officialActions(1).sort()).toEqual(["accept", "reject", "request-supplement"]);
  });

  it("when a dossier is in a final state, then no action at all is legal", () => {
    for (const state of [3, 7, 8, 10] as const) {
      expect(DossierAction.options.filter((a) => canTransition(a, state))).toEqual([]);
    }
  });

  it("when the result is ready, then the only step left is delivering it", () => {
    expect(DossierAction.options.filter((a) => canTransition(a, 9))).toEqual(["deliver"]);
    expect(TRANSITIONS.deliver.to).toBe(10);
  });

  it("when an official rejects or stops without a reason, or asks for documents without naming them, then it is refused", () => {
    expect(OfficialActionRequest.safeParse({ action: "reject" }).success).toBe(false);
    expect(OfficialActionRequest.safeParse({ action: "stop", note: "Quá hạn bổ sung" }).success).toBe(true);
    expect(OfficialActionRequest.safeParse({ action: "request-supplement", missingDocuments: [] }).success).toBe(false);
    expect(OfficialActionRequest.safeParse({ action: "withdraw" }).success).toBe(false);
  });
});
