import {
  type NewOfficial,
  normalisePhone,
  type OfficialAccount,
  type OfficialRole,
  type OfficialUpdate,
} from "@qn/shared";
import type { ZaloGraphClient } from "../../clients/zalo-graph.client";
import type { Db } from "../../db/database";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from "../../errors/app-error";
import type { Logger } from "../../logger";
import type { Actor, CitizenActor, OfficialActor } from "./actor";
import { phoneInvalid, unitUnknown } from "./auth.errors";
import { dummyHash, hashPassword, verifyPassword } from "./password";
import { SecurityAlerts } from "./security-alerts";
import type { SessionService } from "./session.service";

export type AuthSettings = {
  citizenSessionHours: number;
  officialSessionHours: number;
  /** Wrong passwords in a row on one account that alert the administrators (the throttling is the router's). */
  loginAlertFailures: number;
  /** Offline mode: no Zalo credentials, development identities allowed. */
  offline: boolean;
};

/** The one answer to a wrong password, an unknown name and a disabled account alike. */
const WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng.";

/** The account schema moved to shared/ (the officials' console validates with it too). */
export { NewOfficial } from "@qn/shared";

/** Identities: citizens through Zalo (or a development identity offline), officials through accounts. */
export class AuthService {
  /** What administrators are warned about (wrong passwords piling up on an account). */
  readonly alerts: SecurityAlerts;

  constructor(
    private readonly db: Db,
    private readonly sessions: SessionService,
    private readonly zalo: ZaloGraphClient,
    private readonly settings: AuthSettings,
    logger?: Logger,
  ) {
    this.alerts = new SecurityAlerts(db, settings.loginAlertFailures, logger);
  }

  get offline(): boolean {
    return this.settings.offline;
  }

  /** A mini-app user: the access token is checked with Zalo, never trusted as sent. */
  async loginWithZalo(accessToken: string) {
    const profile = await this.zalo.profile(accessToken);
    const citizen = await this.upsertCitizen(profile.id, profile.name || "Người dùng Zalo", false);
    if (!citizen) throw new ForbiddenError("Tài khoản này không đăng nhập được bằng Zalo.");
    return this.citizenSession(citizen);
  }

  /**
   * Offline mode only: a clearly marked development identity. It never signs in to, or renames, an account made by a
   * Zalo sign-in (dev_identity 0): the "dev:" prefix keeps their ids apart, and this check does not rely on it.
   */
  async loginAsDeveloper(zaloId: string, name: string) {
    if (!this.settings.offline) throw new NotFoundError();
    const citizen = await this.upsertCitizen(`dev:${zaloId}`, name, true);
    if (!citizen) throw new ForbiddenError("Mã này thuộc một tài khoản Zalo thật. Hãy dùng mã người dùng thử khác.");
    return this.citizenSession(citizen);
  }

  /** The phone number comes only from Zalo's exchange of the consent token; the consent time is recorded. */
  async attachPhone(citizen: CitizenActor, accessToken: string, phoneToken: string): Promise<string> {
    const profile = await this.zalo.profile(accessToken);
    if (`${profile.id}` !== citizen.zaloId) throw new ForbiddenError("Tài khoản Zalo không khớp với phiên đăng nhập.");
    const raw = await this.zalo.phoneNumber(accessToken, phoneToken);
    const phone = normalisePhone(raw);
    if (!phone) throw phoneInvalid();
    await this.db
      .updateTable("citizens")
      .set({ phone, phone_consent_at: new Date().toISOString() })
      .where("id", "=", citizen.id)
      .execute();
    return phone;
  }

