/**
 * `npm run bench:payments`: the exactly-once core of online payment (issue 14, decision 0014), beside baselines
 * measured in the same run on the same database (compare the ratios, not the absolutes).
 *
 * (a) Confirmations under duplicated and racing callbacks: `--attempts` open attempts, each for its own dossier in
 *     state 6 (an official's request of 24.000 đ), each confirmed three times at once — two copies of the provider's
 *     callback and the citizen's return — through `PaymentService.apply`, 8 attempts at a time (up to 24 confirmations
 *     in flight). Each is a locked transaction (the attempt, the charge, the ledger row, the notification and its
 *     outbox message) and, once, the dossier's 6 → 4 step. Checked afterwards: one applied row per attempt, the
 *     others duplicates, every charge paid once, every dossier moved once.
 *     Baseline: a bare insert of the same rows — one payment_events row per confirmation, each in its own transaction
 *     through the same Kysely database, at the same concurrency.
 * (b) Reconciling `--open` open attempts whose callbacks were all lost: `PaymentReconciler.drain()` (batches of 100
 *     claimed with a lease, 8 at a time) against a fake national platform on loopback HTTP answering every QUERY
 *     "paid" (signature checked, as the real one does), through the real client; and the same against an in-process
 *     provider whose status() answers paid at once (the reconciler and the database alone). Checked afterwards: every
 *     attempt paid once. Each run's dossiers carry a fixed filing fee (a level-4 procedure paid at filing).
 *     Baseline: the same number of open attempts claimed in batches of 100 with the reconciler's own UPDATE, each read
 *     and updated (paid, lease given back) — the bookkeeping without any provider, apply or ledger.
 *
 * The outbox worker is stopped (the "payment received" messages stay queued) and the reconciler's timer is off: only what
 * is named above runs.
 *
 * Options: `--attempts=2000`, `--open=10000`.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Procedure } from "@qn/shared";
import { sql } from "kysely";
import { bootstrap } from "../src/bootstrap";
import {
  QUERY_SIGNED_FIELDS,
  sameMaXacThuc,
  signFields,
  toThoiGianGD,
} from "../src/clients/payments/national/national-wire";
import type { PaymentProvider, ProviderStatus } from "../src/clients/payments/provider";
import { loadConfig } from "../src/config";
import type { Db } from "../src/db/database";
import { createLogger } from "../src/logger";
import type { PaymentService } from "../src/modules/payments/payment.service";
import { PaymentReconciler } from "../src/modules/payments/reconciler";
import type { PortalGateway, StepActor } from "../src/modules/records/gateway";
import { freePort } from "./free-port";

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const ATTEMPTS = Number(option("attempts") ?? 2000);
const OPEN = Number(option("open") ?? 10_000);
const CONCURRENCY = 8;
const PARTNER = "QNINH-BENCH";
const SECRET = "bench-national-secret-0123";
const TOKEN = "bench-national-token";
const REQUESTED = 24_000;

async function pool<T>(items: T[], worker: (item: T) => Promise<void>, concurrency = CONCURRENCY): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await worker(items[next++] as T);
    }),
  );
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) =>
  Number((await query.executeTakeFirstOrThrow()).n);

/** The national platform's QUERY on loopback: every attempt it is asked about is paid, signatures checked. */
function fakePlatform(amounts: Map<string, number>): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answer = (status: number, body: object) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.url !== "/api/thanhtoan/query" || req.headers.authorization !== `Bearer ${TOKEN}`) {
        return answer(401, { MaLoi: "401" });
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      if (!sameMaXacThuc(String(body.MaXacThuc ?? ""), signFields(body, QUERY_SIGNED_FIELDS, SECRET))) {
        return answer(200, { MaLoi: "02", MoTaLoi: "Sai mã xác thực" });
      }
      const reference = String(body.MaThamChieu);
      const amount = amounts.get(reference);
      if (amount === undefined) return answer(200, { MaLoi: "04", MoTaLoi: "Không tìm thấy giao dịch" });
      answer(200, {
        MaLoi: "00",
        MaThamChieu: reference,
        TrangThaiGD: "1",
        SoTien: amount,
        MaGiaoDich: `GD${reference.slice(2)}`,
        ThoiGianGD: toThoiGianGD(new Date()),
      });
    });
  });
}

/** The same answer, in process: what the reconciler costs without the network and the wire. */
function inProcessProvider(amounts: Map<string, number>): PaymentProvider {
  return {
    id: "national",
    start: () => Promise.reject(new Error("not used")),
    status: (attempt): Promise<ProviderStatus> =>
      Promise.resolve({
        state: "paid",
        transactionId: `GD${attempt.reference.slice(2)}`,
        amount: amounts.get(attempt.reference) ?? -1,
        paidAt: new Date(),
      }),
    verifyCallback: () => ({ ok: false, reason: "signature" }),
    callbackAnswer: () => ({ status: 200, body: {} }),
  };
}

