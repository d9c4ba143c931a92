import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { liveChannel } from "../../src/storage/live-relay.ts";
import { SESSION_LOCK_CLASS, sessionLockKey } from "../../src/storage/session-lock.ts";
import { startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { dryRunCookie, openLiveStream } from "../helpers/console-client.ts";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { AGENT_OPEN_ID, eventually, startTestApp, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

// Several instances share work only through PostgreSQL (SQLite is one process by design), so
// these run in CI's PostgreSQL pass.
const isPg = /^postgres/.test(process.env.TEST_DATABASE_URL ?? "");

let fake: FakeLark;
const running: TestApp[] = [];
const drops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  fake = await startFakeLark();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});
afterAll(async () => {
  await fake.close();
  for (const d of drops) await d();
});

const env = () => ({ LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "s", LARK_DOMAIN: fake.url, SUPERVISOR_CHAT_ID: "oc_sup_scale", SUPERVISOR_OPEN_IDS: "ou_sup" });

async function twoInstances(extraEnv: Record<string, string> = {}, o: Parameters<typeof startTestApp>[2] = {}) {
  const db = testDatabaseUrl();
  drops.push(db.drop);
  const a = await startTestApp(db.url, { ...env(), ...extraEnv }, { pollMs: { inbox: 20, outbox: 20 }, ...o });
  const b = await startTestApp(db.url, { ...env(), ...extraEnv }, { pollMs: { inbox: 20, outbox: 20 }, ...o });
  running.push(a, b);
  return [a, b] as const;
}