  /**
   * An official's sign-in. No account is ever locked (issue 13, finding 7: five wrong passwords from anyone shut the
   * official out, and the 423 told that the name existed): the router throttles by source. An unknown or disabled
   * name gets the same answer, after the same password hash, as a wrong password. `source` is the client's address,
   * shown to administrators when an account collects wrong passwords.
   */
  async loginOfficial(username: string, password: string, source = "không rõ") {
    const row = await this.db
      .selectFrom("officials")
      .selectAll()
      .where("username", "=", username.trim().toLowerCase())
      .executeTakeFirst();
    if (!row?.active) {
      await verifyPassword(password, await dummyHash());
      throw new UnauthorizedError(WRONG_CREDENTIALS);
    }
    if (!(await verifyPassword(password, row.password_hash))) {
      // Counted in SQL: wrong passwords arriving together each add one.
      const counted = await this.db
        .updateTable("officials")
        .set((eb) => ({ failed_logins: eb("failed_logins", "+", 1) }))
        .where("id", "=", row.id)
        .returning("failed_logins")
        .executeTakeFirstOrThrow();
      await this.alerts.loginFailed(row, counted.failed_logins, source);
      throw new UnauthorizedError(WRONG_CREDENTIALS);
    }
    await this.db
      .updateTable("officials")
      .set({ failed_logins: 0, locked_until: null })
      .where("id", "=", row.id)
      .execute();
    await this.alerts.loginSucceeded(row.id);
    const { token, expiresAt } = await this.sessions.issue("official", row.id, this.settings.officialSessionHours);
    return { token, expiresAt, official: this.officialView(row) };
  }

  async createOfficial(input: NewOfficial) {
    await this.requireUnit(input.unitCode);
    const exists = await this.db
      .selectFrom("officials")
      .select("id")
      .where("username", "=", input.username)
      .executeTakeFirst();
    if (exists) throw new ConflictError("USERNAME_TAKEN", `Tên đăng nhập ${input.username} đã được dùng.`);
    const inserted = await this.db
      .insertInto("officials")
      .values({
        username: input.username,
        name: input.name,
        role: input.role,
        unit_code: input.unitCode,
        password_hash: await hashPassword(input.password),
        locked_until: null,
        created_at: new Date().toISOString(),
      })
      .returning(["id", "username", "name", "role", "unit_code"])
      .executeTakeFirstOrThrow();
    return {
      id: inserted.id,
      username: inserted.username,
      name: inserted.name,
      role: inserted.role,
      unitCode: inserted.unit_code,
    };
  }

  async listOfficials(): Promise<OfficialAccount[]> {
    const rows = await this.db.selectFrom("officials").selectAll().orderBy("username").execute();
    return rows.map((r) => this.accountView(r));
  }

