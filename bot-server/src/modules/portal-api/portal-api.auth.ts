import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export const PORTAL_API_SCOPES = ["dossiers", "catalogue"] as const;
export type PortalApiScope = (typeof PORTAL_API_SCOPES)[number];

export type IssuedToken = { accessToken: string; expiresIn: number; scope: string };
export type TokenHolder = { clientId: string; scopes: ReadonlySet<PortalApiScope> };

export type ClientCredentials = { clientId: string; clientSecret: string };

/** RFC 6749 §5.2 errors of the token endpoint. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope",
    readonly description: string,
  ) {
    super(description);
  }
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * The key that signs /portal-api access tokens, derived from the session secret (HKDF-SHA256, its own label): the
 * same on every instance, which SESSION_SECRET must be in production anyway, and no second secret to configure.
 */
export function portalApiTokenKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "", "qn portal-api access token v1", 32));
}

/** A token's signed content: client id, scopes, expiry (ms since 1970), the client secret's fingerprint, a nonce. */
type Claims = { c: string; s: string; e: number; k: string; n: string };

/**
 * OAuth 2.0 client credentials for /portal-api: the clients of PORTAL_API_CLIENTS, and short-lived bearer tokens that
 * any instance can verify without a shared store (issue 16, decision 0020): `<claims>.<HMAC-SHA256 of them>`, under a
 * key derived from SESSION_SECRET. A token stops working when it expires, when its client is removed from
 * PORTAL_API_CLIENTS or its secret changed (the token carries the secret's fingerprint), or when SESSION_SECRET
 * changes; the client then gets a 401, fetches a new one and sends again, as the contract says.
 *
 * Secrets are compared through their SHA-256 in constant time, and an unknown client costs the same comparison, so
 * the time taken tells neither which clients exist nor how much of a secret was right.
 */
export class PortalApiAuth {
  private readonly secrets: Map<string, Buffer>;
  private readonly fingerprints: Map<string, string>;
  private readonly unknownClient = digest(randomBytes(32).toString("hex"));

  constructor(
    clients: Record<string, string>,
    private readonly key: Buffer,
    private readonly lifetimeSeconds = 900,
    private readonly now: () => number = Date.now,
  ) {
    this.secrets = new Map(Object.entries(clients).map(([id, secret]) => [id, digest(secret)]));
    this.fingerprints = new Map(
      Object.entries(clients).map(([id, secret]) => [
        id,
        this.sign(`client\n${id}\n${secret}`).subarray(0, 12).toString("base64url"),
      ]),
    );
  }

  /** `Authorization: Basic …` (client_secret_basic) or client_id/client_secret in the form (client_secret_post). */
  static credentials(authorization: string | undefined, form: Record<string, unknown>): ClientCredentials | undefined {
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization?.trim() ?? "")?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return undefined;
      try {
        return {
          clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
          clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
        };
      } catch {
        return undefined;
      }
    }
    const { client_id: id, client_secret: secret } = form;
    return typeof id === "string" && typeof secret === "string" ? { clientId: id, clientSecret: secret } : undefined;
  }

  issue(credentials: ClientCredentials | undefined, form: Record<string, unknown>): IssuedToken {
    const expected = credentials ? this.secrets.get(credentials.clientId) : undefined;
    const given = digest(credentials?.clientSecret ?? "");
    const match = timingSafeEqual(expected ?? this.unknownClient, given);
    if (!credentials || !expected || !match) {
      throw new OAuthError(401, "invalid_client", "Xác thực client không thành công");
    }
    if (form.grant_type !== "client_credentials") {
      throw new OAuthError(400, "unsupported_grant_type", "Chỉ hỗ trợ grant_type=client_credentials");
    }
    let scopes: PortalApiScope[] = [...PORTAL_API_SCOPES];
    if (form.scope !== undefined) {
      const asked = typeof form.scope === "string" ? form.scope.split(" ").filter(Boolean) : [];
      if (asked.length === 0 || asked.some((s) => !(PORTAL_API_SCOPES as readonly string[]).includes(s))) {
        throw new OAuthError(400, "invalid_scope", "Phạm vi (scope) không hợp lệ");
      }
      scopes = [...new Set(asked as PortalApiScope[])];
    }
    const claims: Claims = {
      c: credentials.clientId,
      s: scopes.join(" "),
      e: this.now() + this.lifetimeSeconds * 1000,
      k: this.fingerprints.get(credentials.clientId) ?? "",
      n: randomBytes(9).toString("base64url"),
    };
    const body = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
    const accessToken = `${body}.${this.sign(`token\n${body}`).toString("base64url")}`;
    return { accessToken, expiresIn: this.lifetimeSeconds, scope: claims.s };
  }

  /** Who holds this bearer token, or undefined when its signature is wrong, it expired or its client was revoked. */
  verify(authorization: string | undefined): TokenHolder | undefined {
    const match = /^Bearer ([A-Za-z0-9_-]{16,400})\.([A-Za-z0-9_-]{43})$/i.exec(authorization?.trim() ?? "");
    const [, body, signature] = match ?? [];
    if (!body || !signature) return undefined;
    const expected = this.sign(`token\n${body}`);
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: Partial<Claims>;
    try {
      claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<Claims>;
    } catch {
      return undefined;
    }
    const { c: clientId, s: scope, e: expiresAt, k: fingerprint } = claims;
    if (typeof clientId !== "string" || typeof scope !== "string" || typeof expiresAt !== "number") return undefined;
    if (expiresAt <= this.now()) return undefined;
    // Revoked: the client was removed from PORTAL_API_CLIENTS, or its secret changed since the token was issued.
    const current = this.fingerprints.get(clientId);
    if (!current || current !== fingerprint) return undefined;
    const known = PORTAL_API_SCOPES as readonly string[];
    const scopes = scope.split(" ").filter((s): s is PortalApiScope => known.includes(s));
    return { clientId, scopes: new Set(scopes) };
  }

  private sign(text: string): Buffer {
    return createHmac("sha256", this.key).update(text, "utf8").digest();
  }
}
