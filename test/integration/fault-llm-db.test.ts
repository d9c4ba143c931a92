import http from "node:http";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { useFaultHarness } from "../helpers/fault-harness.ts";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, readJson, startTestApp, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN } from "../helpers/start-test-app.ts";

const isPg = /^postgres/.test(process.env.TEST_DATABASE_URL ?? "");

const { freshDb, larkEnv, deliver } = useFaultHarness();

describe("the LLM slow or failing", () => {
  it("acks and processing go on with the offline scores while every LLM call hangs", async () => {
    // An OpenAI-compatible endpoint that accepts connections and never answers.
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", () => r()));
    const llmUrl = `http://127.0.0.1:${(hanging.address() as net.AddressInfo).port}/v1`;
    const app = await startTestApp(
      freshDb(),
      { ...larkEnv("oc_sup_llm"), OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: llmUrl, OPENAI_TIMEOUT_MS: "300" },
      { pollMs: { inbox: 20, outbox: 20, llm: 20 } },
    );
    try {
      const t0 = Date.now() - 60_000;
      const statuses = [];
      for (let k = 0; k < 6; k++)
        statuses.push(await deliver(app.url, imMessageEvent({ chatId: "oc_llm_down", text: k === 5 ? "再不处理我就打12315投诉你们！" : `第${k}次问：怎么还不发货`, createTime: t0 + k * 1_000 })));
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      const p = app.db.prisma;
      // Processed on the offline scores, the alert raised, without waiting for the LLM.
      await eventually(async () => (await p.messageScore.count()) === 6 && (await p.alert.count()) === 1, "processed offline", 15_000);
      const scores = await p.messageScore.findMany({ select: { source: true } });
      expect(scores.every((s) => s.source === "offline")).toBe(true);
      // The judge gives up after its retries: the offline scores stand.
      await eventually(async () => (await p.messageScore.count({ where: { llmStatus: "failed" } })) === 6, "judge gave up", 30_000);
    } finally {
      await app.stop();
      hanging.closeAllConnections();
      hanging.close();
    }
  }, 60_000);
});

/**
 * A TCP proxy in front of PostgreSQL that can be cut (all connections dropped, new ones refused)
 * and restored: the database "briefly unavailable" without touching the shared server.
 */
async function cuttableProxy(target: URL) {
  const [host, port] = [target.hostname, Number(target.port || 5432)];
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      cut = false;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.skipIf(!isPg)("database briefly unavailable (PostgreSQL behind a proxy that is cut)", () => {
  it("requests fail with a clear 503 and record nothing; after it is back, nothing is half-written", async () => {
    const url = new URL(freshDb());
    const proxy = await cuttableProxy(url);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const app = await startTestApp(url.toString(), {}, { pollMs: { inbox: 20, outbox: 20 } });
    try {
      const t0 = Date.now() - 60_000;
      const before = imMessageEvent({ chatId: "oc_dbdown", text: "你好，在吗", createTime: t0 });
      expect(await deliver(app.url, before)).toBe(200);
      await eventually(async () => (await app.db.prisma.message.count()) === 1, "first message processed");

      proxy.cut();
      const during = imMessageEvent({ chatId: "oc_dbdown", text: "怎么还不发货？", createTime: t0 + 1_000 });
      const r = larkRequest(during, { encryptKey: TEST_ENCRYPT_KEY });
      const res = await fetch(`${app.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers });
      expect(res.status).toBe(503);
      expect((await readJson(res)).error).toBe("db_unavailable");
      const api = await fetch(`${app.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` },
        body: JSON.stringify({ sessionId: "api-dbdown", messageId: "m-dbdown-1", role: "customer", senderId: "c1", text: "hello?", ts: Math.floor(t0 / 1000) }),
      });
      expect(api.status).toBe(503);
      expect((await fetch(`${app.url}/readyz`)).status).toBe(503);

      proxy.restore();
      // The sender retries, as Lark and ingest clients do after a 5xx.
      await eventually(async () => (await deliver(app.url, during)) === 200, "accepted once the database is back", 15_000);
      await eventually(async () => (await app.db.prisma.message.count()) === 2 && (await app.db.prisma.inboxEvent.count({ where: { status: "pending" } })) === 0, "processed", 15_000);
      const p = app.db.prisma;
      expect(await p.inboxEvent.count()).toBe(2);
      expect(await p.inboxEvent.count({ where: { dedupKey: { contains: "m-dbdown-1" } } })).toBe(0);
      // Every stored message has its score: no processing transaction was left half-done.
      expect(await p.messageScore.count()).toBe(2);
      expect(await p.session.count()).toBe(1);
    } finally {
      await app.stop();
      await proxy.close();
    }
  }, 60_000);
});
