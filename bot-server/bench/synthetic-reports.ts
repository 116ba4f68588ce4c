import SQLite from "better-sqlite3";

/**
 * A synthetic province-year for the reports benchmark: procedures with a history of online levels and postal
 * availability, and dossiers filed at the province's receiving units, written straight into a database that the real
 * migrations created (the receiving units must already be seeded). Deterministic for a given seed.
 *
 * - Procedures: ≈ 1/3 province-level (filed at the centre, unit "22"), 2/3 commune-level (filed at the communes);
 *   online level 2/3/4 at the start of the year about 20/35/45%, postal service for about half; 1–3 revisions, the
 *   first in force before the year, later ones starting on a day inside it (most raise the level, some only switch
 *   the postal service), so that the report's history logic has work to do.
 * - Dossiers: ≈ 30% at the centre; communes of log-normally spread sizes (wards larger); procedures by Zipf
 *   popularity; filing instants over the year's Vietnamese days, fewer at weekends, counter and postal filings in
 *   office hours. The online level is the one in force when filed; online filing only at level 3–4, postal filing
 *   and results by post only while the procedure offers the postal service, results online only at level 4. About
 *   80% delivered within the year, after filing. Also the dossiers of the last 10 days before the year, at the same
 *   rate: not filed in the year, but many of their results are delivered in it. One dossier at the year's first
 *   instant, one at its last, one a millisecond before it.
 * - Rows are small: JSON columns hold `{}` or a few fields; codes have the portal's shape and length.
 *
 * Loading drops the dossiers table's indexes and recreates them afterwards from their own `CREATE INDEX` text (same
 * definitions, built once by sorting instead of 2 million random inserts), with the journal off; the database is
 * back in WAL mode when this returns. No other connection may be open on the file.
 */

export type Channel = "counter" | "online" | "postal";
export type ResultMethod = "counter" | "online" | "post";

export type ReportDataOptions = {
  procedures: number;
  dossiers: number;
  /** The calendar year the dossiers are filed in (Vietnamese days). */
  year: number;
  seed?: number;
  /** Share of dossiers filed at the provincial centre. */
  centreShare?: number;
  /** Days before the year with dossiers too, at the year's rate (default 10). */
  earlierDays?: number;
};

/** What was generated, counted while generating: the expected figures of the year's province report. */
export type ReportDataTally = {
  procedures: number;
  provinceProcedures: number;
  revisions: number;
  /** Procedures whose online level changes inside the year. */
  levelChanges: number;
  /** Dossiers filed in the year. */
  dossiers: number;
  /** Dossiers filed in the last days before the year (not counted as filed in it; some results are). */
  earlier: number;
  /** Results delivered in the year (some of dossiers filed before it). */
  delivered: number;
  byChannel: Record<Channel, number>;
  /** Results delivered in the year by how they went out. */
  byMethod: Record<ResultMethod, number>;
  level3: { total: number; online: number };
  level4: { total: number; online: number };
  /** Dossiers filed in the year per receiving unit. */
  perUnit: Map<string, number>;
  /** Indicator 1: procedures at level 3–4 at some time in the year; those with an online filing at level 3–4. */
  onlineOffered: number;
  onlineUsed: number;
  /** Indicator 4: procedures offering the postal service at some time in the year; those used by post. */
  postalOffered: number;
  postalUsed: number;
};

const DAY = 86_400_000;
const HOUR = 3_600_000;
const VIETNAM_OFFSET = 7 * HOUR;

/** Mulberry32, as in synthetic-catalogue.ts. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cumulative weights, for picking by binary search. */
function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => {
    sum += w;
    out[i] = sum;
  });
  return out;
}

function pickIndex(cum: Float64Array, u: number): number {
  const target = u * (cum[cum.length - 1] as number);
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cum[mid] as number) <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Revision = { from: number; fromIso: string; level: number; postal: boolean };
type GeneratedProcedure = {
  code: string;
  level: "province" | "commune";
  processingDays: number;
  revisions: Revision[];
  usedOnline: boolean;
  usedPostal: boolean;
};

const NAMES = [
  "Nguyễn Văn An",
  "Trần Thị Bình",
  "Lê Văn Cường",
  "Phạm Thị Dung",
  "Hoàng Văn Em",
  "Vũ Thị Giang",
  "Đặng Văn Hùng",
  "Bùi Thị Lan",
  "Đỗ Minh Khôi",
  "Ngô Thị Mai",
  "Dương Văn Nam",
  "Lý Thị Oanh",
];

