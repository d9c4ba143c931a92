import http from "node:http";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { dryRunCookie, openLiveStream } from "../helpers/console-client.ts";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, readJson, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const ctx = useTestApp({ MAX_IN_FLIGHT_REQUESTS: "2" });
const isPg = /^postgres/.test(process.env.TEST_DATABASE_URL ?? "");

/**
 * Holds the inbox table (a PostgreSQL table lock) so that requests which have arrived whole wait
 * for their insert, and so stay in flight, until released. (SQLite cannot be held from inside the
 * process without stopping its event loop; test/unit/edge/edge-load.test.ts covers the gate there.)
 */
async function holdInbox() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const tx = ctx.app.db.prisma.$transaction(
    async (t) => {
      await t.$executeRawUnsafe('LOCK TABLE "InboxEvent" IN EXCLUSIVE MODE');
      locked();
      await released;
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
  await isLocked;
  return async () => {
    release();
    await tx;
  };
}

const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${ctx.app.url}${path}`, { method: "POST", body, headers });
const larkEvent = (chat: string, text: string) => larkRequest(imMessageEvent({ chatId: chat, text }), { encryptKey: TEST_ENCRYPT_KEY });

describe("overload: past MAX_IN_FLIGHT_REQUESTS", () => {
  it.skipIf(!isPg)("new requests are refused at once with 503 + Retry-After and record nothing; the ones in flight complete", async () => {
    const release = await holdInbox();
    const a = larkEvent("oc_busy_1", "第一条");
    const b = larkEvent("oc_busy_2", "第二条");
    const inFlight = [post("/lark/events", a.body, a.headers), post("/lark/events", b.body, b.headers)];
    await eventually(async () => (await readJson(await fetch(`${ctx.app.url}/healthz`))).requests?.inFlight === 2, "two requests in flight");

    const r = larkEvent("oc_shed", "被拒绝的消息");
    const shed = await post("/lark/events", r.body, r.headers);
    expect(shed.status).toBe(503);
    expect(shed.headers.get("retry-after")).toBe("1");
    expect((await readJson(shed)).error).toBe("overloaded");

    await release();
    expect((await Promise.all(inFlight)).map((x) => x.status)).toEqual([200, 200]);
    expect(await ctx.app.db.prisma.inboxEvent.count({ where: { payload: { contains: "oc_shed" } } })).toBe(0);
    // Lark retries the refused one, now accepted.
    expect((await post("/lark/events", r.body, r.headers)).status).toBe(200);
    await eventually(async () => (await ctx.app.db.prisma.message.count()) === 3, "the two held ones and the retry stored");
    const health = await readJson(await fetch(`${ctx.app.url}/healthz`));
    expect(health.requests.shed).toBe(1);
  });

  it("senders that trickle their bodies hold no slot and are cut within seconds; verified traffic goes on", async () => {
    const u = new URL(ctx.app.url);
    // Twenty connections that send headers and "{", then nothing: ten times the limit.
    const junk = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<{ closedAt: Promise<number> }>((resolve) => {
            const s = net.connect(Number(u.port), u.hostname, () => {
              s.write(`POST /lark/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{`);
              // Cut: the server answers 408 and closes its side (a client then closes too), or drops the socket.
              const closedAt = new Promise<number>((r) => {
                s.on("data", (d) => {
                  if (d.toString().startsWith("HTTP/1.1 408")) {
                    r(performance.now());
                    s.destroy();
                  }
                });
                s.on("close", () => r(performance.now()));
              });
              resolve({ closedAt });
            });
            s.on("error", () => undefined);
          }),
      ),
    );
    const opened = performance.now();
    await eventually(async () => (await readJson(await fetch(`${ctx.app.url}/healthz`))).requests?.receiving === 20, "junk connections open");
    // While they hang: a signed Lark event and an ingest batch are answered as usual.
    const ev = larkEvent("oc_beside_junk", "正常的消息");
    expect((await post("/lark/events", ev.body, ev.headers)).status).toBe(200);
    const ingest = await post("/v1/messages", JSON.stringify({ sessionId: "beside-junk", messageId: "bj-1", role: "customer", senderId: "c", text: "还在吗" }), {
      "content-type": "application/json",
      authorization: `Bearer ${TEST_INGEST_TOKEN}`,
    });
    expect(ingest.status).toBe(202);
    // The server cuts every one of them (its whole-request deadline), not 30 s later.
    const closed = await Promise.all(junk.map((j) => j.closedAt));
    expect(Math.max(...closed) - opened).toBeLessThan(15_000);
    await eventually(async () => (await readJson(await fetch(`${ctx.app.url}/healthz`))).requests?.receiving === 0, "no connection left receiving");
  });

  it("a half-sent request is cut, nothing recorded; sent in full it is taken", async () => {
    const r = larkEvent("oc_half", "慢慢发来的消息");
    const u = new URL(`${ctx.app.url}/lark/events`);
    const body = Buffer.from(r.body);
    const status = await new Promise<number | string>((resolve) => {
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { ...r.headers, "content-length": body.length } });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", () => resolve("cut"));
      req.write(body.subarray(0, body.length >> 1));
    });
    expect([408, "cut"]).toContain(status);
    expect(await ctx.app.db.prisma.inboxEvent.count({ where: { payload: { contains: "oc_half" } } })).toBe(0);
    expect((await post("/lark/events", r.body, r.headers)).status).toBe(200);
  });

  it("live console boards hold no slot: with more streams open than the limit, events are still acknowledged and processed", async () => {
    // Dry-run on loopback: the console signs in as the demo supervisor.
    const cookie = await dryRunCookie(ctx.app.url);
    const streams = await Promise.all([1, 2, 3].map(() => openLiveStream(ctx.app.url, cookie)));
    expect(streams.map((s) => s.res.headers.get("content-type"))).toEqual(Array(3).fill("text/event-stream"));
    try {
      expect((await readJson(await fetch(`${ctx.app.url}/healthz`))).requests.inFlight).toBe(0);
      const e = larkEvent("oc_watched", "请问发货了吗");
      expect((await post("/lark/events", e.body, e.headers)).status).toBe(200);
      await eventually(() => ctx.app.db.prisma.messageScore.count({ where: { message: { session: { externalKey: "oc_watched" } } } }), "the event processed while boards watch");
    } finally {
      for (const s of streams) await s.close();
    }
  });
});
