import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../../src/actions/rate-limiter.ts";
import { backoffMs } from "../../../src/actions/outbox-worker.ts";

describe("rate limiter", () => {
  it("allows 5 per second to one chat, then says how long to wait", () => {
    const rl = createRateLimiter(5, 50);
    const granted = Array.from({ length: 7 }, () => rl.take("oc_1", 1000));
    expect(granted.filter((w) => w === 0)).toHaveLength(5);
    expect(granted[5]).toBeGreaterThan(0);
    expect(granted[5]).toBeLessThanOrEqual(200);
    expect(rl.take("oc_1", 1200)).toBe(0); // one token back after 200 ms
  });

  it("caps the whole app at 50 per second across chats", () => {
    const rl = createRateLimiter(5, 50);
    const waits = Array.from({ length: 60 }, (_, i) => rl.take(`oc_${i}`, 0));
    expect(waits.filter((w) => w === 0)).toHaveLength(50);
  });

  it("backs a chat off after Lark said it was too fast", () => {
    const rl = createRateLimiter(5, 50);
    rl.drain("oc_1", 0);
    expect(rl.take("oc_1", 0)).toBeGreaterThan(0);
    expect(rl.take("oc_2", 0)).toBe(0);
  });
});

describe("backoff", () => {
  it("doubles per attempt with jitter and a ceiling", () => {
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(backoffMs(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