const OPEN_STATES = [1, 2, 2, 4, 4, 4, 4, 5, 6, 9, 9, 3, 7];

export function generateReportData(file: string, options: ReportDataOptions): ReportDataTally {
  const random = rng(options.seed ?? 2026);
  const { year } = options;
  const yearStart = Date.parse(`${year}-01-01T00:00:00Z`) - VIETNAM_OFFSET;
  const yearEnd = Date.parse(`${year + 1}-01-01T00:00:00Z`) - VIETNAM_OFFSET;
  const days = Math.round((yearEnd - yearStart) / DAY);
  const createdAt = new Date(yearStart - 400 * DAY).toISOString();

  const db = new SQLite(file);
  try {
    // Bulk-load settings for this connection only; WAL is put back at the end.
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -400000");
    db.pragma("temp_store = MEMORY");

    const units = db.prepare("SELECT code, agency_code, level FROM receiving_units ORDER BY code").all() as {
      code: string;
      agency_code: string;
      level: string;
    }[];
    const centre = units.find((u) => u.level === "province");
    const communes = units.filter((u) => u.level === "commune");
    if (!centre || communes.length === 0) throw new Error("Seed the receiving units first (seedReceivingUnits).");
    const existing = (db.prepare("SELECT count(*) AS n FROM dossiers").get() as { n: number }).n;
    if (existing > 0) throw new Error("The dossiers table is not empty.");

    // Procedures and their revisions.
    const procedures: GeneratedProcedure[] = [];
    let levelChanges = 0;
    for (let i = 0; i < options.procedures; i++) {
      const level = random() < 1 / 3 ? "province" : "commune";
      const u = random();
      let onlineLevel = u < 0.2 ? 2 : u < 0.55 ? 3 : 4;
      let postal = random() < 0.5;
      const first = yearStart - Math.floor(30 + random() * 700) * DAY;
      const revisions: Revision[] = [
        { from: first, fromIso: new Date(first).toISOString(), level: onlineLevel, postal },
      ];
      const r = random();
      const extra = r < 0.5 ? 0 : r < 0.85 ? 1 : 2;
      const changeDays = new Set<number>();
      let changesLevel = false;
      while (changeDays.size < extra) changeDays.add(1 + Math.floor(random() * (days - 1)));
      for (const day of [...changeDays].sort((a, b) => a - b)) {
        const from = yearStart + day * DAY;
        if (random() < 0.7) {
          // Usually up a level; now and then back down (a procedure withdrawn from online filing).
          const next = onlineLevel === 4 || (onlineLevel === 3 && random() < 0.25) ? onlineLevel - 1 : onlineLevel + 1;
          onlineLevel = next;
          changesLevel = true;
        } else {
          postal = !postal;
        }
        revisions.push({ from, fromIso: new Date(from).toISOString(), level: onlineLevel, postal });
      }
      if (changesLevel) levelChanges++;
      procedures.push({
        code: `${4 + Math.floor(i / 1_000_000)}.${String(i % 1_000_000).padStart(6, "0")}`,
        level,
        processingDays: [1, 3, 5, 7, 10, 15, 20, 30][Math.floor(random() * 8)] as number,
        revisions,
        usedOnline: false,
        usedPostal: false,
      });
    }
    const countProcedures = (level: string) => procedures.filter((p) => p.level === level).length;
    if (countProcedures("province") === 0 || countProcedures("commune") === 0) {
      throw new Error("Too few procedures to have both levels.");
    }

    const insertProcedure = db.prepare(
      `INSERT INTO procedures (code, name, field, level, agency, online_level, processing_days, postal, record,
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)`,
    );
    const insertRevision = db.prepare(
      "INSERT INTO procedure_revisions (code, online_level, postal, valid_from) VALUES (?, ?, ?, ?)",
    );
    let revisionCount = 0;
    db.transaction(() => {
      for (const p of procedures) {
        const last = p.revisions[p.revisions.length - 1] as Revision;
        insertProcedure.run(
          p.code,
          `Thủ tục tổng hợp số ${p.code}`,
          "Tổng hợp",
          p.level,
          p.level === "province" ? "Sở, ban, ngành tỉnh" : "UBND cấp xã",
          last.level,
          p.processingDays,
          last.postal ? 1 : 0,
          createdAt,
          last.fromIso,
        );
        for (const r of p.revisions) {
          insertRevision.run(p.code, r.level, r.postal ? 1 : 0, r.fromIso);
          revisionCount++;
        }
      }
    })();

    // Who files what, where and when.
    const byLevel = (level: string) => procedures.filter((p) => p.level === level);
    const zipf = (list: GeneratedProcedure[]) => {
      // Popularity ranks in a shuffled order, so that popularity does not follow the code.
      const ranks = list.map((_, i) => i);
      for (let i = ranks.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [ranks[i], ranks[j]] = [ranks[j] as number, ranks[i] as number];
      }
      return cumulative(ranks.map((rank) => 1 / (rank + 1)));
    };
    const provinceList = byLevel("province");
    const communeList = byLevel("commune");
    const provinceCum = zipf(provinceList);
    const communeCum = zipf(communeList);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const communeCum2 = cumulative(communes.map(() => Math.exp(0.7 * gaussian())));
    const dayWeight = (instant: number) => {
      const weekday = new Date(instant + VIETNAM_OFFSET).getUTCDay();
      return weekday === 0 ? 0.1 : weekday === 6 ? 0.3 : 1;
    };
    const dayCum = cumulative(Array.from({ length: days }, (_, d) => dayWeight(yearStart + d * DAY)));
    const earlierDays = options.earlierDays ?? 10;
    const earlierCum = cumulative(
      Array.from({ length: earlierDays }, (_, d) => dayWeight(yearStart - (earlierDays - d) * DAY)),
    );

    // Filing instants first, sorted, so that ids and the per-day code counters follow time as they do in production.
    // The year's dossiers, then those of the last days before it at the same rate (results of some fall in the year),
    // with one on each side of the year's first instant and one on its last.
    const n = options.dossiers;
    const earlier = earlierDays === 0 ? 0 : Math.max(1, Math.round((n * earlierDays) / days));
    const times = new Float64Array(n + earlier);
    const instant = (first: number, cum: Float64Array) => {
      const day = pickIndex(cum, random());
      const inOffice = random() < 0.75;
      const offset = inOffice ? 7.5 * HOUR + random() * 9.5 * HOUR : random() * DAY;
      return Math.floor(first + day * DAY + offset);
    };
    for (let i = 0; i < n; i++) times[i] = instant(yearStart, dayCum);
    for (let i = n; i < n + earlier; i++) times[i] = instant(yearStart - earlierDays * DAY, earlierCum);
    if (n >= 2) {
      times[0] = yearStart;
      times[1] = yearEnd - 1;
    }
    if (earlier > 0) times[n] = yearStart - 1;
    times.sort();

    const centreShare = options.centreShare ?? 0.3;
    const perUnit = new Map<string, number>(units.map((u) => [u.code, 0]));
    const byChannel: Record<Channel, number> = { counter: 0, online: 0, postal: 0 };
    const byMethod: Record<ResultMethod, number> = { counter: 0, online: 0, post: 0 };
    const level3 = { total: 0, online: 0 };
    const level4 = { total: 0, online: 0 };
    let delivered = 0;
    const counters = new Map<string, number>();

    const insertDossier = db.prepare(
      `INSERT INTO dossiers (code, state, procedure_code, procedure_snapshot, unit_code, channel, applicant,
         applicant_name, result_delivery, form_data, submitted_at, accepted_at, fees_due, updated_at, online_level,
         result_method, delivered_at, postal_received_at, postal_delivered_at)
         VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, '{}', ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
    );
    const insertCounter = db.prepare("INSERT INTO dossier_counters (agency_code, day, last) VALUES (?, ?, ?)");

    const indexes = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossiers' AND sql IS NOT NULL")
      .all() as { name: string; sql: string }[];
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);

    const BATCH = 50_000;
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const t = times[i] as number;
        const atCentre = random() < centreShare;
        const unit = atCentre ? centre : (communes[pickIndex(communeCum2, random())] as (typeof communes)[number]);
        const procedure = atCentre
          ? (provinceList[pickIndex(provinceCum, random())] as GeneratedProcedure)
          : (communeList[pickIndex(communeCum, random())] as GeneratedProcedure);
        let revision = procedure.revisions[0] as Revision;
        for (const r of procedure.revisions) if (r.from <= t) revision = r;
        const level = revision.level;
        const postalOk = revision.postal;

        const c = random();
        let channel: Channel;
        if (level >= 3 && c < (level === 4 ? 0.55 : 0.35)) channel = "online";
        else if (postalOk && c > 0.92) channel = "postal";
        else channel = "counter";
        const m = random();
        let method: ResultMethod = "counter";
        if (channel === "postal") method = postalOk && m < 0.85 ? "post" : "counter";
        else if (channel === "online" && level === 4 && m < 0.55) method = "online";
        else if (postalOk && m > (channel === "online" ? 0.85 : 0.92)) method = "post";

        // Filed in office hours if not online; the time of day is already mostly so.
        const submittedIso = new Date(t).toISOString();
        const took = procedure.processingDays * 1.4 * (0.3 + random() * 0.8) * DAY + random() * 8 * HOUR;
        const deliveredAt = t + took;
        const isDelivered = random() < 0.85 && deliveredAt < yearEnd;
        const deliveredIso = isDelivered ? new Date(deliveredAt).toISOString() : null;
        const state = isDelivered ? 10 : (OPEN_STATES[Math.floor(random() * OPEN_STATES.length)] as number);

        const vnDay = new Date(t + VIETNAM_OFFSET).toISOString();
        const dayKey = `${vnDay.slice(2, 4)}${vnDay.slice(5, 7)}${vnDay.slice(8, 10)}`;
        const counterKey = `${unit.agency_code}|${dayKey}`;
        const seq = (counters.get(counterKey) ?? 0) + 1;
        if (seq > 9999) throw new Error(`More than 9,999 dossiers in a day at ${unit.code}.`);
        counters.set(counterKey, seq);

        insertDossier.run(
          `${unit.agency_code}-${dayKey}-${String(seq).padStart(4, "0")}`,
          state,
          procedure.code,
          `{"onlineLevel":${level}}`,
          unit.code,
          channel,
          NAMES[Math.floor(random() * NAMES.length)],
          `{"method":"${method}"}`,
          submittedIso,
          state === 1 || state === 3 ? null : new Date(t + HOUR).toISOString(),
          deliveredIso ?? submittedIso,
          level,
          method,
          deliveredIso,
          // The postal records (issue 15), as migration 0019 makes them from the channel and the result method.
          channel === "postal" ? submittedIso : null,
          method === "post" ? deliveredIso : null,
        );

        if (t >= yearStart) {
          perUnit.set(unit.code, (perUnit.get(unit.code) ?? 0) + 1);
          byChannel[channel]++;
          if (level === 3) {
            level3.total++;
            if (channel === "online") level3.online++;
          } else if (level === 4) {
            level4.total++;
            if (channel === "online") level4.online++;
          }
          if (channel === "online") procedure.usedOnline = true;
          if (channel === "postal") procedure.usedPostal = true;
        }
        // Always after filing, and only those up to the end of the year (the data are as of the year's end).
        if (isDelivered && deliveredAt >= yearStart) {
          delivered++;
          byMethod[method]++;
          if (method === "post") procedure.usedPostal = true;
        }
      }
    });
    for (let from = 0; from < times.length; from += BATCH) batch(from, Math.min(times.length, from + BATCH));
    db.transaction(() => {
      for (const [key, last] of counters) {
        const [agency, day] = key.split("|") as [string, string];
        insertCounter.run(agency, day, last);
      }
    })();
    for (const index of indexes) db.exec(index.sql);
    db.pragma("journal_mode = WAL");

    const onlineOffered = procedures.filter((p) => p.revisions.some((r) => r.level >= 3));
    const postalOffered = procedures.filter((p) => p.revisions.some((r) => r.postal));
    return {
      procedures: procedures.length,
      provinceProcedures: provinceList.length,
      revisions: revisionCount,
      levelChanges,
      dossiers: n,
      earlier,
      delivered,
      byChannel,
      byMethod,
      level3,
      level4,
      perUnit,
      onlineOffered: onlineOffered.length,
      onlineUsed: onlineOffered.filter((p) => p.usedOnline).length,
      postalOffered: postalOffered.length,
      postalUsed: postalOffered.filter((p) => p.usedPostal).length,
    };
  } finally {
    db.close();
  }
}
