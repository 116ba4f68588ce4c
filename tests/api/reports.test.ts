import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, official, procedure, requiredFiles, submission } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";

/*
 * The hand-computed fixture of shared/src/indicators.test.ts, written into the database as rows, so that this test
 * checks what the formulas' test cannot: the SQL that groups dossiers, the Vietnamese-day period boundaries, the API,
 * and the exports. Out-of-period rows sit one millisecond either side of the period and must not count.
 */
let server: TestServer;
let X: string;
let Y: string;

const P = (n: number) => `9.00000${n}`;
const [A, B, C, D, E, F, PP] = [1, 2, 3, 4, 5, 6, 7].map(P) as [string, string, string, string, string, string, string];
let seq = 0;

async function procedureRow(code: string, level: "commune" | "province", revisions: [string, number, boolean][]) {
  const last = revisions.at(-1) as [string, number, boolean];
  await server.deps.db
    .insertInto("procedures")
    .values({
      code,
      name: `Thủ tục thử ${code}`,
      field: "Thử nghiệm",
      level,
      agency: "UBND cấp xã",
      online_level: last[1],
      processing_days: 1,
      postal: last[2] ? 1 : 0,
      record: "{}",
      created_at: "2025-01-01T00:00:00.000Z",
      updated_at: "2025-01-01T00:00:00.000Z",
    })
    .execute();
  for (const [validFrom, onlineLevel, postal] of revisions) {
    await server.deps.db
      .insertInto("procedure_revisions")
      .values({ code, online_level: onlineLevel, postal: postal ? 1 : 0, valid_from: validFrom })
      .execute();
  }
}

async function dossierRow(
  unit: string,
  procedureCode: string,
  onlineLevel: number,
  channel: "counter" | "online" | "postal",
  submittedAt: string,
  delivered?: { at: string; method: "counter" | "online" | "post" },
) {
  seq++;
  await server.deps.db
    .insertInto("dossiers")
    .values({
      code: `TEST-${String(seq).padStart(4, "0")}`,
      state: delivered ? 10 : 1,
      resume_state: null,
      procedure_code: procedureCode,
      procedure_snapshot: "{}",
      unit_code: unit,
      channel,
      citizen_id: null,
      applicant: "{}",
      applicant_name: "Nguyễn Văn Thử",
      result_delivery: JSON.stringify({ method: delivered?.method ?? "counter" }),
      form_data: "{}",
      filed_by_official_id: null,
      on_behalf_consent: null,
      submitted_at: submittedAt,
      accepted_at: null,
      complete_received_at: null,
      due_date: null,
      fees_due: null,
      postal_tracking: null,
      rating_score: null,
      rating_comment: null,
      updated_at: submittedAt,
      online_level: onlineLevel,
      result_method: delivered?.method ?? "counter",
      delivered_at: delivered?.at ?? null,
      // The postal records (issue 15) as migration 0019 makes them for dossiers of before the postal service.
      postal_received_at: channel === "postal" ? submittedAt : null,
      postal_delivered_at: delivered?.method === "post" ? delivered.at : null,
    })
    .execute();
}

const IN = "2026-02-01T03:00:00.000Z";
const FIRST_INSTANT = "2025-12-31T17:00:00.000Z"; // 00:00 on 01/01/2026 in Vietnam
const LAST_INSTANT = "2026-03-31T16:59:59.999Z"; // 23:59:59.999 on 31/03/2026 in Vietnam
const BEFORE = "2025-12-31T16:59:59.999Z";
const AFTER = "2026-03-31T17:00:00.000Z";
const Q1 = "from=2026-01-01&to=2026-03-31";

