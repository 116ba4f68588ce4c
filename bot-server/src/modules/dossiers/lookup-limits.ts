import { MemoryStore, type Options } from "express-rate-limit";

export type LookupLimitConfig = { windowMs: number; perSource: number; perCode: number };

export type Admission = { admitted: true } | { admitted: false; retryMinutes: number };

/**
 * The public lookup's own limits (issue 13, finding 6), shared by `GET /api/lookup/:code` and the chatbot's "tra cứu":
 * per source (an address, a Zalo user), so that one caller cannot walk a range of codes, and per code from anyone, so
 * that a receipt's secret cannot be guessed from many addresses. Counted by express-rate-limit's MemoryStore, in this
 * process only for now.
 */
export class LookupLimits {
  private readonly bySource = new MemoryStore();
  private readonly byCode = new MemoryStore();

  constructor(private readonly config: LookupLimitConfig) {
    // The store reads only the window from the middleware's options.
    this.bySource.init({ windowMs: config.windowMs } as Options);
    this.byCode.init({ windowMs: config.windowMs } as Options);
  }

  /** Counts one lookup of `code` by `source` (every try counts, found or not, right secret or wrong). */
  async admit(source: string, code: string): Promise<Admission> {
    const [bySource, byCode] = await Promise.all([this.bySource.increment(source), this.byCode.increment(code)]);
    const over = [
      bySource.totalHits > this.config.perSource ? bySource : undefined,
      byCode.totalHits > this.config.perCode ? byCode : undefined,
    ].filter((c) => c !== undefined);
    if (over.length === 0) return { admitted: true };
    const until = Math.max(...over.map((c) => c.resetTime?.getTime() ?? Date.now() + this.config.windowMs));
    return { admitted: false, retryMinutes: Math.max(1, Math.ceil((until - Date.now()) / 60_000)) };
  }

  stop(): void {
    this.bySource.shutdown();
    this.byCode.shutdown();
  }
}

/** What a caller held back is told, in the API and in the chat alike (it does not say which limit it met). */
export const lookupLimitedMessage = (minutes: number) =>
  `Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau khoảng ${minutes} phút.`;
