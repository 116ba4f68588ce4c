import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_FILE, openDatabase } from "../src/db/database";
import type { OfficialActor } from "../src/modules/auth/actor";
import { seedReceivingUnits } from "../src/modules/dossiers/receiving-units";
import { ReportRepository } from "../src/modules/reports/report.repository";
import { ReportService } from "../src/modules/reports/report.service";
import { generateReportData, type ReportDataOptions, type ReportDataTally } from "./synthetic-reports";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const YEAR_START = "2025-12-31T17:00:00.000Z"; // 00:00 on 01/01/2026 in Vietnam
const YEAR_END = "2026-12-31T17:00:00.000Z";

async function generated(options: Partial<ReportDataOptions> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-synthetic-reports-"));
  dirs.push(dir);
  const db = await openDatabase(dir);
  await seedReceivingUnits(db);
  await db.destroy();
  const file = path.join(dir, DATABASE_FILE);
  const tally = generateReportData(file, { procedures: 120, dossiers: 2_000, year: 2026, ...options });
  return { dir, file, tally };
}

function rows(file: string, query: string): Record<string, unknown>[] {
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare(query).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
const one = (file: string, query: string) => Object.values(rows(file, query)[0] ?? {})[0];

describe("synthetic province-year for the reports benchmark", () => {
  let dir: string;
  let file: string;
  let tally: ReportDataTally;
  beforeAll(async () => {
    ({ dir, file, tally } = await generated());
  });

  it("when generated, then procedures have 1–3 revisions, the first before the year, later ones inside it", () => {
    expect(one(file, "SELECT count(*) FROM procedures")).toBe(120);
    const perProcedure = rows(
      file,
      `SELECT code, count(*) AS n, min(valid_from) AS first, max(valid_from) AS last,
         (SELECT count(*) FROM procedure_revisions r2 WHERE r2.code = r.code AND r2.valid_from >= '${YEAR_START}') AS inside
       FROM procedure_revisions r GROUP BY code`,
    ) as { n: number; first: string; last: string; inside: number }[];
    expect(perProcedure).toHaveLength(120);
    for (const p of perProcedure) {
      expect(p.n).toBeGreaterThanOrEqual(1);
      expect(p.n).toBeLessThanOrEqual(3);
      expect(p.first < YEAR_START).toBe(true);
      expect(p.last < YEAR_END).toBe(true);
      expect(p.inside).toBe(p.n - 1);
    }
    expect(tally.levelChanges).toBeGreaterThan(0);
    // The procedure row holds the latest revision, as the catalogue import leaves it.
    expect(
      one(
        file,
        `SELECT count(*) FROM procedures p WHERE online_level != (SELECT online_level FROM procedure_revisions r
           WHERE r.code = p.code ORDER BY valid_from DESC LIMIT 1)`,
      ),
    ).toBe(0);
    const levels = rows(file, "SELECT level, count(*) AS n FROM procedures GROUP BY level") as {
      level: string;
      n: number;
    }[];
    expect(levels.map((l) => l.level).sort()).toEqual(["commune", "province"]);
  });

  it("when generated, then each dossier's online level is its procedure's when filed, and the channels fit it", () => {
    const atFiling = `(SELECT r.%s FROM procedure_revisions r WHERE r.code = d.procedure_code
      AND r.valid_from <= d.submitted_at ORDER BY r.valid_from DESC LIMIT 1)`;
    const level = atFiling.replace("%s", "online_level");
    const postal = atFiling.replace("%s", "postal");
    expect(one(file, `SELECT count(*) FROM dossiers d WHERE online_level IS NOT ${level}`)).toBe(0);
    expect(one(file, `SELECT count(*) FROM dossiers d WHERE channel = 'online' AND online_level < 3`)).toBe(0);
    expect(one(file, `SELECT count(*) FROM dossiers d WHERE channel = 'postal' AND ${postal} = 0`)).toBe(0);
    expect(one(file, `SELECT count(*) FROM dossiers d WHERE result_method = 'post' AND ${postal} = 0`)).toBe(0);
    expect(one(file, `SELECT count(*) FROM dossiers d WHERE result_method = 'online' AND online_level < 4`)).toBe(0);
    expect(one(file, "SELECT count(*) FROM dossiers WHERE channel NOT IN ('counter', 'online', 'postal')")).toBe(0);
    // Some procedure has dossiers at two levels: the history matters.
    expect(
      one(
        file,
        "SELECT count(*) FROM (SELECT procedure_code FROM dossiers GROUP BY procedure_code HAVING count(DISTINCT online_level) > 1)",
      ),
    ).toBeGreaterThan(0);
  });

  it("when generated, then province-level procedures are filed at the centre and commune-level ones at communes", () => {
    expect(
      one(
        file,
        `SELECT count(*) FROM dossiers d JOIN procedures p ON p.code = d.procedure_code
           JOIN receiving_units u ON u.code = d.unit_code WHERE p.level != u.level`,
      ),
    ).toBe(0);
    expect(one(file, "SELECT count(DISTINCT unit_code) FROM dossiers")).toBeGreaterThan(40);
  });

  it("when generated, then ~80% are delivered within the year after filing, and the state says so", () => {
    expect(one(file, "SELECT count(*) FROM dossiers WHERE (state = 10) != (delivered_at IS NOT NULL)")).toBe(0);
    expect(one(file, "SELECT count(*) FROM dossiers WHERE delivered_at <= submitted_at")).toBe(0);
    expect(one(file, `SELECT count(*) FROM dossiers WHERE delivered_at >= '${YEAR_END}'`)).toBe(0);
    const share = tally.delivered / tally.dossiers;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.9);
  });

  it("when generated, then the year holds the dossiers asked for, a few filed before it, one on each boundary", () => {
    const submittedIn = `submitted_at >= '${YEAR_START}' AND submitted_at < '${YEAR_END}'`;
    expect(one(file, `SELECT count(*) FROM dossiers WHERE ${submittedIn}`)).toBe(2_000);
    expect(one(file, `SELECT count(*) FROM dossiers WHERE submitted_at < '${YEAR_START}'`)).toBe(tally.earlier);
    expect(tally.earlier).toBeGreaterThan(0);
    expect(one(file, `SELECT count(*) FROM dossiers WHERE submitted_at >= '${YEAR_END}'`)).toBe(0);
    expect(one(file, "SELECT min(submitted_at) FROM dossiers WHERE submitted_at >= '2025-12-31T17:00:00.000Z'")).toBe(
      YEAR_START,
    );
    expect(one(file, "SELECT max(submitted_at) FROM dossiers")).toBe("2026-12-31T16:59:59.999Z");
    expect(one(file, "SELECT max(submitted_at) FROM dossiers WHERE submitted_at < '2025-12-31T17:00:00.000Z'")).toBe(
      "2025-12-31T16:59:59.999Z",
    );
    // Dossiers filed before the year whose results came in it: the year's deliveries are not only its filings'.
    expect(
      one(
        file,
        `SELECT count(*) FROM dossiers WHERE submitted_at < '${YEAR_START}' AND delivered_at >= '${YEAR_START}'`,
      ),
    ).toBeGreaterThan(0);
  });

  it("when generated, then codes have the portal's shape, unique, numbered per unit and Vietnamese day", () => {
    const codes = rows(
      file,
      "SELECT d.code, d.submitted_at, u.agency_code FROM dossiers d JOIN receiving_units u ON u.code = d.unit_code",
    ) as {
      code: string;
      submitted_at: string;
      agency_code: string;
    }[];
    expect(new Set(codes.map((c) => c.code)).size).toBe(codes.length);
    for (const c of codes) {
      const day = new Date(Date.parse(c.submitted_at) + 7 * 3_600_000).toISOString().slice(2, 10).replace(/-/g, "");
      expect(c.code).toMatch(new RegExp(`^${c.agency_code.replace(/\./g, "\\.")}-${day}-\\d{4}$`));
    }
    expect(one(file, "SELECT count(*) FROM dossier_counters")).toBeGreaterThan(0);
  });

  it("when generated, then the dossiers' indexes are the migrations' own, and the database is in WAL mode again", async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "qn-synthetic-reports-"));
    dirs.push(fresh);
    await (await openDatabase(fresh)).destroy();
    const indexes = (f: string) =>
      rows(f, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossiers' ORDER BY name");
    expect(indexes(file)).toEqual(indexes(path.join(fresh, DATABASE_FILE)));
    expect(one(file, "PRAGMA journal_mode")).toBe("wal");
  });

  it("when the year is reported through the real service, then the figures are the ones counted while generating", async () => {
    const db = await openDatabase(dir);
    const admin: OfficialActor = {
      kind: "official",
      id: 1,
      name: "Quản trị",
      username: "admin",
      role: "admin",
      unitCode: "22",
      sessionId: "s",
    };
    const report = await new ReportService(new ReportRepository(db)).report(
      admin,
      { from: "2026-01-01", to: "2026-12-31" },
      "all",
    );
    await db.destroy();
    const fraction = (no: number) => {
      const i = report.indicators.find((x) => x.no === no);
      return [i?.numeratorValue, i?.denominatorValue];
    };
    expect(fraction(1)).toEqual([tally.onlineUsed, tally.onlineOffered]);
    expect(fraction(2)).toEqual([tally.level3.online, tally.level3.total]);
    expect(fraction(3)).toEqual([tally.level4.online, tally.level4.total]);
    expect(fraction(4)).toEqual([tally.postalUsed, tally.postalOffered]);
    expect(fraction(5)).toEqual([tally.byChannel.postal, tally.dossiers]);
    expect(fraction(6)).toEqual([tally.byMethod.post, tally.delivered]);
  });

  it("when generated twice with the same seed, then the rows are identical; another seed differs", async () => {
    const digest = (f: string) =>
      createHash("sha256")
        .update(JSON.stringify(rows(f, "SELECT * FROM dossiers ORDER BY id")))
        .update(JSON.stringify(rows(f, "SELECT * FROM procedure_revisions ORDER BY id")))
        .digest("hex");
    const again = await generated();
    const other = await generated({ seed: 7 });
    expect(digest(again.file)).toBe(digest(file));
    expect(digest(other.file)).not.toBe(digest(file));
  });
});
