import type { SecurityAlert } from "@qn/shared";
import type { Selectable } from "kysely";
import { sql } from "kysely";
import type { Db } from "../../db/database";
import type { SecurityAlertsTable } from "../../db/schema";
import { NotFoundError } from "../../errors/app-error";
import type { Logger } from "../../logger";

/** Addresses kept per account and per alert: enough to tell one attacker from many. */
const MAX_SOURCES = 10;
/** Accounts whose recent failure addresses are remembered before the alert opens (memory bound). */
const MAX_TRACKED = 5_000;

type Row = Selectable<SecurityAlertsTable>;

const time = (iso: string) =>
  new Date(iso).toLocaleString("vi-VN", {
    hour: "2-digit",
    minute: "2-digit",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    timeZone: "Asia/Ho_Chi_Minh",
  });

/**
 * Warnings for administrators, listed in the console's "Quản trị" (issue 13, finding 7). Without an account lock,
 * someone guessing one official's password from many addresses is slowed down at each address but never stopped: the
 * people who can act (reset the password, call the official) must hear of it. An alert opens when an account reaches
 * `threshold` wrong passwords in a row, then grows with each further one until acknowledged: one row per episode.
 */
export class SecurityAlerts {
  /** The addresses of an account's wrong passwords before its alert opens (lost on restart; counts are in the row). */
  private readonly recent = new Map<number, string[]>();

  constructor(
    private readonly db: Db,
    private readonly threshold: number,
    private readonly logger?: Logger,
  ) {}

  /** A wrong password on an existing account: `failures` in a row so far, from `source` (a client address). */
  async loginFailed(official: { id: number; username: string }, failures: number, source: string): Promise<void> {
    const sources = this.remember(official.id, source);
    if (failures < this.threshold) return;
    const now = new Date().toISOString();
    let open = await this.openRow(official.id);
    if (!open) {
      const inserted = await this.insert(official, failures, sources, now);
      if (inserted) {
        this.logger?.warn(
          { username: official.username, failures, sources },
          "sign-in: many wrong passwords on one account",
        );
        return;
      }
      // Another failure opened it meanwhile.
      open = await this.openRow(official.id);
      if (!open) return;
    }
    const merged = [...new Set([...(JSON.parse(open.sources) as string[]), ...sources])].slice(-MAX_SOURCES);
    await this.db
      .updateTable("security_alerts")
      .set((eb) => ({
        // The larger of the two (SQLite's two-argument max() is not PostgreSQL's; a CASE is both's).
        failures: sql<number>`CASE WHEN ${eb.ref("failures")} > ${failures} THEN ${eb.ref("failures")} ELSE ${failures} END`,
        last_at: now,
        sources: JSON.stringify(merged),
      }))
      .where("id", "=", open.id)
      .execute();
  }

  private async insert(
    official: { id: number; username: string },
    failures: number,
    sources: string[],
    now: string,
  ): Promise<boolean> {
    const result = await this.db
      .insertInto("security_alerts")
      .values({
        kind: "login-failures",
        official_id: official.id,
        username: official.username,
        failures,
        sources: JSON.stringify(sources),
        first_at: now,
        last_at: now,
        signed_in_at: null,
        acknowledged_at: null,
        acknowledged_by: null,
      })
      .onConflict((oc) => oc.column("official_id").where("acknowledged_at", "is", null).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** The right password: the count starts again; an open alert records it (the one who signed in may not be them). */
  async loginSucceeded(officialId: number): Promise<void> {
    this.recent.delete(officialId);
    const open = await this.openRow(officialId);
    if (open && !open.signed_in_at) {
      await this.db
        .updateTable("security_alerts")
        .set({ signed_in_at: new Date().toISOString() })
        .where("id", "=", open.id)
        .execute();
    }
  }

  /** Open alerts first, then the last acknowledged ones. */
  async list(limit = 100): Promise<SecurityAlert[]> {
    const rows = await this.db
      .selectFrom("security_alerts")
      .selectAll()
      .orderBy((eb) => eb.case().when("acknowledged_at", "is", null).then(0).else(1).end())
      .orderBy("last_at", "desc")
      .limit(limit)
      .execute();
    return rows.map(view);
  }

  async acknowledge(id: number, adminId: number): Promise<SecurityAlert> {
    const row = await this.db
      .updateTable("security_alerts")
      .set({ acknowledged_at: new Date().toISOString(), acknowledged_by: adminId })
      .where("id", "=", id)
      .where("acknowledged_at", "is", null)
      .returningAll()
      .executeTakeFirst();
    if (row) return view(row);
    const existing = await this.db.selectFrom("security_alerts").selectAll().where("id", "=", id).executeTakeFirst();
    if (!existing) throw new NotFoundError("Không có cảnh báo này.");
    return view(existing);
  }

  private openRow(officialId: number) {
    return this.db
      .selectFrom("security_alerts")
      .selectAll()
      .where("official_id", "=", officialId)
      .where("acknowledged_at", "is", null)
      .orderBy("id", "desc")
      .executeTakeFirst();
  }

  private remember(officialId: number, source: string): string[] {
    const seen = (this.recent.get(officialId) ?? []).filter((s) => s !== source);
    seen.push(source);
    const kept = seen.slice(-MAX_SOURCES);
    this.recent.delete(officialId);
    if (this.recent.size >= MAX_TRACKED) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    this.recent.set(officialId, kept);
    return kept;
  }
}

function view(row: Row): SecurityAlert {
  const sources = JSON.parse(row.sources) as string[];
  const from = sources.length === 1 ? `từ địa chỉ ${sources[0]}` : `từ ${sources.length} địa chỉ khác nhau`;
  const after = row.signed_in_at
    ? ` Sau đó tài khoản đã đăng nhập đúng mật khẩu lúc ${time(row.signed_in_at)}: nếu không phải chính cán bộ này, hãy đặt lại mật khẩu ngay.`
    : " Hãy liên hệ cán bộ; nếu họ không nhập sai, hãy đặt lại mật khẩu của tài khoản.";
  return {
    id: row.id,
    kind: "login-failures",
    username: row.username,
    failures: row.failures,
    sources,
    firstAt: row.first_at,
    lastAt: row.last_at,
    signedInAt: row.signed_in_at,
    acknowledgedAt: row.acknowledged_at,
    message: `Tài khoản ${row.username} bị nhập sai mật khẩu ${row.failures} lần liên tiếp ${from}.${after}`,
  };
}
