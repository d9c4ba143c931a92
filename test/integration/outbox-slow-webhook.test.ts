import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { eventually, startTestApp, TEST_INGEST_TOKEN, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

/** A channel's webhook receiver on loopback: `hang` never answers, `fail` answers 500, `ok` answers 200. */
async function startReceiver() {
  const seen = { hang: 0, fail: 0, ok: 0, hangingNow: 0, mostHangingAtOnce: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url === "/hang") {
      seen.hang++;
      seen.hangingNow++;
      seen.mostHangingAtOnce = Math.max(seen.mostHangingAtOnce, seen.hangingNow);
      req.socket.on("close", () => seen.hangingNow--);
      return; // never answers
    }
    if (req.url === "/fail") {
      seen.fail++;
      return void res.writeHead(500).end("down");
    }
    seen.ok++;
    res.writeHead(200).end("{}");
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let fake: FakeLark;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let app: TestApp;
let drop: () => Promise<void>;

beforeAll(async () => {
  fake = await startFakeLark();
  receiver = await startReceiver();
  const db = testDatabaseUrl();
  drop = db.drop;
  app = await startTestApp(
    db.url,
    {
      LARK_APP_ID: "cli_a1b2c3d4e5f60718",
      LARK_APP_SECRET: "app-secret-for-tests",
      LARK_DOMAIN: fake.url,
      SUPERVISOR_CHAT_ID: "oc_sup_slow",
      CHANNEL_WEBHOOKS: `slowshop=${receiver.url}/hang,badshop=${receiver.url}/fail,goodshop=${receiver.url}/ok`,
      CHANNEL_WEBHOOK_SECRET: "webhook-secret-0123456789",
    },
    { startWorkers: false },
  );
});
afterAll(async () => {
  await app?.stop();
  await receiver?.close();
  await fake?.close();
  await drop?.();
});

async function threaten(channel: string, n: number) {
  const ts = Math.floor(Date.now() / 1000) - 60;
  const batch = Array.from({ length: n }, (_, i) => ({
    sessionId: `${channel}-${i}`,
    messageId: `${channel}-${i}-1`,
    role: "customer",
    senderId: `c-${channel}-${i}`,
    text: "再不退款我就打12315投诉你们",
    ts,
    channel,
  }));
  const res = await fetch(`${app.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` }, body: JSON.stringify(batch) });
  expect(res.status).toBe(202);
  while ((await app.workers.runOnce("inbox")) > 0);
}

describe("a channel webhook that never answers delays nobody else", () => {
  it("supervisors' cards go out at Lark's pace while the hanging webhook holds two sends at most; other webhooks are served; a failing one is left alone after three tries", async () => {
    // The hanging channel's alerts come first, so their webhook rows are the oldest in the outbox.
    await threaten("slowshop", 15);
    await threaten("badshop", 6);
    await threaten("goodshop", 3);
    const p = app.db.prisma;
    // One card per alert, and the storm digest.
    const cards = await p.outboxMessage.count({ where: { kind: "message.create" } });
    expect(cards).toBeGreaterThanOrEqual(24);
    expect(await p.outboxMessage.count({ where: { kind: "webhook.post" } })).toBe(24);

    // Passes, each bounded by its own short wait for webhooks (not by their 5 s timeout), until
    // every card is out at Lark's pace for one chat (5 a second). Sent one webhook at a time with
    // its timeout, the hanging channel's fifteen rows alone would hold them for over a minute.
    await eventually(
      async () => {
        await app.workers.runOnce("outbox");
        return (await p.outboxMessage.count({ where: { kind: "message.create", status: "sent" } })) === cards;
      },
      "every supervisor card sent",
      30_000,
    );
    const creates = fake.calls.filter((c) => c.path === "/open-apis/im/v1/messages");
    expect(creates.length).toBe(cards);
    expect(await p.outboxMessage.count({ where: { kind: "message.create", status: "sent" } })).toBe(cards);
    // The hanging destination: never more than two sends at once, and its rows still pending (nothing lost).
    expect(receiver.seen.mostHangingAtOnce).toBeLessThanOrEqual(2);
    expect(receiver.seen.hang).toBeLessThanOrEqual(6);
    expect(await p.outboxMessage.count({ where: { kind: "webhook.post", target: `${receiver.url}/hang`, status: "pending" } })).toBe(15);
    // The healthy one was served meanwhile.
    expect(receiver.seen.ok).toBe(3);
    expect(await p.outboxMessage.count({ where: { kind: "webhook.post", target: `${receiver.url}/ok`, status: "sent" } })).toBe(3);
    // The failing one: three failures in a row open its circuit (a send already in flight may
    // make it four); from then on its rows wait without spending attempts.
    await eventually(async () => {
      await app.workers.runOnce("outbox");
      return receiver.seen.fail >= 3;
    });
    await new Promise((r) => setTimeout(r, 100));
    const tried = receiver.seen.fail;
    expect(tried).toBeLessThanOrEqual(4);
    for (let pass = 0; pass < 4; pass++) await app.workers.runOnce("outbox");
    expect(receiver.seen.fail).toBe(tried);
    const bad = await p.outboxMessage.findMany({ where: { target: `${receiver.url}/fail` } });
    expect(bad.every((r) => r.status === "pending")).toBe(true);
    expect(bad.filter((r) => r.attempts === 0)).toHaveLength(6 - tried);
  });
});
