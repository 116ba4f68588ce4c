import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter";

describe("the send rate limiter", () => {
  it("when many calls arrive at once, then they pass in order and no faster than the rate (beyond the small burst)", async () => {
    const limiter = new RateLimiter(200, 0.05); // burst of 10
    const started = Date.now();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 60 }, (_, i) => limiter.take().then(() => order.push(i))));
    const elapsed = Date.now() - started;
    expect(order).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // 60 calls at 200/s with at most 10 ahead: at least (60 - 10) / 200 s.
    expect(elapsed).toBeGreaterThanOrEqual(240);
  });
});
