import type { SharedLimits } from "../../http/shared-limits";

export type LookupLimitConfig = { windowMs: number; perSource: number; perCode: number };

export type Admission = { admitted: true } | { admitted: false; retryMinutes: number };

/**
 * The public lookup's own limits (issue 13, finding 6), shared by `GET /api/lookup/:code` and the chatbot's "tra cứu":
 * per source (an address, a Zalo user), so that one caller cannot walk a range of codes, and per code from anyone, so
 * that a receipt's secret cannot be guessed from many addresses. Counted in the database (SharedLimits), by every
 * instance together (issue 16).
 */
export class LookupLimits {
  constructor(
    private readonly config: LookupLimitConfig,
    private readonly counters: SharedLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one lookup of `code` by `source` (every try counts, found or not, right secret or wrong). */
  async admit(source: string, code: string): Promise<Admission> {
    const { windowMs } = this.config;
    const [bySource, byCode] = await Promise.all([
      this.counters.hit(`lookup-source:${source}`, windowMs),
      this.counters.hit(`lookup-code:${code}`, windowMs),
    ]);
    const over = [
      bySource.hits > this.config.perSource ? bySource : undefined,
      byCode.hits > this.config.perCode ? byCode : undefined,
    ].filter((c) => c !== undefined);
    if (over.length === 0) return { admitted: true };
    const until = Math.max(...over.map((c) => c.resetAt));
    return { admitted: false, retryMinutes: Math.max(1, Math.ceil((until - this.now()) / 60_000)) };
  }
}

/** What a caller held back is told, in the API and in the chat alike (it does not say which limit it met). */
export const lookupLimitedMessage = (minutes: number) =>
  `Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau khoảng ${minutes} phút.`;