beforeAll(async () => {
  server = await startTestServer({ seedStarterCatalogue: false });
  const communes = await server.deps.db
    .selectFrom("receiving_units")
    .select("code")
    .where("level", "=", "commune")
    .orderBy("code")
    .limit(2)
    .execute();
  [X, Y] = communes.map((c) => c.code) as [string, string];

  await procedureRow(A, "commune", [["2025-06-01T00:00:00.000Z", 4, true]]);
  await procedureRow(B, "commune", [["2025-06-01T00:00:00.000Z", 3, false]]);
  await procedureRow(C, "commune", [
    ["2025-06-01T00:00:00.000Z", 2, false],
    ["2026-02-10T03:00:00.000Z", 3, true],
  ]);
  await procedureRow(D, "commune", [
    ["2025-01-01T00:00:00.000Z", 3, false],
    ["2025-12-31T16:00:00.000Z", 2, false],
  ]);
  await procedureRow(E, "commune", [["2025-06-01T00:00:00.000Z", 2, true]]);
  await procedureRow(F, "commune", [["2026-04-01T00:00:00.000Z", 4, true]]);
  await procedureRow(PP, "province", [["2025-06-01T00:00:00.000Z", 4, true]]);

  // #1–#13 of the fixture; #1 at the period's first instant, #13 at its last.
  await dossierRow(X, A, 4, "online", FIRST_INSTANT, { at: IN, method: "post" });
  await dossierRow(X, A, 4, "counter", IN, { at: LAST_INSTANT, method: "counter" });
  await dossierRow(X, A, 4, "postal", IN);
  await dossierRow(X, B, 3, "counter", IN, { at: FIRST_INSTANT, method: "post" });
  await dossierRow(X, B, 3, "counter", IN);
  await dossierRow(X, C, 3, "online", "2026-03-01T01:00:00.000Z", { at: IN, method: "online" });
  await dossierRow(X, C, 2, "counter", "2026-01-05T01:00:00.000Z");
  await dossierRow(X, E, 2, "postal", IN);
  await dossierRow(X, E, 2, "counter", IN);
  await dossierRow(Y, B, 3, "online", IN);
  await dossierRow(Y, A, 4, "counter", IN);
  await dossierRow("22", PP, 4, "online", IN);
  await dossierRow("22", PP, 4, "counter", LAST_INSTANT);
  // Outside the period by one millisecond: online dossiers and a result by post that would change every figure.
  await dossierRow(X, B, 3, "online", BEFORE, { at: BEFORE, method: "post" });
  await dossierRow(X, A, 4, "online", AFTER, { at: AFTER, method: "post" });
  await dossierRow("22", PP, 4, "postal", AFTER);
});

afterAll(async () => {
  await server.close();
});

type Figure = {
  no: number;
  numeratorValue: number;
  denominatorValue: number;
  ratio: number | null;
  met: boolean | null;
};
const figures = (body: { indicators: Figure[] }) =>
  body.indicators.map((i) => [i.no, i.numeratorValue, i.denominatorValue, i.met]);

