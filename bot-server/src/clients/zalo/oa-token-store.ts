import axios, { type AxiosInstance } from "axios";
import { z } from "zod";
import type { Db } from "../../db/database";
import { ZaloTokenError } from "./errors";
import { TokenCrypto } from "./token-crypto";

const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  // Zalo sends a string of seconds (~25 h).
  expires_in: z.union([z.string(), z.number()]).transform(Number),
});

const REFRESH_AHEAD_MS = 10 * 60_000;
const LEASE_MS = 30_000;
const WAIT_STEP_MS = 100;

export type OaTokenStoreOptions = {
  oauthUrl: string;
  appId: string;
  appSecret: string;
  encryptionKey: string;
  /** Tokens from the environment, used once to seed an empty store. */
  seed?: { accessToken: string; refreshToken: string } | undefined;
  now?: () => Date;
};

/**
 * The OA access token and its single-use refresh token (docs/zalo.md §2), encrypted in the database.
 *
 * Refreshes are serialised twice: in this process (one shared promise) and across processes (a lease on the row,
 * taken with a conditional UPDATE). The new refresh token is stored before the new access token is used, so that a
 * crash after a refresh never leaves the store holding a spent refresh token.
 */
export class OaTokenStore {
  private readonly crypto: TokenCrypto;
  private readonly http: AxiosInstance;
  private readonly now: () => Date;
  private inflight: Promise<string> | undefined;
  /** The decrypted token and its expiry, so that each send does not read and decrypt the row. */
  private cached: { token: string; expiresAt: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: OaTokenStoreOptions,
  ) {
    this.crypto = new TokenCrypto(options.encryptionKey);
    this.http = axios.create({ baseURL: options.oauthUrl, timeout: 10_000, validateStatus: () => true });
    this.now = options.now ?? (() => new Date());
  }

  /** Stores the configured tokens if the store is empty (first start). */
  async seedIfEmpty(): Promise<void> {
    const seed = this.options.seed;
    if (!seed) return;
    const now = this.now();
    await this.db
      .insertInto("oa_tokens")
      .values({
        id: 1,
        access_token_enc: this.crypto.encrypt(seed.accessToken),
        refresh_token_enc: this.crypto.encrypt(seed.refreshToken),
        // Unknown age: treat it as about to expire, so the first use refreshes it ahead.
        access_expires_at: new Date(now.getTime() + REFRESH_AHEAD_MS + 60_000).toISOString(),
        refreshing_until: null,
        updated_at: now.toISOString(),
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  /** A usable access token, refreshed ahead of expiry. */
  async accessToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt - this.now().getTime() > REFRESH_AHEAD_MS) return this.cached.token;
    const row = await this.row();
    const token = this.crypto.decrypt(row.access_token_enc);
    const expiresAt = Date.parse(row.access_expires_at);
    if (expiresAt - this.now().getTime() > REFRESH_AHEAD_MS) {
      this.cached = { token, expiresAt };
      return token;
    }
    return this.refresh(token);
  }

  /**
   * Refreshes unless someone already replaced `stale` (then their token is returned): two concurrent callers that both
   * saw an expired or rejected token cause exactly one call to Zalo.
   */
  refresh(stale: string): Promise<string> {
    this.cached = undefined;
    this.inflight ??= this.refreshAcrossProcesses(stale).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refreshAcrossProcesses(stale: string): Promise<string> {
    const deadline = this.now().getTime() + LEASE_MS;
    for (;;) {
      const current = await this.row();
      const currentAccess = this.crypto.decrypt(current.access_token_enc);
      if (currentAccess !== stale) {
        this.cached = { token: currentAccess, expiresAt: Date.parse(current.access_expires_at) };
        return currentAccess;
      }
      const leaseUntil = new Date(this.now().getTime() + LEASE_MS).toISOString();
      const took = await this.db
        .updateTable("oa_tokens")
        .set({ refreshing_until: leaseUntil })
        .where("id", "=", 1)
        .where("access_token_enc", "=", current.access_token_enc)
        .where((eb) =>
          eb.or([eb("refreshing_until", "is", null), eb("refreshing_until", "<", this.now().toISOString())]),
        )
        .executeTakeFirst();
      if (Number(took.numUpdatedRows) === 1) return this.callZalo(this.crypto.decrypt(current.refresh_token_enc));
      if (this.now().getTime() > deadline) throw new ZaloTokenError("Đang chờ làm mới token Zalo OA quá lâu.", true);
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  private async callZalo(refreshToken: string): Promise<string> {
    const release = () =>
      this.db.updateTable("oa_tokens").set({ refreshing_until: null }).where("id", "=", 1).execute();
    let body: unknown;
    try {
      const response = await this.http.post(
        "/v4/oa/access_token",
        new URLSearchParams({ app_id: this.options.appId, grant_type: "refresh_token", refresh_token: refreshToken }),
        { headers: { secret_key: this.options.appSecret, "content-type": "application/x-www-form-urlencoded" } },
      );
      body = response.data;
      if (response.status >= 500) throw new ZaloTokenError(`Zalo OAuth trả lỗi ${response.status}.`, true);
    } catch (error) {
      await release();
      if (error instanceof ZaloTokenError) throw error;
      throw new ZaloTokenError("Không kết nối được Zalo OAuth để làm mới token.", true);
    }
    const tokens = TokenResponse.safeParse(body);
    if (!tokens.success) {
      await release();
      throw new ZaloTokenError("Zalo từ chối làm mới token OA: cần cấp quyền lại cho ứng dụng.");
    }
    const expiresAt = new Date(this.now().getTime() + tokens.data.expires_in * 1000);
    // Persisted (with the new single-use refresh token) before the new access token is used.
    await this.db
      .updateTable("oa_tokens")
      .set({
        access_token_enc: this.crypto.encrypt(tokens.data.access_token),
        refresh_token_enc: this.crypto.encrypt(tokens.data.refresh_token),
        access_expires_at: expiresAt.toISOString(),
        refreshing_until: null,
        updated_at: this.now().toISOString(),
      })
      .where("id", "=", 1)
      .execute();
    this.cached = { token: tokens.data.access_token, expiresAt: expiresAt.getTime() };
    return tokens.data.access_token;
  }

  private async row() {
    const row = await this.db.selectFrom("oa_tokens").selectAll().where("id", "=", 1).executeTakeFirst();
    if (!row)
      throw new ZaloTokenError("Chưa có token Zalo OA: cấu hình ZALO_OA_ACCESS_TOKEN và ZALO_OA_REFRESH_TOKEN.");
    return row;
  }
}
