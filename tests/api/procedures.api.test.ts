import { ApiError, Procedure, ProcedureSearchResult } from "@qn/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function get(path: string) {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: (await res.json()) as unknown, headers: res.headers };
}

async function search(params: Record<string, string>) {
  const { status, body } = await get(`/api/procedures?${new URLSearchParams(params)}`);
  expect(status).toBe(200);
  return ProcedureSearchResult.parse(body);
}

describe("GET /healthz", () => {
  it("when the database is open and migrated, then it answers 200 ok", async () => {
    const { status, body } = await get("/healthz");
    expect(status).toBe(200);
    expect(body).toEqual({ status: "ok" });
  });
});

describe("GET /api/procedures", () => {
  it("when no words are given, then the whole starter catalogue is listed page by page", async () => {
    const page = await search({ limit: "100" });
    expect(page.total).toBeGreaterThanOrEqual(150);
    expect(page.items).toHaveLength(100);
    const next = await search({ limit: "100", offset: "100" });
    expect(new Set([...page.items, ...next.items].map((p) => p.code)).size).toBe(page.items.length + next.items.length);
  });

  it("when a citizen types without diacritics, then the procedure they mean comes first", async () => {
    expect((await search({ q: "dang ky khai sinh" })).items[0]?.name).toBe("Đăng ký khai sinh");
    expect((await search({ q: "dang ky thuong tru" })).items[0]?.code).toBe("1.004222");
  });

  it("when a bare national code is typed, then that procedure is first", async () => {
    const result = await search({ q: "1.004222" });
    expect(result.items[0]?.code).toBe("1.004222");
  });

  it("when filters are combined with words, then every result satisfies them", async () => {
    const result = await search({ q: "đăng ký", level: "commune", onlineLevel: "4", limit: "50" });
    expect(result.items.length).toBeGreaterThan(0);
    for (const item of result.items) {
      expect(item.level).toBe("commune");
      expect(item.onlineLevel).toBe(4);
    }
    const byField = await search({ field: "Hộ tịch", limit: "100" });
    expect(byField.total).toBeGreaterThan(5);
    expect(byField.items.every((p) => p.field === "Hộ tịch")).toBe(true);
  });

  it.each([
    ["limit", { limit: "0" }],
    ["limit", { limit: "abc" }],
    ["limit", { limit: "101" }],
    ["offset", { offset: "-1" }],
    ["level", { level: "huyen" }],
    ["onlineLevel", { onlineLevel: "5" }],
    ["q", { q: "x".repeat(201) }],
  ])("when %s is bad (%o), then 400 names the parameter in Vietnamese", async (name, params) => {
    const { status, body } = await get(`/api/procedures?${new URLSearchParams(params)}`);
    expect(status).toBe(400);
    const error = ApiError.parse(body).error;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.message).toContain(name);
    expect(error.details?.[0]?.path).toBe(name);
  });

  it("when a parameter is repeated, then 400 names it instead of guessing", async () => {
    const { status, body } = await get("/api/procedures?q=a&q=b");
    expect(status).toBe(400);
    expect(ApiError.parse(body).error.details?.[0]?.path).toBe("q");
  });
});

describe("GET /api/procedures/:code", () => {
  it("when the code exists, then the full record is returned", async () => {
    const { status, body } = await get("/api/procedures/1.004222");
    expect(status).toBe(200);
    const procedure = Procedure.parse(body);
    expect(procedure.name).toBe("Đăng ký thường trú");
    expect(procedure.documents.length).toBeGreaterThan(0);
  });

  it("when the code is unknown, then 404 with a Vietnamese message", async () => {
    const { status, body } = await get("/api/procedures/9.999999");
    expect(status).toBe(404);
    const error = ApiError.parse(body).error;
    expect(error.code).toBe("PROCEDURE_NOT_FOUND");
    expect(error.message).toContain("Không tìm thấy thủ tục");
  });

  it("when the code is malformed, then 400 names the code", async () => {
    const { status, body } = await get("/api/procedures/abc");
    expect(status).toBe(400);
    expect(ApiError.parse(body).error.details?.[0]?.path).toBe("code");
  });
});

describe("errors and limits", () => {
  it("when a route does not exist, then the answer has the common error shape", async () => {
    const { status, body } = await get("/api/khong-co");
    expect(status).toBe(404);
    expect(ApiError.parse(body).error.code).toBe("ROUTE_NOT_FOUND");
  });

  it("when a client sends too many requests, then 429 in Vietnamese and other endpoints keep working", async () => {
    // A database of its own: the limits are counted in the database (issue 16), so this server's address would carry
    // the other tests' requests on theirs.
    const limited = await startTestServer({ rateLimitPerMinute: 3, seedStarterCatalogue: false });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${limited.url}/api/procedures?q=khai+sinh`)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const res = await fetch(`${limited.url}/api/procedures`);
      expect(ApiError.parse(await res.json()).error.message).toContain("quá nhiều yêu cầu");
      expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("GET /api/units and /api/fields", () => {
  it("when units are listed, then the province and its 54 current communes come back", async () => {
    const { status, body } = await get("/api/units");
    expect(status).toBe(200);
    const items = (body as { items: { type: string }[] }).items;
    expect(items.filter((u) => ["phuong", "xa", "dac-khu"].includes(u.type))).toHaveLength(54);
    expect(items.some((u) => u.type === "district")).toBe(false);
    const all = (await get("/api/units?scope=all")).body as { items: unknown[] };
    expect(all.items).toHaveLength(68);
    expect((await get("/api/units?scope=x")).status).toBe(400);
  });

  it("when fields are listed, then each has its number of procedures", async () => {
    const { body } = await get("/api/fields");
    const items = (body as { items: { name: string; count: number }[] }).items;
    const total = items.reduce((s, f) => s + f.count, 0);
    expect(total).toBe((await search({ limit: "1" })).total);
  });
});