type Dossier = { id: number; code: string; unitCode: string; chargeId: number; amount: number; lines: string };

let referenceSeq = 0;
const runTag = String(Date.now() % 1_000_000).padStart(6, "0");
const newReference = () => `TT${runTag}${String(++referenceSeq).padStart(12, "0")}`;

/**
 * `n` dossiers with a charge due, through the gateway as the API files them: a level-4 procedure's fixed fee at
 * filing, or (`requested`) a birth registration accepted and asked for 24.000 đ (state 6). Spread over the communes
 * (a unit files at most 9,999 dossiers a day).
 */
async function dossiersWithCharges(
  db: Db,
  portal: PortalGateway,
  procedures: { get(code: string): Promise<Procedure> },
  citizenId: number,
  n: number,
  requested: boolean,
): Promise<Dossier[]> {
  const communes = (
    await db.selectFrom("receiving_units").select("code").where("level", "=", "commune").orderBy("code").execute()
  ).map((u) => u.code);
  const procedure = await procedures.get(requested ? "1.001193" : "2.000635");
  const applicant = {
    type: "citizen" as const,
    name: "Nguyễn Văn An",
    identityNumber: "022090001234",
    address: { communeCode: "06652", street: "Tổ 3, khu 4" },
  };
  const codes: string[] = [];
  await pool(
    Array.from({ length: n }, (_, i) => i),
    async (i) => {
      const unitCode = communes[i % communes.length] as string;
      const record = await portal.submit({
        submission: {
          procedureCode: procedure.code,
          applicant,
          resultDelivery: { method: "counter" },
          formData: {},
          ...(requested ? {} : { fees: { quantities: { "0": 1 } } }),
        },
        procedure,
        unitCode,
        channel: "online",
        citizenId,
        filedBy: null,
        attachments: [],
        actor: { kind: "citizen", id: citizenId, name: applicant.name, role: "Công dân", unitCode: null },
      });
      if (requested) {
        const officer: StepActor = { kind: "official", id: null, name: "Cán bộ đo", role: "Một cửa", unitCode };
        await portal.transition(record.code, "accept", officer, {});
        await portal.transition(record.code, "request-payment", officer, {
          lines: [{ index: null, name: "Lệ phí theo thông báo", kind: "le-phi", quantity: 1, amount: REQUESTED }],
        });
      }
      codes.push(record.code);
    },
  );
  const rows = await db
    .selectFrom("dossier_charges as c")
    .innerJoin("dossiers as d", "d.id", "c.dossier_id")
    .select(["d.id", "d.code", "d.unit_code", "c.id as charge_id", "c.amount", "c.lines"])
    .where("c.status", "=", "due")
    .where("d.code", "in", sql<string>`(SELECT value FROM json_each(${JSON.stringify(codes)}))`)
    .execute();
  if (rows.length !== n) throw new Error(`expected ${n} charges due, found ${rows.length}`);
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    unitCode: r.unit_code,
    chargeId: r.charge_id,
    amount: r.amount,
    lines: r.lines,
  }));
}

