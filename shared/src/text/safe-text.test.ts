import { describe, expect, it } from "vitest";
import { cleaned, findHiddenCharacter, line, paragraph, removeHiddenCharacters } from "./safe-text";

const FAMILY = "👨‍👩‍👧";

describe("line() and paragraph()", () => {
  it("when a name comes in NFD, then it is kept in NFC", () => {
    const nfd = "Nguyễn Thị Ánh Tuyết".normalize("NFD");
    const parsed = line().parse(nfd);
    expect(parsed).toBe("Nguyễn Thị Ánh Tuyết".normalize("NFC"));
    expect(parsed.length).toBeLessThan(nfd.length);
  });

  it("when a string chains trim and max after it, then those run on the NFC text", () => {
    const schema = line().trim().max(6);
    expect(schema.parse("  Nguyễn  ".normalize("NFD"))).toBe("Nguyễn");
    expect(schema.safeParse("Nguyễn".normalize("NFD")).success).toBe(true); // 6 in NFC, 8 in NFD
  });

  it.each([
    ["U+202E", "\u202Enoitartsinimda"],
    ["U+2066", "a\u2066b"],
    ["U+200D", "a\u200Db"],
    ["U+0000", "abc\u0000"],
    ["U+001B", "\u001B[31m"],
    ["U+0085", "a\u0085b"],
    ["U+2028", "a\u2028b"],
    ["U+D800", "a\uD800b"],
    ["U+E000", "a\uE000b"],
    ["U+FFFE", "a\uFFFEb"],
    ["U+3164", "\u3164"],
    ["U+2800", "An\u2800"],
    ["U+034F", "A\u034Fn"],
    ["U+0301", "a\u0301\u0301\u0301\u0301\u0301"],
  ])("when text holds %s, then both refuse it and name the character", (code, value) => {
    for (const schema of [line(), paragraph()]) {
      const result = schema.safeParse(value);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toContain(code);
    }
  });

  it("when text holds line breaks or tabs, then a line refuses them and a paragraph keeps them (CR LF as LF)", () => {
    expect(line().safeParse("a\nb").success).toBe(false);
    expect(line().safeParse("a\tb").success).toBe(false);
    expect(paragraph().parse("Dòng một\r\nDòng hai\rba\tbốn")).toBe("Dòng một\nDòng hai\nba\tbốn");
  });

  it("when a comment holds an emoji sequence, a variation selector or a skin tone, then it is accepted", () => {
    expect(line().parse(`Cảm ơn ${FAMILY} ❤️ 👍🏽`)).toBe(`Cảm ơn ${FAMILY} ❤️ 👍🏽`);
    expect(findHiddenCharacter("👍🏽\u200D❤️")).toBeNull();
  });
});

describe("what pasting brings along", () => {
  it("when text holds a zero-width space, a byte-order mark, a soft hyphen or a word joiner, then they are removed, not refused", () => {
    expect(line().parse("\uFEFFNguyễn\u200B Văn\u00AD An\u2060")).toBe("Nguyễn Văn An");
    expect(paragraph().parse("Dòng\u200B một")).toBe("Dòng một");
  });
});

describe("cleaned(): what must not be refused", () => {
  it("when text holds hidden characters, then they are removed and the rest is kept in NFC", () => {
    expect(cleaned().parse("\u202EĐăng\u2066 ký".normalize("NFD"))).toBe("Đăng ký");
    expect(removeHiddenCharacters(`a\u200Db ${FAMILY}`)).toBe(`ab ${FAMILY}`);
  });

  it("when a line holds breaks, then they become one space; a paragraph keeps them", () => {
    expect(removeHiddenCharacters("Tổ 3\r\nkhu 4")).toBe("Tổ 3 khu 4");
    expect(removeHiddenCharacters("Tổ 3\r\nkhu 4", { multiline: true })).toBe("Tổ 3\nkhu 4");
  });
});
