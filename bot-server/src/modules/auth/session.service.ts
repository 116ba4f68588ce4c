import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Db } from "../../db/database";
import { UnauthorizedError } from "../../errors/app-error";

export type SubjectKind = "citizen" | "official";
export type Session = { id: string; kind: SubjectKind; subjectId: number; expiresAt: Date };

const ISSUER = "dvc-quangninh";

/**
 * Sessions: a signed, expiring token (JWT, HS256) that names a session row, so that a session can also be ended
 * before it expires (logout, an official disabled). The token carries no personal data.
 */
export class SessionService {
  private readonly key: Uint8Array;

  constructor(
    private readonly db: Db,
    secret: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(kind: SubjectKind, subjectId: number, hours: number): Promise<{ token: string; expiresAt: Date }> {
    const id = randomUUID();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + hours * 3_600_000);
    await this.db
      .insertInto("sessions")
      .values({
        id,
        subject_kind: kind,
        subject_id: subjectId,
        created_at: now.toISOString(),
        expires_at: expiresAt.toISOString(),
        revoked_at: null,
      })
      .execute();
    const token = await new SignJWT({ kind })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ISSUER)
      .setSubject(String(subjectId))
      .setJti(id)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /**
   * Whom a token was issued to, by its signature and expiry alone (no database read): what the rate limiter counts a
   * request against before `verify` looks the session up (issue 13, finding 16). Undefined for anything else.
   */
  async subjectOf(token: string): Promise<{ kind: SubjectKind; id: number } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ["HS256"] });
      const id = Number(payload.sub);
      if ((payload.kind !== "citizen" && payload.kind !== "official") || !Number.isSafeInteger(id)) return undefined;
      return { kind: payload.kind, id };
    } catch {
      return undefined;
    }
  }

  /** The live session of a bearer token, or an UnauthorizedError. */
  async verify(token: string): Promise<Session> {
    let payload: { jti?: string; sub?: string; kind?: unknown };
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ["HS256"] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new UnauthorizedError("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.");
      throw new UnauthorizedError();
    }
    if (!payload.jti || (payload.kind !== "citizen" && payload.kind !== "official")) throw new UnauthorizedError();
    const row = await this.db.selectFrom("sessions").selectAll().where("id", "=", payload.jti).executeTakeFirst();
    if (!row || row.revoked_at || Date.parse(row.expires_at) <= Date.now() || row.subject_kind !== payload.kind) {
      throw new UnauthorizedError();
    }
    return { id: row.id, kind: payload.kind, subjectId: row.subject_id, expiresAt: new Date(row.expires_at) };
  }

  async revoke(id: string): Promise<void> {
    await this.db.updateTable("sessions").set({ revoked_at: new Date().toISOString() }).where("id", "=", id).execute();
  }

  /** Ends every live session of someone, but `keep` (the caller's own, when they change their own password). */
  async revokeAllOf(kind: SubjectKind, subjectId: number, keep?: string): Promise<void> {
    let query = this.db
      .updateTable("sessions")
      .set({ revoked_at: new Date().toISOString() })
      .where("subject_kind", "=", kind)
      .where("subject_id", "=", subjectId)
      .where("revoked_at", "is", null);
    if (keep) query = query.where("id", "!=", keep);
    await query.execute();
  }
}

/**
 * The signing secret: SESSION_SECRET when configured, otherwise one generated on first start and kept in
 * DATA_DIR/secrets/session-secret (mode 600), so that sessions survive restarts and no secret lives in the repo. The
 * generated one is for development: production refuses to start without SESSION_SECRET (config.ts), since a secret of
 * one machine's DATA_DIR would not be the other instances' (issue 16).
 */
export function resolveSessionSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, "secrets", "session-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const secret = randomBytes(48).toString("base64url");
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  }
}
