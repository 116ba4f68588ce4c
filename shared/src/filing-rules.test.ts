import { describe, expect, it } from "vitest";
import { acceptsOnlineFiling, filingBreach, resultMethods } from "./filing-rules";

const at = (onlineLevel: number, postal: boolean) => ({ name: "Thủ tục thử", onlineLevel, postal });

describe("the filing rules", () => {
  it.each([
    // level, postal, channel, result → the rule broken (null: may be filed)
    [2, false, "online", "counter", "not-online"],
    [2, false, "counter", "counter", null],
    [2, true, "counter", "post", null],
    [3, false, "online", "counter", null],
    [3, false, "online", "post", "no-post-result"],
    [3, true, "online", "post", null],
    [3, true, "online", "online", "no-online-result"],
    [3, true, "postal", "online", "no-online-result"],
    [4, false, "online", "online", null],
    [4, false, "online", "post", "no-post-result"],
    [4, true, "counter", "online", null],
  ] as const)("level %i, postal %s, filed %s, result %s → %s", (level, postal, channel, resultMethod, rule) => {
    expect(filingBreach(at(level, postal), { channel, resultMethod })?.rule ?? null).toBe(rule);
  });

  it("when a rule is broken, then the citizen reads why, in Vietnamese, about the field concerned", () => {
    const breach = filingBreach(at(2, false), { channel: "online", resultMethod: "counter" });
    expect(breach).toEqual({
      rule: "not-online",
      path: "channel",
      message: 'Thủ tục "Thủ tục thử" chưa nhận hồ sơ trực tuyến. Vui lòng nộp trực tiếp tại bộ phận một cửa.',
    });
  });

  it("when the wizard asks what to offer, then it gets exactly the methods the filing accepts", () => {
    expect(resultMethods(at(2, false))).toEqual(["counter"]);
    expect(resultMethods(at(3, true))).toEqual(["counter", "post"]);
    expect(resultMethods(at(4, true))).toEqual(["counter", "post", "online"]);
    expect(resultMethods(at(4, false))).toEqual(["counter", "online"]);
    expect([2, 3, 4].map((l) => acceptsOnlineFiling(at(l, true)))).toEqual([false, true, true]);
    for (const level of [2, 3, 4]) {
      for (const postal of [false, true]) {
        for (const m of ["counter", "post", "online"] as const) {
          const offered = resultMethods(at(level, postal)).includes(m);
          expect(filingBreach(at(level, postal), { channel: "counter", resultMethod: m }) === null).toBe(offered);
        }
      }
    }
  });
});
