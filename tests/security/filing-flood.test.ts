import { vietnamDate } from "@qn/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, official, procedure, requiredFiles, submission } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * Issue 13, finding 3: one citizen filed 594 dossiers in 4.4 s, and a flood of 9,999 exhausted a commune's daily
 * counter, so that every other citizen got DAILY_LIMIT. Quotas per citizen, a code that cannot run out, and officials
 * who mark spam so that it neither clutters the queue nor counts in the indicators.
 */
describe("a flood of filings", () => {
  let server: TestServer;
  let documents: ReturnType<typeof requiredFiles>;
  beforeAll(async () => {
    // The defaults: at most 3 open dossiers of one procedure and 10 filings an hour per citizen.
    server = await startTestServer();
    documents = requiredFiles(await procedure(server, "1.001193"), png);
  });
  afterAll(() => server.close());

  const fileBirth = (token: string) => file(server, token, submission(), documents);
  const withdraw = (token: string, code: string) =>
    call(server, "POST", `/api/dossiers/${code}/withdraw`, { token, json: { reason: "Nộp nhầm" } });
  const storedOf = async (token: string) => (await call(server, "GET", "/api/dossiers", { token })).body.total;

  it("when a citizen already has 3 open dossiers of a procedure, then a 4th is refused (409) and not stored", async () => {
    const token = await citizen(server, "flood-open", "Nguyễn Văn Lũ");
    for (let i = 0; i < 3; i++) expect((await fileBirth(token)).status).toBe(201);
    const fourth = await fileBirth(token);
    expect(fourth.status).toBe(409);
    expect(fourth.body.error.code).toBe("TOO_MANY_OPEN_DOSSIERS");
    expect(fourth.body.error.message).toContain("Đăng ký khai sinh");
    expect(await storedOf(token)).toBe(3);
    // Another procedure is another quota.
    const record = await procedure(server, "3.000333");
    const other = await file(
      server,
      token,
      submission({ procedureCode: "3.000333", resultDelivery: { method: "online" } }),
      requiredFiles(record, png),
    );
    expect(other.status).toBe(201);
  });

  it("when a citizen has filed 10 dossiers within the hour, then the 11th is refused (429), withdrawn ones included", async () => {
    const token = await citizen(server, "flood-hour", "Trần Văn Nhanh");
    for (let i = 0; i < 10; i++) {
      const res = await fileBirth(token);
      expect(res.status).toBe(201);
      // Withdrawn at once: the open quota never binds, only the hourly one.
      expect((await withdraw(token, res.body.code)).status).toBe(200);
    }
    const eleventh = await fileBirth(token);
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.error.code).toBe("FILING_RATE_LIMITED");
    expect(eleventh.body.error.message).toMatch(/thử lại/);
    expect(await storedOf(token)).toBe(10);
    // The quota is the citizen's own: someone else files as usual.
    expect((await fileBirth(await citizen(server, "flood-neighbour", "Lê Thị Bên"))).status).toBe(201);
  });

  it("when a flood has used every 4-digit number of a unit's day, then another citizen's filing is still received", async () => {
    const day = vietnamDate(new Date()).replace(/-/g, "").slice(2);
    const at = new Date().toISOString();
    // The state the finding left: 10,000 dossiers of the commune today, numbered 0000–9999, and its counter at the end.
    const row = (i: number) => ({
      code: `06652.H49-${day}-${String(i).padStart(4, "0")}`,
      state: 1,
      resume_state: null,
      procedure_code: "1.001193",
      procedure_snapshot: JSON.stringify({ name: "Đăng ký khai sinh" }),
      unit_code: "06652",
      channel: "online",
      citizen_id: null,
      applicant: "{}",
      applicant_name: "Kẻ Phá Rối",
      result_delivery: JSON.stringify({ method: "counter" }),
      form_data: "{}",
      filed_by_official_id: null,
      on_behalf_consent: null,
      submitted_at: at,
      accepted_at: null,
      complete_received_at: null,
      due_date: null,
      fees_due: 0,
      postal_tracking: null,
      rating_score: null,
      rating_comment: null,
      updated_at: at,
      online_level: 4,
      result_method: "counter",
      delivered_at: null,
    });
    for (let from = 0; from < 10_000; from += 500) {
      await server.deps.db
        .insertInto("dossiers")
        .values(Array.from({ length: 500 }, (_, k) => row(from + k)))
        .onConflict((oc) => oc.column("code").doNothing())
        .execute();
    }
    await server.deps.db
      .insertInto("dossier_counters")
      .values({ agency_code: "06652.H49", day, last: 9999 })
      .onConflict((oc) => oc.columns(["agency_code", "day"]).doUpdateSet({ last: 9999 }))
      .execute();
    const res = await fileBirth(await citizen(server, "flood-victim", "Phạm Thị Nạn"));
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(new RegExp(`^06652\\.H49-${day}-\\d{5,}$`));
  });
});

