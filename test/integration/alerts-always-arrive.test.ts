import { describe, expect, it } from "vitest";
import { testClock } from "../fakes/test-clock.ts";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, readJson, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const T0 = Date.UTC(2026, 10, 20, 2, 0, 0);
const clock = testClock(T0);
// Workers driven by hand, so each timer pass can be observed; a supervisors' chat, so alerts make cards.
const ctx = useTestApp({ SUPERVISOR_CHAT_ID: "oc_sup_arrive", SUPERVISOR_OPEN_IDS: "ou_sup" }, { clock, startWorkers: false });

type Msg = { sessionId: string; messageId: string; role: "customer" | "agent"; senderId: string; text: string; ts: number; meta?: Record<string, unknown> };

async function ingest(messages: Msg[]) {
  for (let i = 0; i < messages.length; i += 100) {
    const res = await fetch(`${ctx.app.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` },
      body: JSON.stringify(messages.slice(i, i + 100)),
    });
    expect(res.status, await res.clone().text()).toBe(202);
  }
  while ((await ctx.app.workers.runOnce("inbox")) > 0);
}

const sessionIdOf = async (externalKey: string) => (await ctx.app.db.prisma.session.findFirstOrThrow({ where: { externalKey } })).id;
const waitingFound = async (externalKey: string) => ctx.app.db.prisma.finding.count({ where: { detector: "waiting", session: { externalKey } } });
/** Every pass of the waiting timer until it says it has walked them all. */
async function runWaitingTimer() {
  for (let pass = 0; pass < 100 && (await ctx.app.workers.runOnce("waiting timer")) > 0; pass++);
}

