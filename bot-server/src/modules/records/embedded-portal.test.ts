import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { procedure } from "../../../test/fixtures";
import { openDatabase } from "../../db/database";
import { CalendarService } from "../calendar/calendar.service";
import { seedReceivingUnits } from "../dossiers/receiving-units";
import { EmbeddedPortal } from "./embedded-portal";
import type { DossierEvent, StepActor } from "./gateway";

const citizen: StepActor = { kind: "citizen", id: 1, name: "Nguyễn Văn An", role: "Công dân", unitCode: null };
const officer: StepActor = { kind: "official", id: 7, name: "Cán bộ", role: "Cán bộ xử lý", unitCode: "06652" };

async function portalAt(now: Date) {
  const db = await openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), "qn-portal-")));
  await seedReceivingUnits(db);
  const calendar = new CalendarService(db);
  await calendar.seedIfEmpty();
  let clock = now;
  const portal = new EmbeddedPortal(db, calendar, () => clock);
  return { db, portal, setNow: (d: Date) => (clock = d) };
}

function submitInput() {
  return {
    submission: {
      procedureCode: "1.004222",
      applicant: {
        type: "citizen" as const,
        name: "Nguyễn Văn An",
        identityNumber: "022090001234",
        address: { communeCode: "06652", street: "Tổ 1" },
      },
      resultDelivery: { method: "counter" as const },
      formData: {},
    },
    procedure: procedure("1.004222", "Đăng ký thường trú", { processingDays: 7 }),
    unitCode: "06652",
    channel: "online" as const,
    citizenId: 1,
    filedBy: null,
    attachments: [],
    actor: citizen,
  };
}

describe("the embedded portal", () => {
  it("when dossiers change, then subscribers hear each committed change once, in order", async () => {
    const { db, portal } = await portalAt(new Date("2026-03-02T02:00:00Z"));
    const heard: DossierEvent[] = [];
    const unsubscribe = portal.subscribe((e) => heard.push(e));
    const dossier = await portal.submit(submitInput());
    await portal.transition(dossier.code, "accept", officer, {});
    await expect(portal.transition(dossier.code, "deliver", officer, {})).rejects.toThrow("Được tiếp nhận");
    unsubscribe();
    await portal.transition(dossier.code, "process", officer, {});
    expect(heard.map((e) => [e.type, e.fromState, e.toState])).toEqual([
      ["dossier.submitted", null, 1],
      ["dossier.state-changed", 1, 2],
    ]);
    const stored = await db.selectFrom("dossier_events").select("id").execute();
    expect(stored).toHaveLength(3);
    await db.destroy();
  });

  it("when a dossier accepted before Tết needs 7 working days, then the due date skips the Tết days off (2026)", async () => {
    // Accepted Thursday 12/02/2026 (Hà Nội time); Tết days off 16–20/02/2026.
    const { db, portal } = await portalAt(new Date("2026-02-12T03:00:00Z"));
    const dossier = await portal.submit(submitInput());
    const accepted = await portal.transition(dossier.code, "accept", officer, {});
    // 13/02 (1), 23 (2), 24 (3), 25 (4), 26 (5), 27 (6), 02/03 (7).
    expect(accepted.dueDate).toBe("2026-03-02");
    await db.destroy();
  });

  it("when a supplement arrives days later, then the time restarts from the day the complete dossier arrived", async () => {
    const { db, portal, setNow } = await portalAt(new Date("2026-03-02T02:00:00Z")); // Monday
    const dossier = await portal.submit(submitInput());
    await portal.transition(dossier.code, "accept", officer, {});
    await portal.transition(dossier.code, "request-supplement", officer, { missingDocuments: ["Sổ hộ khẩu"] });
    setNow(new Date("2026-03-10T02:00:00Z")); // Tuesday of the next week
    const supplemented = await portal.supplement(dossier.code, citizen, []);
    expect(supplemented.state).toBe(4);
    expect(supplemented.dueDate).toBe("2026-03-19"); // 7 working days after 10/03
    await db.destroy();
  });
});
