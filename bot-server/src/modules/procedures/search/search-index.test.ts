import { describe, expect, it } from "vitest";
import { FIXTURE_CATALOGUE, procedure } from "../../../../test/fixtures";
import { ProcedureSearchIndex } from "./search-index";

const index = ProcedureSearchIndex.build(FIXTURE_CATALOGUE);
const top = (q: string, extra: Partial<Parameters<typeof index.search>[0]> = {}) =>
  index.search({ q, limit: 10, offset: 0, ...extra }).hits.map((h) => h.item.code);

describe("procedure search", () => {
  it("when the query is typed with or without diacritics, then the same procedure comes first", () => {
    expect(top("Đăng ký khai sinh")[0]).toBe("1.001193");
    expect(top("dang ky khai sinh")[0]).toBe("1.001193");
    expect(top("DANG KI KHAI SINH")[0]).toBe("1.001193");
    expect(top("đăng kí thường trú")[0]).toBe("1.004222");
  });

  it("when near-duplicates exist, then the variant wins only when the query asks for it", () => {
    const plain = top("đăng ký khai sinh");
    expect(plain[0]).toBe("1.001193");
    expect(plain).toContain("1.004884");
    expect(top("đăng ký lại khai sinh")[0]).toBe("1.004884");
    expect(top("khai sinh có yếu tố nước ngoài")[0]).toBe("2.000528");
    expect(top("khai sinh cho con người nước ngoài")[0]).toBe("2.000528");
    expect(top("khai sinh kết hợp nhận cha con")[0]).toBe("1.003583");
  });

  it("when the query has typos, telex left unconverted or joined words, then it still finds the procedure", () => {
    expect(top("dang ky khai sinhh")[0]).toBe("1.001193");
    expect(top("dang ky ket hom")[0]).toBe("1.000894");
    expect(top("ddawng kys khai tuwr")[0]).toBe("1.000656");
    expect(top("khaisinh")[0]).toBe("1.001193");
    expect(top("khai xinh")[0]).toBe("1.001193");
    expect(top("xac nhan tinh trang hon nhan")[0]).toBe("1.004873");
  });

  it("when citizens use everyday words, then the lexicon maps them to the catalogue's wording", () => {
    expect(top("nhập hộ khẩu cho con")[0]).toBe("1.004222");
    expect(top("bằng lái xe")[0]).toBe("3.000346");
    expect(top("công chứng giấy tờ")[0]).toBe("2.000815");
    expect(top("báo tử")[0]).toBe("1.000656");
    expect(top("làm sổ đỏ lần đầu")[0]).toBe("1.012345");
    expect(top("giấy độc thân")[0]).toBe("1.004873");
  });

  it("when a question wraps the subject, then question words do not decide the ranking", () => {
    expect(top("làm giấy khai sinh cần những gì ạ")[0]).toBe("1.001193");
    expect(top("cho hỏi đăng ký kết hôn mất bao lâu")[0]).toBe("1.000894");
  });

  it("when a national code is typed, alone, in a sentence or with the provincial suffix, then that procedure is first", () => {
    expect(top("1.004873")).toEqual(["1.004873"]);
    expect(top("thủ tục 1.000656 là gì")[0]).toBe("1.000656");
    expect(top("1.001193.000.00.00.H49")[0]).toBe("1.001193");
    expect(top("1.0048").sort()).toEqual(["1.004873", "1.004884"]);
  });

  it("when nothing in the catalogue is related, then there are no results rather than noise", () => {
    const result = index.search({ q: "máy bay trực thăng", limit: 10, offset: 0 });
    expect(result.total).toBe(0);
    expect(result.hits).toEqual([]);
  });

  it("when filters are given, then only matching procedures are returned, with or without words", () => {
    expect(top("khai sinh", { level: "province" })).toEqual(["2.000528"]);
    expect(top("", { field: "dat dai" })).toEqual(["1.012345"]);
    expect(top("", { onlineLevel: 3 }).sort()).toEqual(["1.012345", "3.000346"]);
    const all = index.search({ limit: 100, offset: 0 });
    expect(all.total).toBe(FIXTURE_CATALOGUE.length);
  });

  it("when paging, then total counts every match and pages do not overlap", () => {
    const first = index.search({ q: "đăng ký", limit: 2, offset: 0 });
    const second = index.search({ q: "đăng ký", limit: 2, offset: 2 });
    expect(first.total).toBeGreaterThan(4);
    expect(second.total).toBe(first.total);
    const codes = [...first.hits, ...second.hits].map((h) => h.item.code);
    expect(new Set(codes).size).toBe(4);
  });

  it("when the index is rebuilt with a new procedure, then it is searchable", () => {
    const bigger = ProcedureSearchIndex.build([
      ...FIXTURE_CATALOGUE,
      procedure("2.002481", "Chuyển trường đối với học sinh trung học cơ sở"),
    ]);
    expect(bigger.search({ q: "chuyen truong", limit: 5, offset: 0 }).hits[0]?.item.code).toBe("2.002481");
  });
});