const post = (app: TestApp, event: unknown) => {
  const r = larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY });
  return fetch(`${app.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers });
};

/** Message k of chat c: customers and the agent take turns; even chats get a 12315 threat at k=4. */
function conversationEvent(chat: string, c: number, k: number, t0: number) {
  const agent = k % 2 === 1;
  const text = agent ? `您好，我来帮您查一下第${k}个问题` : k === 4 && c % 2 === 0 ? "再不处理我就打12315投诉你们！" : `第${k}次问：我的订单到哪了？`;
  return imMessageEvent({ chatId: chat, text, createTime: t0 + k * 5_000, eventId: `evt_${chat}_${k}`, messageId: `om_${chat}_${k}`, ...(agent ? { senderOpenId: AGENT_OPEN_ID } : {}) });
}

/** Per session, messages were processed (stored) in the order they were sent. */
async function assertProcessedInOrder(app: TestApp, chats: string[]) {
  for (const chat of chats) {
    const msgs = await app.db.prisma.message.findMany({ where: { session: { externalKey: chat } }, orderBy: { sentAt: "asc" }, select: { receivedAt: true, externalId: true } });
    for (let i = 1; i < msgs.length; i++)
      expect(msgs[i]!.receivedAt.getTime(), `${chat}: ${msgs[i]!.externalId} stored before the message sent ahead of it`).toBeGreaterThanOrEqual(msgs[i - 1]!.receivedAt.getTime());
  }
}

describe.skipIf(!isPg)("two instances on one PostgreSQL", () => {
  it("behind one webhook (events spread across both, some delivered to both): each processed once, in order per session, one alert per threat", async () => {
    const [a, b] = await twoInstances();
    const chats = Array.from({ length: 12 }, (_, c) => `oc_scale_${c}`);
    const t0 = Date.now() - 60_000;
    await Promise.all(
      chats.map(async (chat, c) => {
        // Lark sends a chat's events one after another; a load balancer picks the instance.
        for (let k = 0; k < 8; k++) {
          const e = conversationEvent(chat, c, k, t0);
          const first = (c + k) % 2 ? a : b;
          if (k % 3 === 0) {
            // A redelivery racing the first delivery, on the other instance.
            const [r1, r2] = await Promise.all([post(first, e), post(first === a ? b : a, e)]);
            expect([r1.status, r2.status]).toEqual([200, 200]);
          } else expect((await post(first, e)).status).toBe(200);
        }
      }),
    );
    await eventually(async () => (await a.db.prisma.inboxEvent.count({ where: { status: "pending" } })) === 0, "both instances drained the inbox", 30_000);

    const p = a.db.prisma;
    expect(await p.inboxEvent.count()).toBe(96);
    expect(await p.inboxEvent.count({ where: { status: "done" } })).toBe(96);
    expect(await p.message.count()).toBe(96);
    for (const chat of chats) expect(await p.session.count({ where: { externalKey: chat } }), chat).toBe(1);
    await assertProcessedInOrder(a, chats);
    // Work was shared: both instances processed events (their logs say which).
    for (const app of [a, b]) expect(app.logLines.filter((l) => l.includes('"message stored"')).length).toBeGreaterThan(0);

    const alerts = await p.alert.findMany({ select: { session: { select: { externalKey: true } } } });
    const perChat = new Map<string, number>();
    // (An agent-wellbeing alert belongs to no session.)
    for (const al of alerts) if (al.session) perChat.set(al.session.externalKey, (perChat.get(al.session.externalKey) ?? 0) + 1);
    for (const [c, chat] of chats.entries()) if (c % 2 === 0) expect(perChat.get(chat), chat).toBe(1);
    // Each alert card created once at Lark, whichever instance's outbox sent it.
    await eventually(async () => (await p.outboxMessage.count({ where: { status: "pending" } })) === 0, "outbox drained", 20_000);
    // …plus the storm's digest (this many alerts within minutes), opened once however many instances took part.
    const created = fake.delivered.filter((d) => d.body?.receive_id === "oc_sup_scale");
    const digests = created.filter((d) => String(d.body?.content).includes("告警汇总"));
    expect(created.length - digests.length).toBe(alerts.length);
    expect(digests.length).toBe(await p.alertDigest.count());
    expect(digests.length).toBeLessThanOrEqual(1);
  });

  it("a conversation held by another instance is skipped (its events wait, in order); other conversations go on", async () => {
    const [a] = await twoInstances();
    // Stand in for another instance in the middle of processing oc_held: hold its lock.
    const other = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await other.connect();
    try {
      const held = [SESSION_LOCK_CLASS, sessionLockKey({ channel: "lark_group", externalKey: "oc_held" })];
      await other.query("SELECT pg_advisory_lock($1, hashtext($2))", held);
      const t0 = Date.now() - 60_000;
      for (let k = 0; k < 3; k++) {
        expect((await post(a, imMessageEvent({ chatId: "oc_held", text: `第${k}条：在吗`, createTime: t0 + k * 1000 }))).status).toBe(200);
        expect((await post(a, imMessageEvent({ chatId: "oc_free", text: `第${k}条：在吗`, createTime: t0 + k * 1000 }))).status).toBe(200);
      }
      const p = a.db.prisma;
      await eventually(async () => (await p.message.count({ where: { session: { externalKey: "oc_free" } } })) === 3, "the free conversation processed");
      await new Promise((r) => setTimeout(r, 300));
      expect(await p.message.count({ where: { session: { externalKey: "oc_held" } } })).toBe(0);
      expect(await p.inboxEvent.count({ where: { status: "pending" } })).toBe(3);

      await other.query("SELECT pg_advisory_unlock($1, hashtext($2))", held);
      await eventually(async () => (await p.message.count({ where: { session: { externalKey: "oc_held" } } })) === 3, "processed once released", 10_000);
      await assertProcessedInOrder(a, ["oc_held", "oc_free"]);
    } finally {
      await other.end();
    }
  });

  it("timers on both instances at once: each waiting customer reported once, each idle session closed once", async () => {
    const now = Date.now();
    // Both instances' timers see the same instant.
    const [a, b] = await twoInstances({}, { startWorkers: false, clock: { now: () => now } });
    const waiting = Array.from({ length: 6 }, (_, i) => `oc_wait_${i}`);
    const idle = Array.from({ length: 6 }, (_, i) => `oc_idle_${i}`);
    for (const chat of waiting) expect((await post(a, imMessageEvent({ chatId: chat, text: "在吗？我的订单怎么还没发货", createTime: now - 5 * 60_000 }))).status).toBe(200);
    for (const chat of idle) expect((await post(b, imMessageEvent({ chatId: chat, text: "好的谢谢", createTime: now - 40 * 60_000 }))).status).toBe(200);
    while ((await a.workers.runOnce("inbox")) > 0);

    const [wa, wb] = await Promise.all([a.workers.runOnce("waiting timer"), b.workers.runOnce("waiting timer")]);
    expect(wa + wb).toBe(6);
    const p = a.db.prisma;
    expect(await p.finding.count({ where: { detector: "waiting" } })).toBe(6);
    for (const chat of waiting) expect(await p.alert.count({ where: { session: { externalKey: chat } } }), chat).toBe(1);

    const [ca, cb] = await Promise.all([a.workers.runOnce("idle sweeper"), b.workers.runOnce("idle sweeper")]);
    expect(ca + cb).toBe(6);
    expect(await p.session.count({ where: { externalKey: { in: idle }, status: "closed" } })).toBe(6);
    expect(await p.session.count({ where: { externalKey: { in: waiting }, status: "open" } })).toBe(6);
    // The end-of-session checks ran once per closed session (not once per instance).
    const closing = await p.ruleHit.groupBy({ by: ["sessionId", "kind"], where: { session: { externalKey: { in: idle } } }, _count: { _all: true } });
    for (const h of closing) expect(h._count._all, `${h.kind} in ${h.sessionId}`).toBe(1);
  });

  it("two long-connection clients (Lark gives each event to one of them): all stored once, in order, redeliveries ignored", async () => {
    const [a, b] = await twoInstances({ LARK_EVENT_MODE: "ws" });
    await eventually(() => fake.wsClients >= 2, "both clients connected");
    const chats = Array.from({ length: 4 }, (_, c) => `oc_ws_scale_${c}`);
    const t0 = Date.now() - 60_000;
    await Promise.all(
      chats.map(async (chat, c) => {
        for (let k = 0; k < 6; k++) {
          const e = conversationEvent(chat, c + 1, k, t0);
          expect((await fake.pushEvent(e, `frame_${chat}_${k}`, { spread: true })).code).toBe(200);
          // Lark redelivers under a new frame id when it missed an ack; the other client gets it.
          if (k === 2) expect((await fake.pushEvent(e, `frame_${chat}_${k}_again`, { spread: true })).code).toBe(200);
        }
      }),
    );
    await eventually(async () => (await a.db.prisma.message.count()) === 24 && (await a.db.prisma.inboxEvent.count({ where: { status: "pending" } })) === 0, "all processed", 30_000);
    const p = b.db.prisma;
    expect(await p.inboxEvent.count()).toBe(24);
    for (const chat of chats) expect(await p.session.count({ where: { externalKey: chat } })).toBe(1);
    await assertProcessedInOrder(b, chats);
    for (const app of [a, b]) expect(app.logLines.filter((l) => l.includes('"via":"ws"')).length, "each client recorded events").toBeGreaterThan(0);
  });

  it("a live board on one instance shows what another instance processed (LISTEN/NOTIFY)", async () => {
    const db = testDatabaseUrl();
    drops.push(db.drop);
    // Dry-run (no Lark): the console opens on loopback as the demo supervisor. A runs no workers:
    // only B processes, so A can only learn of the change from B.
    const a = await startTestApp(db.url, {}, { pollMs: { inbox: 20, outbox: 20 }, startWorkers: false });
    const b = await startTestApp(db.url, {}, { pollMs: { inbox: 20, outbox: 20 } });
    running.push(a, b);
    const stream = await openLiveStream(a.url, await dryRunCookie(a.url));
    try {
      const posted = await fetch(`${b.url}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ sessionId: "via-b-001", messageId: "m1", role: "customer", senderId: "c1", text: "请问发货了吗" }),
      });
      expect(posted.status).toBe(202);
      const session = await eventually(() => b.db.prisma.session.findFirst({ where: { externalKey: "via-b-001" } }), "B processed it");
      await eventually(() => stream.text().includes(`"id":"${session.id}"`) && stream.text().includes("via-b-001"), "the row on A's live stream");

      // The listening connection cut (a failover, an idle-connection reaper): the relay listens again.
      const admin = new pg.Client({ connectionString: db.url.replace(/[?&]schema=[^&]*/, "") });
      await admin.connect();
      try {
        // This test's channel only (other files' instances listen on theirs).
        const listen = `LISTEN ${liveChannel(db.url)}`;
        // A's connection: its last statement is the LISTEN (B's has notified since).
        const cut = await admin.query("SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()", [listen]);
        expect(cut.rowCount).toBe(1);
        const old = cut.rows[0].pid;
        await eventually(async () => (await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1 AND pid <> $2", [listen, old])).rows[0].n === 1, "A listening again");
      } finally {
        await admin.end();
      }
      const again = await fetch(`${b.url}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ sessionId: "via-b-002", messageId: "m2", role: "customer", senderId: "c2", text: "还在吗" }),
      });
      expect(again.status).toBe(202);
      await eventually(() => stream.text().includes("via-b-002"), "a row on A's stream after the reconnect");
    } finally {
      await stream.close();
    }
  });
});
