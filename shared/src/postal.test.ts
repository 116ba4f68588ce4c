import { describe, expect, it } from "vitest";
import {
  decidePostalStatus,
  type PostalStatus,
  type PostStatus,
  pickupDateProblem,
  pickupDates,
  quotePostal,
} from "./postal";

const t = (minute: number) => `2026-12-04T08:${String(minute).padStart(2, "0")}:00.000Z`;
const at = (status: PostalStatus, minute: number | null) => ({ status, at: minute === null ? null : t(minute) });
const report = (status: PostStatus, minute: number) => ({ status, at: t(minute) });

describe("the one rule of a postal order's statuses", () => {
  it("when the post moves an order forward in time, then each step applies", () => {
    expect(decidePostalStatus(at("waiting", null), report("created", 1))).toBe("apply");
    expect(decidePostalStatus(at("created", 1), report("picked-up", 2))).toBe("apply");
    expect(decidePostalStatus(at("picked-up", 2), report("in-transit", 3))).toBe("apply");
    expect(decidePostalStatus(at("in-transit", 3), report("delivered", 4))).toBe("apply");
    // A step skipped (the post reports only some) is fine.
    expect(decidePostalStatus(at("created", 1), report("delivered", 5))).toBe("apply");
  });

  it("when a report is older than the status applied, then it is stale, whatever it says", () => {
    expect(decidePostalStatus(at("in-transit", 10), report("picked-up", 9))).toBe("stale");
    expect(decidePostalStatus(at("in-transit", 10), report("delivered", 9))).toBe("stale");
  });

  it("when a report has the same time, then only a later step applies", () => {
    expect(decidePostalStatus(at("picked-up", 5), report("in-transit", 5))).toBe("apply");
    expect(decidePostalStatus(at("in-transit", 5), report("picked-up", 5))).toBe("stale");
  });

  it("when an order is over, then nothing changes it, even a newer report", () => {
    for (const final of ["delivered", "returned", "cancelled"] as const) {
      expect(decidePostalStatus(at(final, 5), report("in-transit", 30))).toBe("stale");
      expect(decidePostalStatus(at(final, 5), report("failed", 30))).toBe("stale");
    }
  });

  it("when a delivery failed and the post tries again, then in transit applies after the failure, not a pick-up", () => {
    expect(decidePostalStatus(at("failed", 5), report("in-transit", 6))).toBe("apply");
    // A pick-up the post could not make: it comes back another day.
    expect(decidePostalStatus(at("failed", 5), report("picked-up", 6))).toBe("apply");
    expect(decidePostalStatus(at("failed", 5), report("created", 6))).toBe("stale");
    expect(decidePostalStatus(at("failed", 5), report("delivered", 7))).toBe("apply");
    expect(decidePostalStatus(at("failed", 5), report("returned", 7))).toBe("apply");
  });

  it("when the same status is reported again, then it is the same, not a change — except a later second failure", () => {
    expect(decidePostalStatus(at("in-transit", 5), report("in-transit", 9))).toBe("same");
    expect(decidePostalStatus(at("delivered", 5), report("delivered", 9))).toBe("same");
    expect(decidePostalStatus(at("failed", 5), report("failed", 5))).toBe("same");
    expect(decidePostalStatus(at("failed", 5), report("failed", 9))).toBe("apply");
    expect(decidePostalStatus(at("failed", 5), report("failed", 4))).toBe("same");
  });

  it("when the second failure arrives before the second round's 'in transit', then the failure holds and the late one is stale", () => {
    // Failed at 5, the citizen asked for another try; the post reports failed at 9 before in transit at 7.
    expect(decidePostalStatus(at("failed", 5), report("failed", 9))).toBe("apply");
    expect(decidePostalStatus(at("failed", 9), report("in-transit", 7))).toBe("stale");
  });
});

describe("pick-up days", () => {
  // A week in December 2026: Friday the 4th; Sunday the 6th is off; the 7th is a holiday here, for the test.
  const calendar = { isWorkingDay: (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay() !== 0 && d !== "2026-12-07" };
  it("when a day is asked, then it must be a working day from tomorrow within 30 days", () => {
    expect(pickupDateProblem("2026-12-04", "2026-12-04", calendar)).toContain("từ ngày mai");
    expect(pickupDateProblem("2026-12-05", "2026-12-04", calendar)).toBeNull();
    expect(pickupDateProblem("2026-12-06", "2026-12-04", calendar)).toContain("ngày làm việc");
    expect(pickupDateProblem("2026-12-07", "2026-12-04", calendar)).toContain("ngày làm việc");
    expect(pickupDateProblem("2027-01-04", "2026-12-04", calendar)).toContain("30 ngày");
    expect(pickupDateProblem("04/12/2026", "2026-12-04", calendar)).toContain("không hợp lệ");
  });
  it("when the days are offered, then they are the next working days", () => {
    expect(pickupDates("2026-12-04", calendar, 3)).toEqual(["2026-12-05", "2026-12-08", "2026-12-09"]);
  });
});

it("the charges a citizen sees: pick-up paid to the postman; delivery and the COD fee collected on delivery", () => {
  expect(quotePostal({ pickup: 20_000, delivery: 22_000, cod: 3_000 })).toEqual({
    pickup: 20_000,
    delivery: { charge: 22_000, codFee: 3_000, cod: 25_000 },
  });
});
