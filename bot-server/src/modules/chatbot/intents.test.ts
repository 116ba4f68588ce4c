import { describe, expect, it } from "vitest";
import { classify } from "./intents";

describe("what a citizen's message asks for", () => {
  it.each([
    ["tra cứu 06652.H49-261120-0001", "06652.H49-261120-0001"],
    ["Tra cuu ho so 000.00.20.H49-251120-0001 giup em", "000.00.20.H49-251120-0001"],
    ["06652.h49-261120-0012", "06652.H49-261120-0012"],
  ])("when the message holds a dossier code (%s), then it is a status request", (text, code) => {
    expect(classify(text)).toEqual({ kind: "dossier", code });
  });

  it.each(["gặp cán bộ", "gap can bo", "gặp cán bọ", "gap cna bo", "cho em gặp cán bộ với ạ", "ddawng kys gaqp"])(
    "when a citizen writes %s, then it is a hand-off (except the last, which is not)",
    (text) => {
      const intent = classify(text);
      if (text === "ddawng kys gaqp") expect(intent.kind).not.toBe("handoff");
      else expect(intent.kind).toBe("handoff");
    },
  );

  it.each([
    ["đăng ký nhận tin lịch nghỉ lễ", "subscribe", ["lich-lam-viec"], []],
    ["dang ky nhan tin phuong Ha Tu", "subscribe", [], ["06652"]],
    ["nhận thông báo", "subscribe", [], []],
    ["hủy nhận tin thiên tai", "unsubscribe", ["canh-bao-thien-tai"], []],
    ["huy nhan tin", "unsubscribe", [], []],
  ])("when %s, then %s with topics %o and communes %o", (text, kind, topics, communes) => {
    expect(classify(text)).toMatchObject({ kind, topics, communes });
  });

  it.each([
    ["hướng dẫn", "howto"],
    ["huong dan", "howto"],
    ["nộp hồ sơ", "howto"],
    ["lệ phí", "fees"],
    ["le phi a", "fees"],
    ["địa chỉ", "address"],
    ["dia chi", "address"],
  ])("when the message is only %s, then short guidance on %s", (text, topic) => {
    expect(classify(text)).toEqual({ kind: "guide", topic });
  });

  it("when a keyword sits inside a real question, then the question goes to the procedure search", () => {
    expect(classify("lệ phí làm căn cước bao nhiêu")).toEqual({
      kind: "question",
      text: "lệ phí làm căn cước bao nhiêu",
    });
    expect(classify("làm giấy khai sinh cần gì").kind).toBe("question");
    expect(classify("Xin chào").kind).toBe("greeting");
    expect(classify("tra cứu hồ sơ").kind).toBe("lookup-help");
  });
});
