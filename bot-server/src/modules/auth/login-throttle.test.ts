import { describe, expect, it } from "vitest";
import { type Attempt, LoginThrottle } from "./login-throttle";

function throttle() {
  let now = 1_000_000;
  const t = new LoginThrottle({ perName: 3, perAddress: 5, maxWaitMs: 60_000, firstWaitMs: 1000 }, () => now);
  return { t, tick: (ms: number) => (now += ms) };
}

const failed = (a: Attempt) => {
  if (!a.admitted) throw new Error("refused");
  a.failed();
};

describe("sign-in throttling", () => {
  it("when a name fails from one address, then after the allowed failures it waits 1 s, then 2 s, 4 s… up to the longest", () => {
    const { t, tick } = throttle();
    for (let i = 0; i < 3; i++) failed(t.attempt("ip:a", "an"));
    expect(t.attempt("ip:a", "an")).toEqual({ admitted: false, retryAfterMs: 1000 });
    tick(1000);
    failed(t.attempt("ip:a", "an"));
    expect(t.attempt("ip:a", "an")).toMatchObject({ retryAfterMs: 2000 });
    // Another address trying the same name is not held back.
    expect(t.attempt("ip:b", "an").admitted).toBe(true);
  });

  it("when an address tries many names, then it waits once it reaches its own limit", () => {
    const { t } = throttle();
    for (let i = 0; i < 5; i++) failed(t.attempt("ip:a", `name-${i}`));
    expect(t.attempt("ip:a", "someone-else")).toMatchObject({ admitted: false });
  });

  it("when attempts arrive together, then each counts before its password is checked", () => {
    const { t } = throttle();
    const attempts = Array.from({ length: 6 }, () => t.attempt("ip:a", "an"));
    expect(attempts.filter((a) => a.admitted)).toHaveLength(3);
  });

  it("when the right password follows a typo, then the name starts again but the address keeps its count", () => {
    const { t } = throttle();
    failed(t.attempt("ip:a", "an"));
    failed(t.attempt("ip:a", "an"));
    const right = t.attempt("ip:a", "an");
    if (!right.admitted) throw new Error("refused");
    right.succeeded();
    failed(t.attempt("ip:a", "an"));
    failed(t.attempt("ip:a", "an"));
    expect(t.attempt("ip:a", "an").admitted).toBe(true);
    // 2 + 2 + 1 failures (the admitted attempt above) from this address: its limit of 5 is reached.
    expect(t.attempt("ip:a", "binh").admitted).toBe(false);
  });

  it("when the name differs only in case or spaces, then it is the same name", () => {
    const { t } = throttle();
    for (const name of ["An", " an", "AN "]) failed(t.attempt("ip:a", name));
    expect(t.attempt("ip:a", "an").admitted).toBe(false);
  });

  it("when a guesser tries every second for six hours, then after the ramp they get one try per longest wait", () => {
    const { t, tick } = throttle();
    let admitted = 0;
    for (let second = 0; second < 6 * 3600; second++) {
      const attempt = t.attempt("ip:a", "an");
      if (attempt.admitted) {
        admitted++;
        attempt.failed();
      }
      tick(1000);
    }
    // 3 free tries and the ramp (1 s … 32 s), then one per 60 s wait. Forgetting the key when its wait ended gave the
    // free tries and the ramp back every two minutes: about 1,600 tries here.
    expect(admitted).toBeLessThanOrEqual(6 * 60 + 15);
  });

  it("when failures stop, then they fade one per longest wait, so an office's scattered typos clear", () => {
    const { t, tick } = throttle();
    for (let i = 0; i < 3; i++) failed(t.attempt("ip:a", "an"));
    expect(t.attempt("ip:a", "an").admitted).toBe(false);
    tick(60_000 + 1000);
    // One failure has faded: below the threshold again, so this try is let in; a wrong one blocks again at once.
    failed(t.attempt("ip:a", "an"));
    expect(t.attempt("ip:a", "an").admitted).toBe(false);
    tick(4 * 61_000);
    expect(t.attempt("ip:a", "an").admitted).toBe(true);
  });
});