describe("officials mark spam", () => {
  let server: TestServer;
  let documents: ReturnType<typeof requiredFiles>;
  let officer: string;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer();
    documents = requiredFiles(await procedure(server, "1.001193"), png);
    officer = (await official(server, "official", "06652")).token;
    admin = (await official(server, "admin", "22")).token;
  });
  afterAll(() => server.close());

  const today = () => vietnamDate(new Date());
  const figures = async () => {
    const res = await call(server, "GET", `/api/reports/indicators?from=${today()}&to=${today()}&unit=06652`, {
      token: admin,
    });
    expect(res.status).toBe(200);
    return (res.body.indicators as { no: number; numeratorValue: number; denominatorValue: number }[]).map((i) => ({
      no: i.no,
      numerator: i.numeratorValue,
      denominator: i.denominatorValue,
    }));
  };
  const queue = async (query = "") =>
    (await call(server, "GET", `/api/officials/dossiers${query}`, { token: officer })).body.items.map(
      (i: { code: string }) => i.code,
    ) as string[];
  const mark = (token: string, code: string, spam: boolean) =>
    call(server, "POST", `/api/officials/dossiers/${code}/spam`, {
      token,
      json: { spam, note: "Nộp hàng loạt, nội dung vô nghĩa" },
    });

  it("when an official marks a dossier as spam, then it leaves the queue and the indicators, and can be unmarked", async () => {
    const before = await figures();
    const token = await citizen(server, "spammer-1", "Đỗ Văn Rác");
    const filed = await file(server, token, submission(), documents);
    expect(filed.status).toBe(201);
    const { code } = filed.body as { code: string };
    expect(await figures()).not.toEqual(before);
    expect(await queue()).toContain(code);

    const marked = await mark(officer, code, true);
    expect(marked.status).toBe(200);
    expect(marked.body.spam).toMatchObject({ note: "Nộp hàng loạt, nội dung vô nghĩa" });
    expect(await queue()).not.toContain(code);
    expect(await queue("?spam=true")).toEqual([code]);
    expect(await figures()).toEqual(before);
    // The citizen is not told that an official judged the dossier spam.
    const own = await call(server, "GET", `/api/dossiers/${code}`, { token });
    expect(own.status).toBe(200);
    expect(own.body).not.toHaveProperty("spam");

    expect((await mark(officer, code, false)).body.spam).toBeNull();
    expect(await queue()).toContain(code);
    expect(await figures()).not.toEqual(before);
  });

  it("when someone outside the unit, or a volunteer, marks spam, then it is refused", async () => {
    const token = await citizen(server, "spammer-2", "Đỗ Văn Rác Hai");
    const { code } = (await file(server, token, submission(), documents)).body as { code: string };
    expect((await mark((await official(server, "official", "06658")).token, code, true)).status).toBe(404);
    expect((await mark((await official(server, "volunteer", "06652")).token, code, true)).status).toBe(403);
    expect((await call(server, "POST", `/api/dossiers/${code}/spam`, { token, json: { spam: true } })).status).toBe(
      404,
    );
  });

  it("when a dossier marked as spam is withdrawn, then it still counts against its citizen's open quota", async () => {
    const token = await citizen(server, "spammer-3", "Đỗ Văn Rác Ba");
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) codes.push((await file(server, token, submission(), documents)).body.code);
    expect((await mark(officer, codes[0] as string, true)).status).toBe(200);
    expect(
      (await call(server, "POST", `/api/dossiers/${codes[0]}/withdraw`, { token, json: { reason: "Rút" } })).status,
    ).toBe(200);
    expect((await file(server, token, submission(), documents)).body.error?.code).toBe("TOO_MANY_OPEN_DOSSIERS");
    // A withdrawal that was not spam frees its place.
    expect(
      (await call(server, "POST", `/api/dossiers/${codes[1]}/withdraw`, { token, json: { reason: "Rút" } })).status,
    ).toBe(200);
    expect((await file(server, token, submission(), documents)).status).toBe(201);
  });
});