/** One open attempt per dossier, as `PaymentService.start` writes it (without asking a provider). */
async function openAttempts(
  db: Db,
  dossiers: Dossier[],
  citizenId: number,
  nextCheckAt: string | null,
): Promise<{ reference: string; dossier: Dossier }[]> {
  const at = new Date().toISOString();
  const made = dossiers.map((dossier) => ({ reference: newReference(), dossier }));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < made.length; i += 500) {
      await trx
        .insertInto("payment_attempts")
        .values(
          made.slice(i, i + 500).map(({ reference, dossier }) => ({
            reference,
            charge_id: dossier.chargeId,
            dossier_id: dossier.id,
            dossier_code: dossier.code,
            unit_code: dossier.unitCode,
            citizen_id: citizenId,
            provider: "national" as const,
            amount: dossier.amount,
            lines: dossier.lines,
            payer: JSON.stringify({ name: "Nguyễn Văn An", identityNumber: "022090001234", address: "Tổ 3, khu 4" }),
            client_ip: "127.0.0.1",
            status: "open" as const,
            created_at: at,
            updated_at: at,
            next_check_at: nextCheckAt,
          })),
        )
        .execute();
    }
  });
  return made;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-payments-"));
  const amounts = new Map<string, number>();
  const platform = fakePlatform(amounts);
  const platformPort = await freePort();
  await new Promise<void>((resolve) => platform.listen(platformPort, "127.0.0.1", resolve));

  const base = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    NATIONAL_PAYMENT_URL: `http://127.0.0.1:${platformPort}`,
    NATIONAL_PAYMENT_PARTNER_CODE: PARTNER,
    NATIONAL_PAYMENT_SECRET: SECRET,
    NATIONAL_PAYMENT_TOKEN: TOKEN,
    PAYMENT_RECONCILE_POLL_SECONDS: "3600",
  });
  // No background workers: the outbox (delivering the "payment received" messages) and the reconciler's timer would
  // compete with what is measured; the reconciler is drained by hand below.
  const config = { ...base, outbox: { ...base.outbox, workers: 0 } };
  const { deps, portal, close } = await bootstrap(config, createLogger("silent"));
  // OUTBOX_WORKERS=0 does not keep a committed change from kicking the worker: stopped, it ignores the kicks, and the
  // "payment received" messages stay queued.
  await deps.worker.stop();
  const { db } = deps;
  const payments: PaymentService = deps.payments;
  await deps.auth.loginAsDeveloper("bench-payments", "Người Đo Hiệu Năng");
  const citizen = await db
    .selectFrom("citizens")
    .select("id")
    .where("zalo_id", "=", "dev:bench-payments")
    .executeTakeFirstOrThrow();

  console.log(
    `# Payments benchmark — ${new Date().toISOString()}, Node ${process.version}, ${os.availableParallelism()} CPUs; ` +
      `${ATTEMPTS} attempts confirmed 3× each, ${OPEN} open attempts reconciled`,
  );

  // ─── (a) duplicated and racing confirmations ───
  let started = performance.now();
  const requested = await dossiersWithCharges(db, portal, deps.procedures, citizen.id, ATTEMPTS, true);
  const attempts = await openAttempts(db, requested, citizen.id, null);
  console.log(`(setup: ${ATTEMPTS} dossiers in state 6 with an open attempt each, ${seconds(started).toFixed(1)} s)`);
  const outcomes = { applied: 0, duplicate: 0, other: 0 };
  started = performance.now();
  await pool(attempts, async ({ reference, dossier }) => {
    const notice = (source: string) => ({
      reference,
      providerOrderId: null,
      transactionId: `GD${reference.slice(2)}`,
      amount: dossier.amount,
      outcome: "paid" as const,
      at: new Date(),
      reason: null,
      fields: { MaThamChieu: reference, SoTien: dossier.amount, via: source },
    });
    const results = await Promise.all([
      payments.apply("national", notice("callback"), "callback"),
      payments.apply("national", notice("callback"), "callback"),
      payments.apply("national", notice("return"), "return"),
    ]);
    for (const r of results) {
      if (r.result === "applied") outcomes.applied++;
      else if (r.result === "duplicate") outcomes.duplicate++;
      else outcomes.other++;
    }
  });
  const applySeconds = seconds(started);
  const codesA = requested.map((d) => d.code);
  const inA = sql<string>`(SELECT value FROM json_each(${JSON.stringify(codesA)}))`;
  const appliedRows = await count(
    db
      .selectFrom("payment_events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("result", "=", "applied")
      .where("dossier_code", "in", inA),
  );
  const paidCharges = await count(
    db
      .selectFrom("dossier_charges")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "paid")
      .where("dossier_code", "in", inA),
  );
  const moved = await count(
    db
      .selectFrom("dossier_steps as s")
      .innerJoin("dossiers as d", "d.id", "s.dossier_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("s.action", "=", "confirm-payment")
      .where("d.code", "in", inA),
  );
  if (
    outcomes.applied !== ATTEMPTS ||
    outcomes.duplicate !== 2 * ATTEMPTS ||
    appliedRows !== ATTEMPTS ||
    paidCharges !== ATTEMPTS ||
    moved !== ATTEMPTS
  ) {
    throw new Error(
      `not exactly once: ${JSON.stringify({ ...outcomes, appliedRows, paidCharges, moved, expected: ATTEMPTS })}`,
    );
  }

  // Baseline: the same rows, one bare insert per confirmation, each in its own transaction.
  const baselineRows = attempts.flatMap(({ reference, dossier }) =>
    ["callback", "callback", "return"].map((source) => ({
      provider: "national" as const,
      source: source as "callback" | "return",
      reference,
      attempt_id: null,
      dossier_code: dossier.code,
      unit_code: dossier.unitCode,
      transaction_id: `GB${reference.slice(2)}`,
      amount: dossier.amount,
      outcome: "paid" as const,
      result: "duplicate" as const,
      flag: null,
      fields: JSON.stringify({ MaThamChieu: reference, SoTien: dossier.amount, via: source }),
      received_at: new Date().toISOString(),
    })),
  );
  started = performance.now();
  await pool(
    baselineRows,
    async (row) => {
      await db.transaction().execute((trx) => trx.insertInto("payment_events").values(row).execute());
    },
    CONCURRENCY * 3,
  );
  const bareSeconds = seconds(started);
  await db.deleteFrom("payment_events").where("transaction_id", "like", "GB%").execute();

  const confirmationsPerSecond = (3 * ATTEMPTS) / applySeconds;
  const barePerSecond = baselineRows.length / bareSeconds;
  console.log("(a) Confirmations, each attempt's callback ×2 and return ×1 at once (PaymentService.apply):");
  console.log(
    `  ${confirmationsPerSecond.toFixed(0)} confirmations/s (${(ATTEMPTS / applySeconds).toFixed(0)} payments applied/s, ` +
      `each moving its dossier 6 → 4), ${ATTEMPTS} applied once, ${2 * ATTEMPTS} duplicates`,
  );
  console.log(
    `  bare insert of the same ${baselineRows.length} payment_events rows, one transaction each: ` +
      `${barePerSecond.toFixed(0)} rows/s → ratio ${(confirmationsPerSecond / barePerSecond).toFixed(2)}`,
  );

  // ─── (b) reconciling lost callbacks ───
  const reconcile = async (label: string, provider: PaymentProvider | undefined) => {
    started = performance.now();
    const dossiers = await dossiersWithCharges(db, portal, deps.procedures, citizen.id, OPEN, false);
    const open = await openAttempts(db, dossiers, citizen.id, new Date(Date.now() - 1000).toISOString());
    for (const { reference, dossier } of open) amounts.set(reference, dossier.amount);
    const setup = seconds(started);
    const providers = (payments as unknown as { providers: Record<string, PaymentProvider> }).providers;
    const original = providers.national as PaymentProvider;
    if (provider) providers.national = provider;
    const reconciler = new PaymentReconciler(
      db,
      payments,
      { pollMs: 3_600_000, retryBaseMs: 60_000, retryMaxMs: 1_800_000, abandonAfterMs: 72 * 3_600_000 },
      createLogger("silent"),
    );
    started = performance.now();
    const worked = await reconciler.drain();
    const took = seconds(started);
    providers.national = original;
    const references = open.map((o) => o.reference);
    const inRefs = sql<string>`(SELECT value FROM json_each(${JSON.stringify(references)}))`;
    const paid = await count(
      db
        .selectFrom("payment_attempts")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("status", "=", "paid")
        .where("advanced_at", "is not", null)
        .where("reference", "in", inRefs),
    );
    const applied = await count(
      db
        .selectFrom("payment_events")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("result", "=", "applied")
        .where("reference", "in", inRefs),
    );
    if (paid !== OPEN || applied !== OPEN) throw new Error(`${label}: ${paid} paid, ${applied} applied of ${OPEN}`);
    console.log(
      `  ${label}: ${took.toFixed(1)} s for ${OPEN} (${(OPEN / took).toFixed(0)} attempts/s, ${worked} claimed), ` +
        `every one paid once (setup ${setup.toFixed(1)} s)`,
    );
    return { took, dossiers };
  };
  console.log(`(b) Reconciling ${OPEN} open attempts whose callbacks were lost (PaymentReconciler.drain):`);
  const overHttp = await reconcile("fake national platform on loopback HTTP (QUERY, signed)", undefined);
  const inProcess = await reconcile("in-process provider answering paid", inProcessProvider(amounts));

  // Baseline: the same number of open rows, claimed and updated without any provider or apply.
  const bare = await openAttempts(db, overHttp.dossiers, citizen.id, new Date(Date.now() - 1000).toISOString());
  started = performance.now();
  let claimedTotal = 0;
  for (;;) {
    const now = new Date().toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const batch = await sql<{ id: number }>`
      UPDATE payment_attempts
         SET claimed_by = 'bench', claimed_until = ${until}, checks = checks + 1
       WHERE id IN (SELECT id FROM payment_attempts
                     WHERE next_check_at IS NOT NULL AND next_check_at <= ${now}
                       AND (claimed_until IS NULL OR claimed_until < ${now})
                     ORDER BY next_check_at LIMIT 100)
      RETURNING id`.execute(db);
    if (batch.rows.length === 0) break;
    claimedTotal += batch.rows.length;
    await pool(batch.rows, async ({ id }) => {
      await db.selectFrom("payment_attempts").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      await db
        .updateTable("payment_attempts")
        .set({ status: "paid", next_check_at: null, claimed_by: null, claimed_until: null })
        .where("id", "=", id)
        .execute();
    });
  }
  const bareTook = seconds(started);
  if (claimedTotal !== bare.length) throw new Error(`baseline claimed ${claimedTotal} of ${bare.length}`);
  console.log(
    `  baseline, the same ${OPEN} rows claimed in batches of 100, each read and updated: ${bareTook.toFixed(1)} s ` +
      `→ ratio over HTTP ${(overHttp.took / bareTook).toFixed(1)}×, in process ${(inProcess.took / bareTook).toFixed(1)}×`,
  );

  await close();
  await new Promise<void>((resolve) => platform.close(() => resolve()));
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
