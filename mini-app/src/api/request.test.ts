import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClientError, request } from "./request";

const unreadable = (status: number) => ({ message: `lỗi ${status}`, code: "BAD_RESPONSE" as const });

function answer(status: number, body: string, type = "text/html") {
  vi.stubGlobal("fetch", async () => new Response(body, { status, headers: { "content-type": type } }));
}

async function failure(): Promise<ApiClientError> {
  try {
    await request("http://api.example/api/dossiers", { unreadable });
  } catch (error) {
    if (error instanceof ApiClientError) return error;
    throw error;
  }
  throw new Error("no failure");
}

describe("an answer that is not the API's error", () => {
  afterEach(() => vi.unstubAllGlobals());

  it.each([
    [413, "quá lớn"],
    [429, "quá nhiều yêu cầu"],
    [502, "đang bận"],
    [503, "đang bận"],
    [504, "Hồ sơ của tôi"],
  ])("when a proxy answers %i with its own page, then the message says what to do", async (status, words) => {
    answer(status, "<html><body>nginx</body></html>");
    const error = await failure();
    expect([error.status, error.code]).toEqual([status, "HTTP_ERROR"]);
    expect(error.message).toContain(words);
  });

  it("when another status comes without the API's error, then the client's own words are used", async () => {
    answer(500, "<html>oops</html>");
    expect((await failure()).message).toBe("lỗi 500");
  });

  it("when the server's own error comes, then its message is kept, whatever the status", async () => {
    answer(429, JSON.stringify({ error: { code: "RATE_LIMITED", message: "Chờ một phút." } }), "application/json");
    const error = await failure();
    expect([error.code, error.message]).toEqual(["RATE_LIMITED", "Chờ một phút."]);
  });
});