describe("GET /api/reports/indicators on the hand-computed fixture", () => {
  it("when the provincial centre reads commune X for Q1, then the figures are the hand-computed ones", async () => {
    const centre = await official(server, "hcc", "22");
    const res = await call(server, "GET", `/api/reports/indicators?${Q1}&unit=${X}`, { token: centre.token });
    expect(res.status).toBe(200);
    expect(figures(res.body)).toEqual([
      [1, 2, 3, true],
      [2, 1, 3, false],
      [3, 1, 3, true],
      [4, 2, 3, false],
      [5, 2, 9, true],
      [6, 2, 4, true],
    ]);
    expect(res.body.unit).toMatchObject({ code: X, level: "commune" });
    expect(res.body.overall).toEqual([{ level: "commune", label: "Cấp xã", online: 2, total: 9, ratio: 2 / 9 }]);
    // The formulas travel with the figures, so an official can check them.
    expect(res.body.indicators[0].numerator).toMatch(/ít nhất một hồ sơ nộp trực tuyến/);
    expect(res.body.indicators[0].target).toBe(0.6);
  });

  it("when the whole province is read, then every unit counts and the overall rate is split by level", async () => {
    const admin = await official(server, "admin", "22");
    const res = await call(server, "GET", `/api/reports/indicators?${Q1}&unit=all`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(figures(res.body)).toEqual([
      [1, 4, 4, true],
      [2, 2, 4, true],
      [3, 2, 6, true],
      [4, 2, 4, false],
      [5, 2, 13, true],
      [6, 2, 4, true],
    ]);
    expect(
      res.body.overall.map((o: { level: string; online: number; total: number }) => [o.level, o.online, o.total]),
    ).toEqual([
      ["province", 1, 2],
      ["commune", 3, 11],
      ["all", 4, 13],
    ]);
  });

  it("when the report is read by unit, then each unit's row matches its own report", async () => {
    const admin = await official(server, "admin", "22");
    const res = await call(server, "GET", `/api/reports/indicators/by-unit?${Q1}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.units).toHaveLength(55);
    const rowX = res.body.units.find((u: { unit: { code: string } }) => u.unit.code === X);
    expect(figures(rowX)).toEqual([
      [1, 2, 3, true],
      [2, 1, 3, false],
      [3, 1, 3, true],
      [4, 2, 3, false],
      [5, 2, 9, true],
      [6, 2, 4, true],
    ]);
    const centre = res.body.units.find((u: { unit: { code: string } }) => u.unit.code === "22");
    expect(figures(centre)).toEqual([
      [1, 1, 1, true],
      [2, 0, 0, null],
      [3, 1, 2, true],
      [4, 0, 1, false],
      [5, 0, 2, false],
      [6, 0, 0, null],
    ]);
  });

  it("when a series is asked for, then each quarter is computed alone and an empty quarter is empty", async () => {
    const admin = await official(server, "admin", "22");
    const res = await call(
      server,
      "GET",
      `/api/reports/indicators/series?from=2025-10-01&to=2026-06-30&unit=${X}&by=quarter`,
      {
        token: admin.token,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.points.map((p: { period: { from: string } }) => p.period.from)).toEqual([
      "2025-10-01",
      "2026-01-01",
      "2026-04-01",
    ]);
    const [q4, q1, q2] = res.body.points;
    // Q4 2025 holds only the dossier one millisecond before Q1: B online, level 3, and its result by post.
    expect(q4.indicators.map((i: Figure) => [i.numeratorValue, i.denominatorValue])).toEqual([
      [1, 3],
      [1, 1],
      [0, 0],
      [0, 2], // A and E offered the post; B's result went by post, but B does not offer it
      [0, 1],
      [1, 1],
    ]);
    expect(q1.indicators[4]).toMatchObject({ numeratorValue: 2, denominatorValue: 9 });
    // Q2 2026: the A dossier filed at 00:00 on 1 April; F became level 4 on 1 April.
    expect(q2.indicators[0]).toMatchObject({ numeratorValue: 1, denominatorValue: 4 });
  });

  it("when exported as CSV and XLSX, then the files carry the same numbers as the JSON", async () => {
    const admin = await official(server, "admin", "22");
    const json = await call(server, "GET", `/api/reports/indicators?${Q1}&unit=all`, { token: admin.token });

    const csv = await fetch(`${server.url}/api/reports/indicators/export?${Q1}&unit=all&format=csv`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toContain("bao-cao-chi-thi-07_all_2026-01-01_2026-03-31.csv");
    const bytes = Buffer.from(await csv.arrayBuffer());
    // A byte-order mark first, so that Excel reads the Vietnamese letters as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString("utf8").split("\r\n");
    expect(lines[1]).toBe("Đơn vị,Toàn tỉnh Quảng Ninh");
    for (const i of json.body.indicators as Figure[]) {
      const line = lines.find((l) => l.startsWith(`${i.no},`));
      expect(line, `indicator ${i.no}`).toBeDefined();
      const cells = (line as string).split(",");
      expect(cells).toContain(String(i.numeratorValue));
      expect(cells).toContain(String(i.denominatorValue));
    }

    const xlsx = await fetch(`${server.url}/api/reports/indicators/export?${Q1}&unit=all&format=xlsx`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const sheet = book.getWorksheet("Báo cáo");
    expect(sheet).toBeDefined();
    const fromSheet: number[][] = [];
    sheet?.eachRow((row) => {
      const no = row.getCell(1).value;
      if (typeof no === "number") fromSheet.push([no, Number(row.getCell(3).value), Number(row.getCell(5).value)]);
    });
    expect(fromSheet).toEqual(
      (json.body.indicators as Figure[]).map((i) => [i.no, i.numeratorValue, i.denominatorValue]),
    );
    // The by-unit sheet has every receiving unit.
    expect(book.getWorksheet("Theo đơn vị")?.rowCount).toBe(56);
  });
});

describe("who may read which report, and bad input", () => {
  it("when a commune's official asks, then they read their own unit and nothing else", async () => {
    const own = await official(server, "official", X);
    const mine = await call(server, "GET", `/api/reports/indicators?${Q1}`, { token: own.token });
    expect(mine.status).toBe(200);
    expect(mine.body.unit.code).toBe(X);
    for (const path of [
      `/api/reports/indicators?${Q1}&unit=${Y}`,
      `/api/reports/indicators?${Q1}&unit=all`,
      `/api/reports/indicators/by-unit?${Q1}`,
    ]) {
      const res = await call(server, "GET", path, { token: own.token });
      expect(res.status, path).toBe(403);
    }
    const csv = await call(server, "GET", `/api/reports/indicators/export?${Q1}&unit=${Y}&format=csv`, {
      token: own.token,
    });
    expect(csv.status).toBe(403);
  });

  it("when a volunteer, a citizen or nobody asks, then they are refused", async () => {
    const volunteer = await official(server, "volunteer", X);
    expect((await call(server, "GET", `/api/reports/indicators?${Q1}`, { token: volunteer.token })).status).toBe(403);
    const citizenToken = await citizen(server, "zalo-bao-cao");
    expect((await call(server, "GET", `/api/reports/indicators?${Q1}`, { token: citizenToken })).status).toBe(403);
    expect((await call(server, "GET", `/api/reports/indicators?${Q1}`)).status).toBe(401);
  });

  it("when the period or unit is wrong, then a 400 names the parameter in Vietnamese", async () => {
    const admin = await official(server, "admin", "22");
    const cases: [string, string][] = [
      ["from=2026-01-01", "to"],
      ["from=2026-02-30&to=2026-03-31", "from"],
      ["from=2026-03-31&to=2026-01-01", "to"],
      ["from=2010-01-01&to=2026-01-01", "to"],
      [`${Q1}&unit=99999`, "unit"],
      [`${Q1}&unit=../etc`, "unit"],
      [`${Q1}&nam=2026`, "nam"],
    ];
    for (const [query, field] of cases) {
      const res = await call(server, "GET", `/api/reports/indicators?${query}`, { token: admin.token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.details[0].path, query).toBe(field);
      expect(res.body.error.message).toMatch(/không hợp lệ/);
    }
    const badFormat = await call(server, "GET", `/api/reports/indicators/export?${Q1}&format=pdf`, {
      token: admin.token,
    });
    expect(badFormat.status).toBe(400);
  });
});

describe("the quarterly reports", () => {
  it("when a unit sends its report, then it is listed as sent, and sending again is refused", async () => {
    const own = await official(server, "official", Y);
    const before = await call(server, "GET", "/api/reports/due", { token: own.token });
    expect(before.status).toBe(200);
    expect(before.body.units).toEqual([expect.objectContaining({ code: Y, submittedAt: null })]);
    expect(before.body.deadline).toMatch(/^\d{4}-(03|06|09|12)-15$/);

    const sent = await call(server, "POST", "/api/reports/submissions", { token: own.token, json: {} });
    expect(sent.status).toBe(201);
    expect(sent.body.unit.code).toBe(Y);
    const again = await call(server, "POST", "/api/reports/submissions", { token: own.token, json: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/đã gửi báo cáo quý/);

    const other = await call(server, "POST", "/api/reports/submissions", { token: own.token, json: { unit: X } });
    expect(other.status).toBe(403);
    const adminForAll = await official(server, "admin", "22");
    const forAll = await call(server, "POST", "/api/reports/submissions", {
      token: adminForAll.token,
      json: { unit: "all" },
    });
    expect(forAll.status).toBe(400);
    expect(forAll.body.error.details[0].path).toBe("unit");

    const admin = await official(server, "admin", "22");
    const all = await call(server, "GET", "/api/reports/due", { token: admin.token });
    expect(all.body.units).toHaveLength(55);
    const rows = all.body.units.filter((u: { submittedAt: string | null }) => u.submittedAt !== null);
    expect(rows.map((u: { code: string }) => u.code)).toEqual([Y]);
  });
});

describe("the figures follow real dossiers filed and delivered through the API", () => {
  it("when a citizen files online and an officer files by post and delivers by post, then the unit's figures move", async () => {
    const live = await startTestServer();
    try {
      const hcc = await official(live, "hcc", "06652");
      const read = async () => {
        const res = await call(live, "GET", "/api/reports/indicators", { token: hcc.token });
        expect(res.status).toBe(200);
        return res.body as { indicators: Figure[]; unit: { code: string } };
      };
      const empty = await read();
      expect(empty.unit.code).toBe("06652");
      expect(empty.indicators[4]).toMatchObject({ numeratorValue: 0, denominatorValue: 0, ratio: null });

      const birth = await procedure(live, "1.001193");
      const token = await citizen(live, "zalo-bao-cao-that");
      const online = await file(
        live,
        token,
        submission({ resultDelivery: { method: "counter" } }),
        requiredFiles(birth, png),
      );
      expect(online.status).toBe(201);
      const byPost = await file(
        live,
        hcc.token,
        submission({
          channel: "postal",
          onBehalf: { method: "in-person" },
          resultDelivery: {
            method: "post",
            recipientName: "Nguyễn Văn An",
            phone: "0912345678",
            address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
          },
        }),
        requiredFiles(birth, png),
      );
      expect(byPost.status).toBe(201);
      for (const action of ["accept", "process", "complete"]) {
        const res = await call(live, "POST", `/api/officials/dossiers/${byPost.body.code}/actions`, {
          token: hcc.token,
          json: { action },
        });
        expect(res.status, action).toBe(200);
      }
      // The result goes by post through the postal service (the test post), which hands it over (issue 15).
      const dispatched = await call(live, "POST", "/api/officials/postal/dispatch", {
        token: hcc.token,
        json: { codes: [byPost.body.code] },
      });
      expect(dispatched.body[0].outcome, JSON.stringify(dispatched.body)).toBe("created");
      await live.deps.postalQueue.idle();
      await live.deps.postalQueue.drain();
      const order = await live.deps.db
        .selectFrom("postal_orders")
        .select("waybill")
        .where("dossier_code", "=", byPost.body.code)
        .executeTakeFirstOrThrow();
      live.deps.postalSandbox?.deliver(order.waybill as string, "Nguyễn Văn An");
      for (let i = 0; i < 3; i++) {
        await live.deps.postalSandbox?.flush();
        await live.deps.postalQueue.idle();
        await live.deps.postalQueue.drain();
      }
      const delivered = await call(live, "GET", `/api/dossiers/${byPost.body.code}`, { token: hcc.token });
      expect(delivered.body.state).toBe(10);

      const after = await read();
      const by = (no: number) => after.indicators.find((i) => i.no === no);
      // Đăng ký khai sinh is level 4: one of its two dossiers was filed online.
      expect(by(3)).toMatchObject({ numeratorValue: 1, denominatorValue: 2 });
      expect(by(5)).toMatchObject({ numeratorValue: 1, denominatorValue: 2 });
      expect(by(6)).toMatchObject({ numeratorValue: 1, denominatorValue: 1, met: true });
      expect(by(1)?.numeratorValue).toBe(1);
    } finally {
      await live.close();
    }
  });
});
