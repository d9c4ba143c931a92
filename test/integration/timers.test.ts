import { describe, expect, it } from "vitest";
import { testClock } from "../fakes/test-clock.ts";
import { turnsDuring } from "../helpers/event-loop.ts";
import { eventually, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const T0 = Date.UTC(2026, 10, 20, 2, 0, 0);
const clock = testClock(T0);
// Timers driven by hand (startWorkers: false), so each pass can be observed.
const ctx = useTestApp({}, { clock, startWorkers: false });

describe("timers with a thousand customers: bounded passes that yield", () => {
  it("the waiting timer and the idle sweeper work in batches, let the loop turn between sessions, and finish the job", async () => {
    const N = 120;
    const ts = Math.floor(T0 / 1000);
    const batch = Array.from({ length: N }, (_, i) => ({ sessionId: `wait-${i}`, messageId: `wait-${i}-1`, role: "customer", senderId: `c-${i}`, text: "请问有人在吗？", ts }));
    const res = await fetch(`${ctx.app.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` },
      body: JSON.stringify(batch),
    });
    expect(res.status).toBe(202);
    while ((await ctx.app.workers.runOnce("inbox")) > 0);
    await eventually(async () => (await ctx.app.db.prisma.message.count()) === N, "all stored");

    // Five minutes later every one of them is waiting.
    const later = T0 + 5 * 60_000;
    clock.set(later);
    const waiting = () => ctx.app.workers.runOnce("waiting timer");
    const found = () => ctx.app.db.prisma.finding.count({ where: { detector: "waiting" } });
    const first = await turnsDuring(waiting);
    expect(first.value).toBeGreaterThan(0);
    expect(await found()).toBeLessThanOrEqual(50);
    expect(first.turns).toBeGreaterThanOrEqual(await found());
    let passes = 1;
    while ((await waiting()) > 0) passes++;
    expect(passes).toBeGreaterThanOrEqual(3);
    expect(await found()).toBe(N);
    expect(await waiting()).toBe(0); // each wait reported once

    // An hour later they are all idle.
    const idle = T0 + 60 * 60_000;
    clock.set(idle);
    const sweeping = () => ctx.app.workers.runOnce("idle sweeper");
    const sweep = await turnsDuring(sweeping);
    expect(sweep.value).toBeLessThanOrEqual(50);
    expect(sweep.turns).toBeGreaterThanOrEqual(sweep.value);
    let closed = sweep.value;
    for (let n = 1; n > 0; closed += n) n = await sweeping();
    expect(closed).toBe(N);
    expect(await ctx.app.db.prisma.session.count({ where: { status: "open" } })).toBe(0);
  });
});
