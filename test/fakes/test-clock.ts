import type { Clock } from "../../src/shared/clock.ts";

/**
 * A clock that starts at a chosen instant and runs at real speed from there, so timers,
 * backoffs and leases behave as in production while the date and time of day are the test's
 * own choice, never the machine's. `set` moves it (a restart "the next morning").
 */
export function testClock(startMs: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let base = startMs;
  let origin = performance.now();
  return {
    now: () => Math.floor(base + (performance.now() - origin)),
    set(ms) {
      base = ms;
      origin = performance.now();
    },
    advance(ms) {
      base += ms;
    },
  };
}
