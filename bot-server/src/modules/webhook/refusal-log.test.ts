import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RefusalLog } from "./refusal-log";

describe("the webhook's refusal log", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("when a source is refused 2,000 times in a minute, then one line at once and one line with the count at the end of the minute", () => {
    const warn = vi.fn();
    const log = new RefusalLog({ warn } as never, 60_000);
    for (let i = 0; i < 1_999; i++) log.note("198.51.100.7", "SIGNATURE_INVALID");
    log.note("198.51.100.7", "RATE_LIMITED");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatchObject({ source: "198.51.100.7", code: "SIGNATURE_INVALID" });
    vi.advanceTimersByTime(60_000);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]?.[0]).toMatchObject({
      source: "198.51.100.7",
      refused: { SIGNATURE_INVALID: 1_998, RATE_LIMITED: 1 },
      total: 1_999,
    });
  });

  it("when the refusals go on, then one line a minute; when they stop, then the source is forgotten and its next refusal is written at once", () => {
    const warn = vi.fn();
    const log = new RefusalLog({ warn } as never, 60_000);
    log.note("a", "SIGNATURE_INVALID");
    for (let minute = 0; minute < 3; minute++) {
      for (let i = 0; i < 100; i++) log.note("a", "SIGNATURE_INVALID");
      vi.advanceTimersByTime(60_000);
    }
    expect(warn).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(60_000);
    expect(warn).toHaveBeenCalledTimes(4);
    log.note("a", "EVENT_STALE");
    expect(warn).toHaveBeenCalledTimes(5);
    expect(warn.mock.calls[4]?.[0]).toMatchObject({ code: "EVENT_STALE" });
    log.stop();
  });

  it("when sources differ, then each gets its own first line", () => {
    const warn = vi.fn();
    const log = new RefusalLog({ warn } as never, 60_000);
    log.note("a", "SIGNATURE_INVALID");
    log.note("b", "SIGNATURE_INVALID");
    log.note("a", "SIGNATURE_INVALID");
    expect(warn.mock.calls.map((c) => c[0].source)).toEqual(["a", "b"]);
    log.stop();
  });
});
