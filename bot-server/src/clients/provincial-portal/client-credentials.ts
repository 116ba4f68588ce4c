/**
 * An OAuth 2.0 client-credentials access token (RFC 6749 §4.4), cached in memory and fetched again a margin before it
 * expires, so no request goes out with a token about to lapse. Callers asking at the same time share one fetch. When
 * a fetch fails while the cached token is still valid, that token is used.
 */
export type FetchedToken = { accessToken: string; expiresInMs: number };

export class ClientCredentialsToken {
  private cached: { token: string; refreshAt: number; expiresAt: number } | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number,
    /** How long before expiry to fetch a new one (at most half the token's lifetime). */
    private readonly refreshMarginMs: number,
  ) {}

  async get(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return cached.token;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    try {
      return await this.inFlight;
    } catch (error) {
      if (cached && this.cached === cached && this.now() < cached.expiresAt) return cached.token;
      throw error;
    }
  }

  /** The portal refused this token (401): forget it, so the next `get` fetches a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async refresh(): Promise<string> {
    const fetched = await this.fetchToken();
    const at = this.now();
    const margin = Math.min(this.refreshMarginMs, fetched.expiresInMs / 2);
    this.cached = {
      token: fetched.accessToken,
      refreshAt: at + fetched.expiresInMs - margin,
      expiresAt: at + fetched.expiresInMs,
    };
    return fetched.accessToken;
  }
}
