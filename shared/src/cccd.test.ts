import { describe, expect, it } from "vitest";
import { parseCccdQr } from "./cccd";

// A fixed "today" so that future dates and ages do not depend on when the tests run.
const TODAY = new Date(2026, 0, 15);

const ADDRESS = "Số 12, đường Trần Hưng Đạo, Phường Hạ Long, Tỉnh Quảng Ninh";
const QR = `022095001234|100123456|Nguyễn Văn An|15031995|Nam|${ADDRESS}|20042021`;

/** A card QR with the given fields changed (0-based positions), the others taken from `QR`. */
function qrWith(changes: Record<number, string>): string {
  return QR.split("|")
    .map((field, i) => changes[i] ?? field)
    .join("|");
}

/** The card of a scan that must succeed. */
function cardOf(text: string, today: Date = TODAY) {
  const result = parseCccdQr(text, today);
  if (!result.ok) throw new Error(`expected a card, got ${result.problem}`);
  return result.card;
}

describe("reading the QR code of a căn cước card", () => {
  it("when a real-looking card is scanned, then every field is read, dates in ISO, commune located", () => {
    expect(parseCccdQr(QR, TODAY)).toEqual({
      ok: true,
      card: {
        identityNumber: "022095001234",
        oldIdNumber: "100123456",
        name: "Nguyễn Văn An",
        birthDate: "1995-03-15",
        sex: "male",
        address: ADDRESS,
        issueDate: "2021-04-20",
        communeCode: "06688",
        street: "Số 12, đường Trần Hưng Đạo",
      },
    });
  });

  it("when the card has no old id number, then the old id is simply absent", () => {
    const card = cardOf(qrWith({ 1: "" }));
    expect(card).not.toHaveProperty("oldIdNumber");
    expect(card.name).toBe("Nguyễn Văn An");
  });

  it("when the scanner hands over decomposed Vietnamese with CRLF and spaces, then the card reads as typed text", () => {
    const card = cardOf(`  ${QR.normalize("NFD")}\r\n`);
    expect(card.name).toBe("Nguyễn Văn An");
    expect(card.name).toBe("Nguyễn Văn An".normalize("NFC"));
    expect(card.address).toBe(ADDRESS);
    expect(card.issueDate).toBe("2021-04-20");
    expect(card.communeCode).toBe("06688");
  });

  it("when the name is upper case and the sex reads NỮ, then the name is kept as printed and the citizen is a woman", () => {
    const card = cardOf(qrWith({ 0: "022195001234", 2: "  TRẦN   THỊ BÌNH ", 4: "NỮ" }));
    expect(card.name).toBe("TRẦN THỊ BÌNH");
    expect(card.sex).toBe("female");
    expect(cardOf(qrWith({ 0: "022195001234", 4: "nu" })).sex).toBe("female");
    expect(cardOf(qrWith({ 4: "NAM" })).sex).toBe("male");
  });

  it("when the QR has extra trailing fields or a trailing bar, then they are ignored", () => {
    expect(cardOf(`${QR}|`).issueDate).toBe("2021-04-20");
    expect(cardOf(`${QR}|X|123456|`).issueDate).toBe("2021-04-20");
    expect(cardOf(QR.slice(0, QR.lastIndexOf("|"))).issueDate).toBeUndefined(); // no issue date at all
  });

  it("when the QR is not a căn cước code, then the citizen is told to scan the card or type", () => {
    const notCards = [
      "https://zalo.me/s/1234567890",
      "00020101021238570010A00000072701270006970436011300110123456780208QRIBFTTA53037045802VN63041D3F", // VietQR
      "022095001234|Nguyễn Văn An|15031995", // too few fields
      "12345678901|100123456|Nguyễn Văn An|15031995|Nam|Hà Nội|20042021", // 11 digits
      "",
    ];
    for (const text of notCards) {
      expect(parseCccdQr(text, TODAY)).toEqual({
        ok: false,
        problem: "not-cccd",
        message:
          "Mã QR này không phải mã trên thẻ căn cước. Hãy quét mã QR ở mặt trước thẻ căn cước gắn chip, hoặc nhập tay.",
      });
    }
  });

  it("when the identity number has no real province code, then the scan is refused as a bad number", () => {
    const result = parseCccdQr(qrWith({ 0: "003095001234" }), TODAY);
    expect(result).toMatchObject({ ok: false, problem: "identity-number" });
    expect(!result.ok && result.message).toContain("Số định danh cá nhân");
  });

  it("when the birth date is impossible, in the future or too old, then the scan is refused as a bad birth date", () => {
    const problemOf = (changes: Record<number, string>) => {
      const result = parseCccdQr(qrWith(changes), TODAY);
      return result.ok ? "ok" : result.problem;
    };
    expect(problemOf({ 0: "022200001234", 3: "31022000" })).toBe("birth-date"); // 31 February
    expect(problemOf({ 0: "022226001234", 3: "20012026" })).toBe("birth-date"); // five days after TODAY
    expect(problemOf({ 3: "01011890" })).toBe("birth-date"); // 136 years old
    expect(problemOf({ 3: "1995-03-15" })).toBe("birth-date");
    expect(problemOf({ 0: "022226001234", 3: "15012026" })).toBe("ok"); // born today
    expect(problemOf({ 0: "022200001234", 3: "29022000" })).toBe("ok"); // a real leap day
  });

  it("when the name is missing, then the scan is refused", () => {
    expect(parseCccdQr(qrWith({ 2: "  " }), TODAY)).toMatchObject({ ok: false, problem: "name" });
  });

  it("when the issue date is unreadable or impossible, then it is dropped and the card is still read", () => {
    expect(cardOf(qrWith({ 6: "31022021" }))).not.toHaveProperty("issueDate");
    expect(cardOf(qrWith({ 6: "01012030" }))).not.toHaveProperty("issueDate"); // after TODAY
    expect(cardOf(qrWith({ 6: "abc" }))).not.toHaveProperty("issueDate");
  });

  it("when the address names a current Quảng Ninh commune, then its code and the street before it are found", () => {
    const locate = (address: string) => {
      const { communeCode, street } = cardOf(qrWith({ 5: address }));
      return { communeCode, street };
    };
    // Card issued before July 2025: the former city sits between the ward and the province.
    expect(locate("Tổ 3, Khu 5, Phường Hồng Gai, Thành phố Hạ Long, Tỉnh Quảng Ninh")).toEqual({
      communeCode: "06685",
      street: "Tổ 3, Khu 5",
    });
    expect(locate("thôn 2, xã hải sơn, quảng ninh")).toEqual({ communeCode: "06724", street: "thôn 2" });
    expect(locate("Thon Dong Tien, Dac khu Co To, Tinh Quang Ninh")).toEqual({
      communeCode: "07192",
      street: "Thon Dong Tien",
    });
    expect(locate("Phường Bãi Cháy, Tỉnh Quảng Ninh")).toEqual({ communeCode: "06673", street: undefined });
  });

  it("when the address is outside Quảng Ninh or names no current commune, then there is no commune code", () => {
    for (const address of [
      "Số 5 phố Huế, Phường Hai Bà Trưng, Thành phố Hà Nội",
      "Thôn 1, Xã Thống Nhất, Huyện Thường Tín, Thành phố Hà Nội", // same name as a Quảng Ninh commune
      "Tổ 1, Phường Hà Khánh, Thành phố Hạ Long, Tỉnh Quảng Ninh", // not a commune since 1 July 2025
    ]) {
      const card = cardOf(qrWith({ 5: address }));
      expect(card.address).toBe(address);
      expect(card).not.toHaveProperty("communeCode");
      expect(card).not.toHaveProperty("street");
    }
  });
});