  /**
   * An administrator changes an account. They cannot lock themselves out (deactivate or demote their own account), so
   * there is always an active administrator. Deactivation ends the account's sessions at once.
   */
  async updateOfficial(admin: OfficialActor, id: number, update: OfficialUpdate): Promise<OfficialAccount> {
    const row = await this.officialRow(id);
    if (id === admin.id && (update.active === false || (update.role !== undefined && update.role !== "admin"))) {
      throw new ConflictError(
        "OWN_ACCOUNT_PROTECTED",
        "Bạn không thể tự khóa hoặc tự hạ quyền tài khoản của mình. Hãy nhờ một quản trị viên khác.",
      );
    }
    if (update.unitCode !== undefined) await this.requireUnit(update.unitCode);
    const updated = await this.db
      .updateTable("officials")
      .set({
        ...(update.name !== undefined ? { name: update.name } : {}),
        ...(update.role !== undefined ? { role: update.role } : {}),
        ...(update.unitCode !== undefined ? { unit_code: update.unitCode } : {}),
        ...(update.active !== undefined ? { active: update.active ? 1 : 0 } : {}),
      })
      .where("id", "=", row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (update.active === false) await this.sessions.revokeAllOf("official", row.id);
    return this.accountView(updated);
  }

  /**
   * An administrator sets a new password (same rules as a new account). The count of wrong passwords starts again and
   * the account's other sessions end: whoever knew the old password is signed out.
   */
  async resetOfficialPassword(admin: OfficialActor, id: number, password: string): Promise<void> {
    const row = await this.officialRow(id);
    await this.db
      .updateTable("officials")
      .set({ password_hash: await hashPassword(password), failed_logins: 0, locked_until: null })
      .where("id", "=", row.id)
      .execute();
    await this.sessions.revokeAllOf("official", row.id, row.id === admin.id ? admin.sessionId : undefined);
  }

  /** Resolves a bearer token to whoever it belongs to, or fails with 401. */
  async actorFromToken(token: string): Promise<Actor> {
    const session = await this.sessions.verify(token);
    if (session.kind === "citizen") {
      const c = await this.db.selectFrom("citizens").selectAll().where("id", "=", session.subjectId).executeTakeFirst();
      if (!c) throw new UnauthorizedError();
      return {
        kind: "citizen",
        id: c.id,
        name: c.name,
        zaloId: c.zalo_id,
        phone: c.phone,
        devIdentity: c.dev_identity === 1,
        sessionId: session.id,
      };
    }
    const o = await this.db.selectFrom("officials").selectAll().where("id", "=", session.subjectId).executeTakeFirst();
    if (!o?.active) throw new UnauthorizedError();
    return { kind: "official", ...this.officialView(o), sessionId: session.id } satisfies OfficialActor;
  }

  /** Whom a token was issued to, by its signature alone: the key the API's rate limit counts it against. */
  tokenSubject(token: string): Promise<{ kind: string; id: number } | undefined> {
    return this.sessions.subjectOf(token);
  }

  logout(actor: Actor): Promise<void> {
    return this.sessions.revoke(actor.sessionId);
  }

  /**
   * Creates the citizen, or refreshes the one with this Zalo id if it was made the same way (a development identity
   * only updates a development identity, a Zalo sign-in only a Zalo one); undefined when it was made the other way.
   */
  private async upsertCitizen(zaloId: string, name: string, dev: boolean) {
    const now = new Date().toISOString();
    return this.db
      .insertInto("citizens")
      .values({
        zalo_id: zaloId,
        name,
        dev_identity: dev ? 1 : 0,
        phone: null,
        phone_consent_at: null,
        created_at: now,
        last_seen_at: now,
      })
      .onConflict((oc) =>
        oc
          .column("zalo_id")
          .doUpdateSet({ name, last_seen_at: now })
          .where("citizens.dev_identity", "=", dev ? 1 : 0),
      )
      .returning(["id", "name", "zalo_id", "dev_identity", "phone"])
      .executeTakeFirst();
  }

  private async citizenSession(citizen: { id: number; name: string; dev_identity: number; phone: string | null }) {
    const { token, expiresAt } = await this.sessions.issue("citizen", citizen.id, this.settings.citizenSessionHours);
    return {
      token,
      expiresAt,
      citizen: {
        name: citizen.name,
        developmentIdentity: citizen.dev_identity === 1,
        hasPhone: citizen.phone !== null,
      },
    };
  }

  private async officialRow(id: number) {
    const row = await this.db.selectFrom("officials").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw new NotFoundError("Không tìm thấy tài khoản cán bộ này.");
    return row;
  }

  private async requireUnit(code: string): Promise<void> {
    const unit = await this.db.selectFrom("receiving_units").select("code").where("code", "=", code).executeTakeFirst();
    if (!unit) throw unitUnknown(code);
  }

  private accountView(row: {
    id: number;
    username: string;
    name: string;
    role: string;
    unit_code: string;
    active: number;
    failed_logins: number;
  }): OfficialAccount {
    return { ...this.officialView(row), active: row.active === 1, failedLogins: row.failed_logins };
  }

  private officialView(row: { id: number; username: string; name: string; role: string; unit_code: string }) {
    return {
      id: row.id,
      username: row.username,
      name: row.name,
      role: row.role as OfficialRole,
      unitCode: row.unit_code,
    };
  }
}
