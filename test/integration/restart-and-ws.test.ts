import { createInboxRepo } from "../../src/storage/inbox-repo.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRecorder } from "../../src/edge/record-event.ts";
import { createWsDispatcher } from "../../src/edge/lark-ws.ts";
import { fixture, imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { startFakeLark } from "../fakes/fake-lark-server.ts";
import { eventually, startTestApp, TEST_ENCRYPT_KEY, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

let url: string;
let drop: () => Promise<void>;
let app: TestApp | undefined;

beforeAll(() => {
  const db = testDatabaseUrl();
  url = db.url;
  drop = db.drop;
});
afterAll(async () => {
  await app?.stop();
  await drop();
});

describe("acknowledged means durable", () => {
  it("events acknowledged before a stop are processed after the restart, once", async () => {
    app = await startTestApp(url, {}, { startWorkers: false });
    const events = Array.from({ length: 5 }, (_, i) => imMessageEvent({ chatId: "oc_restart", text: `message ${i}`, createTime: Date.UTC(2026, 10, 1, 10, 0, i) }));
    for (const e of events) {
      const req = larkRequest(e, { encryptKey: TEST_ENCRYPT_KEY });
      expect((await fetch(`${app.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers })).status).toBe(200);
    }
    expect(await app.db.prisma.message.count()).toBe(0);
    await app.stop();

    app = await startTestApp(url);
    await eventually(async () => (await app!.db.prisma.message.count()) === 5);
    const texts = (await app.db.prisma.message.findMany({ orderBy: { sentAt: "asc" } })).map((m) => m.text);
    expect(texts).toEqual(events.map((_, i) => `message ${i}`));
    expect(await app.db.prisma.inboxEvent.count({ where: { status: "done" } })).toBe(5);
  });
});

describe("long connection (ws) dispatcher", () => {
  it("records events from the SDK's frames into the same inbox, deduplicated with webhook deliveries", async () => {
    app ??= await startTestApp(url);
    const { record } = createRecorder(createInboxRepo(app.db), () => app!.workers.kick("inbox"));
    const ws = createWsDispatcher(record);
    const event = imMessageEvent({ chatId: "oc_ws", text: "via long connection" });
    await ws.invoke(event);
    // The same message arriving by webhook too is a duplicate, not a second message.
    const req = larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY });
    await fetch(`${app.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers });
    await eventually(async () => (await app!.db.prisma.message.count({ where: { session: { externalKey: "oc_ws" } } })) === 1);
    const row = await app.db.prisma.inboxEvent.findFirst({ where: { eventType: "im.message.receive_v1", payload: { contains: "via long connection" } } });
    expect(row?.source).toBe("lark_ws");
  });

  it("answers card callbacks on the ack frame with the handler's toast and card", async () => {
    const answer = { toast: { type: "success", content: "ok" } };
    const ws = createWsDispatcher(
      async () => true,
      async () => answer,
    );
    const e = fixture("card.action.trigger.callback.jsonc");
    expect(await ws.invoke(e)).toEqual(answer);
  });

  it("refuses a frame that is not a v2 event, so the SDK answers 500 and Lark redelivers", async () => {
    const ws = createWsDispatcher(async () => true);
    await expect(ws.invoke({ schema: "1.0" })).rejects.toThrow(/schema 2.0/);
  });

  it("LARK_EVENT_MODE=ws: the SDK's WSClient connects, events are stored, and frames are acked with 200", async () => {
    await app?.stop();
    const fake = await startFakeLark();
    try {
      app = await startTestApp(url, { LARK_EVENT_MODE: "ws", LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "secret", LARK_DOMAIN: fake.url });
      await eventually(() => fake.wsClients > 0, "long connection established");
      const event = imMessageEvent({ chatId: "oc_ws_e2e", text: "通过长连接收到的消息" });
      const ack = await fake.pushEvent(event, "frame-1");
      expect(ack.code).toBe(200);
      const m = await eventually(() => app!.db.prisma.message.findFirst({ where: { session: { externalKey: "oc_ws_e2e" } } }));
      expect(m.text).toBe("通过长连接收到的消息");
      // Lark redelivers over the connection when an ack is lost: still one message.
      expect((await fake.pushEvent(event, "frame-2")).code).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
      expect(await app.db.prisma.message.count({ where: { session: { externalKey: "oc_ws_e2e" } } })).toBe(1);
    } finally {
      await app?.stop();
      app = undefined;
      await fake.close();
    }
  });

  it("the liveness watchdog reconnects when pings go unanswered", async () => {
    await app?.stop();
    const fake = await startFakeLark({ wsPingIntervalSeconds: 1 });
    try {
      app = await startTestApp(url, { LARK_EVENT_MODE: "ws", LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "secret", LARK_DOMAIN: fake.url, WS_PING_TIMEOUT_SECONDS: "1" });
      await eventually(() => fake.wsConnections >= 2, "a second connection after the dead one was detected", 15_000);
    } finally {
      await app?.stop();
      app = undefined;
      await fake.close();
    }
  });
});
