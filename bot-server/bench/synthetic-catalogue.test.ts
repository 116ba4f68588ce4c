import { describe, expect, it } from "vitest";
import { validateCatalogue } from "../src/modules/procedures/catalogue-import";
import { loadStarterCatalogue } from "../src/modules/procedures/starter-catalogue";
import { generateCatalogue } from "./synthetic-catalogue";

describe("synthetic catalogues for benchmarks", () => {
  const base = validateCatalogue(loadStarterCatalogue().records);

  it("when 2,000 procedures are generated, then they are valid import input with unique codes that are not national", () => {
    const generated = generateCatalogue(base, 2_000);
    expect(validateCatalogue(generated)).toHaveLength(2_000);
    expect(generated.every((p) => /^[4-9]\./.test(p.code))).toBe(true);
  });

  it("when generated twice with the same seed, then the catalogues are identical; another seed differs", () => {
    expect(generateCatalogue(base, 300, 7)).toEqual(generateCatalogue(base, 300, 7));
    expect(generateCatalogue(base, 300, 8)).not.toEqual(generateCatalogue(base, 300, 7));
  });
});
