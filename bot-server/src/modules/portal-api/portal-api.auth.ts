import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

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
 * OAuth 2.0 client credentials for /portal-api: the clients of PORTAL_API_CLIENTS, short-lived opaque bearer tokens
 * kept in memory (a restart forgets them; the client then gets a 401, fetches a new one and sends again, as the
 * contract says). Secrets are compared through their SHA-256 in constant time, and an unknown client costs the same
 * comparison, so the time taken tells neither which clients exist nor how much of a secret was right.
 */
export class PortalApiAuth {
  private readonly secrets: Map<string, Buffer>;
  private readonly tokens = new Map<string, TokenHolder & { expiresAt: number }>();
  private readonly unknownClient = digest(randomBytes(32).toString("hex"));

  constructor(
    clients: Record<string, string>,
    private readonly lifetimeSeconds = 900,
    private readonly now: () => number = Date.now,
  ) {
    this.secrets = new Map(Object.entries(clients).map(([id, secret]) => [id, digest(secret)]));
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
    this.prune();
    const accessToken = randomBytes(32).toString("base64url");
    this.tokens.set(accessToken, {
      clientId: credentials.clientId,
      scopes: new Set(scopes),
      expiresAt: this.now() + this.lifetimeSeconds * 1000,
    });
    return { accessToken, expiresIn: this.lifetimeSeconds, scope: scopes.join(" ") };
  }

  /** Who holds this bearer token, or undefined when it is unknown or expired. */
  verify(authorization: string | undefined): TokenHolder | undefined {
    const token = /^Bearer ([A-Za-z0-9_-]{16,200})$/i.exec(authorization?.trim() ?? "")?.[1];
    if (!token) return undefined;
    const held = this.tokens.get(token);
    if (!held) return undefined;
    if (held.expiresAt <= this.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return held;
  }

  private prune(): void {
    const now = this.now();
    for (const [token, held] of this.tokens) if (held.expiresAt <= now) this.tokens.delete(token);
  }
}
