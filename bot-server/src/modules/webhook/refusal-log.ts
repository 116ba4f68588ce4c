import type { Logger } from "../../logger";

type Window = { counts: Record<string, number>; timer: NodeJS.Timeout };

/** Sources followed at once; beyond them refusals are counted together, so a flood of addresses cannot grow memory. */
const MAX_SOURCES = 1_000;
const OTHERS = "(các nguồn khác)";

/**
 * The webhook's warnings about refused requests, at most one line per source and minute (issue 13, finding 5: 2,000
 * bad signatures wrote 2,000 lines in 2 s, drowning everything else). The first refusal from a source is written at
 * once, so that a misconfigured secret shows up immediately; the ones after it in the same minute are counted by code
 * and written as one line when the minute ends, and so on while they continue.
 */
export class RefusalLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly logger: Pick<Logger, "warn">,
    private readonly windowMs = 60_000,
  ) {}

  /** A request from `source` refused with `code`; `detail` goes into the first line only (no personal data). */
  note(source: string, code: string, detail: Record<string, unknown> = {}): void {
    const key = this.windows.has(source) || this.windows.size < MAX_SOURCES ? source : OTHERS;
    const open = this.windows.get(key);
    if (open) {
      open.counts[code] = (open.counts[code] ?? 0) + 1;
      return;
    }
    this.logger.warn({ source: key, code, ...detail }, "webhook: request refused");
    this.windows.set(key, { counts: {}, timer: this.schedule(key) });
  }

  /** Stops the timers; counts not yet written are dropped. */
  stop(): void {
    for (const window of this.windows.values()) clearTimeout(window.timer);
    this.windows.clear();
  }

  private schedule(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.flush(key), this.windowMs);
    timer.unref();
    return timer;
  }

  private flush(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    const total = Object.values(window.counts).reduce((a, b) => a + b, 0);
    if (total === 0) {
      this.windows.delete(key);
      return;
    }
    this.logger.warn(
      { source: key, refused: window.counts, total, seconds: Math.round(this.windowMs / 1000) },
      "webhook: more requests refused from this source",
    );
    this.windows.set(key, { counts: {}, timer: this.schedule(key) });
  }
}
