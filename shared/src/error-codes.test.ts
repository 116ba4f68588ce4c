import { describe, expect, it } from "vitest";
import { CLIENT_ERROR_CODES, ERROR_CODES, isErrorCode } from "./error-codes";

describe("the error registry", () => {
  it("when a code is registered, then it is UPPER_SNAKE with an HTTP error status and a meaning", () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(entry.status >= 400 && entry.status <= 599, code).toBe(true);
      expect(entry.meaning.length, code).toBeGreaterThan(10);
    }
  });

  it("when the front-ends add their own codes, then none collides with one the server sends", () => {
    for (const code of Object.keys(CLIENT_ERROR_CODES)) expect(isErrorCode(code), code).toBe(false);
    expect(isErrorCode("ILLEGAL_TRANSITION")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
  });
});