describe("alerts always arrive: outside keys are data, and one bad session never stops the others", () => {
  it("a 12315 threat in a session whose meta has prototype-named keys reaches the supervisors as a card, with the keys shown as sent", async () => {
    const ts = Math.floor(T0 / 1000);
    const meta = JSON.parse('{"toString":"x","constructor":"y","valueOf":"z","hasOwnProperty":"w","__proto__":"p","orderId":"A-778"}');
    await ingest([
      { sessionId: "proto-1", messageId: "proto-1-1", role: "customer", senderId: "c-proto", text: "你们再不退款我就打12315投诉！", ts, meta },
      { sessionId: "proto-1", messageId: "proto-1-2", role: "customer", senderId: "c-proto", text: "我要去消协投诉你们，太过分了", ts: ts + 5, meta },
    ]);
    const p = ctx.app.db.prisma;
    expect(await p.inboxEvent.count({ where: { status: { not: "done" } } })).toBe(0);
    const sessionId = await sessionIdOf("proto-1");
    const alert = await p.alert.findFirstOrThrow({ where: { sessionId } });
    expect(alert.severity).toBe("critical");
    const create = await p.outboxMessage.findFirstOrThrow({ where: { uuid: `alert-${alert.id}-create` } });
    while ((await ctx.app.workers.runOnce("outbox")) > 0);
    expect((await p.outboxMessage.findUniqueOrThrow({ where: { id: create.id } })).status).toBe("dry_run");
    const card = JSON.stringify(JSON.parse(create.payload));
    // The full card (not the plain fallback): the order and the odd keys as plain words.
    expect(card).toContain("订单号");
    expect(card).toContain("A-778");
    expect(card).toContain("toString");
    expect(card).not.toContain("function");
    // The session's API view shows the same keys as data.
    const api = await readJson(await fetch(`${ctx.app.url}/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}` } }));
    expect(JSON.stringify(api)).not.toContain("[native code]");
  });

  it("an ingest channel named like a prototype key is not a webhook: the message is processed", async () => {
    const ts = Math.floor(T0 / 1000);
    await ingest([{ sessionId: "proto-2", messageId: "proto-2-1", role: "customer", senderId: "c-proto2", text: "我要投诉，12315见", ts, meta: { channel: "constructor" } }]);
    expect(await ctx.app.db.prisma.inboxEvent.count({ where: { status: { not: "done" } } })).toBe(0);
    expect(await ctx.app.db.prisma.alert.count({ where: { session: { externalKey: "proto-2" } } })).toBe(1);
  });

  it("Lark events whose type or message type is named like a prototype key are answered and stored as data, not thrown on", async () => {
    const send = async (event: unknown) => {
      const r = larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY, timestamp: Math.floor(clock.now() / 1000) });
      return (await fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers })).status;
    };
    const odd = imMessageEvent({ chatId: "oc_proto_type", createTime: clock.now() });
    odd.header.event_type = "constructor";
    expect(await send(odd)).toBe(200);
    const typed = imMessageEvent({ chatId: "oc_proto_type", createTime: clock.now() });
    typed.event.message.message_type = "toString";
    expect(await send(typed)).toBe(200);
    while ((await ctx.app.workers.runOnce("inbox")) > 0);
    const p = ctx.app.db.prisma;
    expect(await p.inboxEvent.count({ where: { status: { notIn: ["done", "ignored"] } } })).toBe(0);
    const stored = await p.message.findFirstOrThrow({ where: { session: { externalKey: "oc_proto_type" } } });
    expect(stored.text).toBe("[toString]");
  });

  it("with 250 answered sessions and 260 waiting, every waiting customer gets a waiting alert, and a session the timer fails on is set aside", async () => {
    const t1 = T0 + 3_600_000;
    clock.set(t1);
    const ts = Math.floor(t1 / 1000);
    const answered: Msg[] = Array.from({ length: 250 }, (_, i) => [
      { sessionId: `ans-${i}`, messageId: `ans-${i}-1`, role: "customer" as const, senderId: `ca-${i}`, text: "请问发货了吗", ts: ts - 30 },
      { sessionId: `ans-${i}`, messageId: `ans-${i}-2`, role: "agent" as const, senderId: "ou_agent_0001", text: "您好，已经发货了，请留意物流", ts: ts - 20 },
    ]).flat();
    // The answered ones wrote first: a timer that reads the oldest 200 and then drops the answered never sees the others.
    const waiting: Msg[] = Array.from({ length: 260 }, (_, i) => ({
      sessionId: `wait-${i}`,
      messageId: `wait-${i}-1`,
      role: "customer" as const,
      senderId: `cw-${i}`,
      text: "请问有人在吗？",
      ts: ts + 10 + i * 0.01,
    }));
    await ingest([...answered, ...waiting]);
    // One waiting session whose stored data no version of us can read (a corrupt score row).
    const poisoned = await sessionIdOf("wait-3");
    await ctx.app.db.sql.run(`UPDATE "MessageScore" SET "escalation" = '{not json' WHERE "sessionId" = ?`, [poisoned]);

    clock.set(t1 + 10 * 60_000);
    await runWaitingTimer();
    const p = ctx.app.db.prisma;
    expect(await p.finding.count({ where: { detector: "waiting", session: { externalKey: { startsWith: "wait-" } } } })).toBe(259);
    expect(await waitingFound("wait-3")).toBe(0);
    expect(await waitingFound("wait-259")).toBe(1);
    expect(await p.finding.count({ where: { detector: "waiting", session: { externalKey: { startsWith: "ans-" } } } })).toBe(0);
    expect(ctx.app.logLines.some((l) => l.includes("waiting timer: a session failed") && l.includes(poisoned))).toBe(true);

    // A newly waiting customer among them all is alerted on the next pass too.
    await ingest([{ sessionId: "late", messageId: "late-1", role: "customer", senderId: "c-late", text: "在吗？等半天了", ts: Math.floor((t1 + 10 * 60_000) / 1000) }]);
    clock.set(t1 + 16 * 60_000);
    await runWaitingTimer();
    expect(await waitingFound("late")).toBe(1);

    // The idle sweeper closes every session, the poisoned one too (without its closing checks).
    clock.set(t1 + 3 * 3_600_000);
    for (let pass = 0; pass < 100 && (await ctx.app.workers.runOnce("idle sweeper")) > 0; pass++);
    expect(await p.session.count({ where: { status: "open" } })).toBe(0);
    expect(ctx.app.logLines.some((l) => l.includes("idle sweeper: a session failed") && l.includes(poisoned))).toBe(true);
    await eventually(async () => (await p.session.findUniqueOrThrow({ where: { id: poisoned } })).closeReason === "idle");
  });

  it("a customer who keeps nudging is waiting since their first unanswered message, not their latest", async () => {
    // After the other tests' days (each sets the clock forward).
    const t2 = T0 + 7 * 3_600_000;
    clock.set(t2);
    const ts = Math.floor(t2 / 1000);
    await ingest([
      { sessionId: "nudge", messageId: "nudge-1", role: "customer", senderId: "c-nudge", text: "在吗", ts },
      { sessionId: "nudge", messageId: "nudge-2", role: "customer", senderId: "c-nudge", text: "在吗？？", ts: ts + 50 },
      { sessionId: "nudge", messageId: "nudge-3", role: "customer", senderId: "c-nudge", text: "人呢", ts: ts + 100 },
    ]);
    // Two minutes after the first message, twenty seconds after the last: past the first-reply wait.
    clock.set(t2 + 120_000);
    await runWaitingTimer();
    expect(await waitingFound("nudge")).toBe(1);
  });
});
