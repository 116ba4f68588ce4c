import { describe, expect, it } from "vitest";
import { foldedEquals, foldText, foldTokens, stripDiacritics } from "./fold";

describe("Vietnamese text folding", () => {
  it("when a text has tone and vowel marks, then folding removes them and maps đ to d", () => {
    expect(foldText("Đăng ký khai sinh")).toBe("dang ki khai sinh");
    expect(foldText("GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT")).toBe("giay chung nhan quyen su dung dat");
    expect(stripDiacritics("Ủy ban nhân dân Hạ Long")).toBe("Uy ban nhan dan Ha Long");
  });

  it("when a text is in decomposed Unicode (as some keyboards send it), then it folds like the composed form", () => {
    const decomposed = "Đăng ký".normalize("NFD");
    expect(decomposed).not.toBe("Đăng ký");
    expect(foldText(decomposed)).toBe(foldText("Đăng ký"));
  });

  it("when the old i/y spelling or a wrong tone mark is used, then both spellings fold alike", () => {
    expect(foldedEquals("đăng kí", "đăng ký")).toBe(true);
    expect(foldedEquals("lí lịch", "lý lịch")).toBe(true);
    expect(foldedEquals("khai sính", "khai sinh")).toBe(true);
    // "y tế" is a word of its own, not the final "y" of a syllable.
    expect(foldText("Y tế")).toBe("y te");
  });

  it("when a text holds a procedure code, then the code stays one token and punctuation separates words", () => {
    expect(foldTokens("tra cứu 1.001193, giúp tôi!")).toEqual(["tra", "cuu", "1.001193", "giup", "toi"]);
    expect(foldTokens("Nhận cha, mẹ, con")).toEqual(["nhan", "cha", "me", "con"]);
    expect(foldTokens("   ")).toEqual([]);
  });
});
