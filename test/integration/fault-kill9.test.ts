import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/db.ts";
import { useFaultHarness } from "../helpers/fault-harness.ts";
import { imMessageEvent, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { AGENT_OPEN_ID, eventually, TEST_ENCRYPT_KEY } from "../helpers/start-test-app.ts";

const harness = useFaultHarness();
const { freshDb, larkEnv, deliver } = harness;

describe("kill -9 during sustained ingest", () => {
  it("after a restart, everything acknowledged is stored and processed once, and no alert card is sent twice", async () => {
    const dbUrl = freshDb();
    const supChat = "oc_sup_kill9";
    const env = { DATABASE_URL: dbUrl, LARK_ENCRYPT_KEY: TEST_ENCRYPT_KEY, LARK_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN, AGENT_OPEN_IDS: AGENT_OPEN_ID, ...larkEnv(supChat) };
    const chats = Array.from({ length: 16 }, (_, c) => `oc_k9_${c}`);
    const t0 = Date.now() - 120_000;
    // Each chat: customer and agent take turns; every fourth chat's customer threatens 12315.
    const events = chats.flatMap((chat, c) =>
      Array.from({ length: 12 }, (_, k) => {
        const agent = k % 2 === 1;
        const text = agent ? `您好，正在为您处理第${k}步` : c % 4 === 0 && k === 6 ? "再不处理我就打12315投诉你们！" : `第${k}次问：订单到哪了`;
        return imMessageEvent({ chatId: chat, text, createTime: t0 + k * 3_000, eventId: `evt_k9_${c}_${k}`, messageId: `om_k9_${c}_${k}`, ...(agent ? { senderOpenId: AGENT_OPEN_ID } : {}) });
      }),
    );
    const status = new Map<string, number>();

    const first = await startServerProcess(env);
    // Sustained ingest (eight concurrent senders), killed mid-stream.
    let next = 0;
    let killed = false;
    const senders = Array.from({ length: 8 }, async () => {
      while (next < events.length && !killed) {
        const e = events[next++]!;
        status.set(e.header.event_id, await deliver(first.url, e));
      }
    });
    await eventually(() => [...status.values()].filter((s) => s === 200).length >= 60, "some events acknowledged", 20_000);
    await first.kill9();
    killed = true;
    await Promise.all(senders);
    const acked = [...status].filter(([, s]) => s === 200).map(([id]) => id);
    expect(acked.length).toBeGreaterThanOrEqual(60);

    // Lark redelivers what got no 200 (and, now and then, something that did).
    const second = await startServerProcess(env);
    try {
      for (const e of events) {
        const id = e.header.event_id;
        if (status.get(id) !== 200 || id.endsWith("_0")) expect(await deliver(second.url, e)).toBe(200);
      }
      const db = openDatabase(dbUrl);
      try {
        const p = db.prisma;
        await eventually(
          async () => (await p.inboxEvent.count({ where: { status: "pending" } })) === 0 && (await p.outboxMessage.count({ where: { status: "pending" } })) === 0,
          "drained after restart",
          60_000,
        );
        // Nothing acknowledged was lost…
        const stored = new Set((await p.message.findMany({ select: { externalId: true } })).map((m) => m.externalId));
        for (const id of acked) expect(stored.has(id.replace("evt_", "om_")), `acked ${id} was stored`).toBe(true);
        // …everything was processed exactly once…
        expect(await p.inboxEvent.count()).toBe(events.length);
        expect(await p.inboxEvent.count({ where: { status: "done" } })).toBe(events.length);
        expect(await p.message.count()).toBe(events.length);
        expect(await p.messageScore.count()).toBe(events.length);
        for (const chat of chats) expect(await p.session.count({ where: { externalKey: chat } }), chat).toBe(1);
        // …and each threat raised one alert, whose card reached Lark once.
        for (const [c, chat] of chats.entries()) {
          if (c % 4 === 0) expect(await p.alert.count({ where: { session: { externalKey: chat } } }), chat).toBe(1);
        }
        // One card per alert, plus (this many alerts in minutes are a storm) one digest card, each once.
        const toSupervisors = harness.fake.delivered.filter((d) => d.body?.receive_id === supChat);
        const digests = toSupervisors.filter((d) => String(d.body?.content).includes("告警汇总"));
        expect(toSupervisors.length - digests.length).toBe(await p.alert.count());
        expect(digests).toHaveLength(await p.alertDigest.count());
      } finally {
        await db.close();
      }
    } finally {
      await second.stop();
    }
  }, 120_000);
});
