import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { summarize } from "./stats.ts";

/**
 * The security review's attacks, each against the server in its own process (loopback, bounded
 * in count and time), while a probe asks /healthz and delivers a signed Lark event every 50 ms.
 * Reports the worst and p99 probe latencies during each attack and with no attack (baseline).
 */
const ENCRYPT_KEY = "attack-bench-key";
const TOKEN = "attack-bench-ingest-token";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function probeDuring(url: string, attack: () => Promise<void>, minMs = 3000) {
  const health: number[] = [];
  const acks: number[] = [];
  let on = true;
  let n = 0;
  const loop = (async () => {
    while (on) {
      const t0 = performance.now();
      await fetch(`${url}/healthz`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      health.push(performance.now() - t0);
      const r = larkRequest(imMessageEvent({ chatId: `oc_probe_${n++ % 5}`, text: "在吗？" }), { encryptKey: ENCRYPT_KEY });
      const t1 = performance.now();
      await fetch(`${url}/lark/events`, { method: "POST", body: r.body, headers: r.headers })
        .then((x) => x.arrayBuffer())
        .catch(() => undefined);
      acks.push(performance.now() - t1);
      await sleep(50);
    }
  })();
  const t = performance.now();
  await attack();
  const left = minMs - (performance.now() - t);
  if (left > 0) await sleep(left);
  on = false;
  await loop;
  const h = summarize(health);
  const a = summarize(acks);
  return { healthP99: h.p99, healthMax: h.max, ackP99: a.p99, ackMax: a.max, probes: health.length };
}

const ingest = (url: string, messages: unknown[]) =>
  fetch(`${url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(messages) }).then((r) => r.status);

export async function attackBench() {
  const dbFile = join(tmpdir(), `cs-coach-attack-${randomUUID()}.db`);
  const env = { DATABASE_URL: `file:${dbFile}`, LARK_ENCRYPT_KEY: ENCRYPT_KEY, LARK_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN, INGEST_TOKEN: TOKEN, AGENT_OPEN_IDS: "ou_agent_bench" };
  let server = await startServerProcess(env);
  const rows: Array<Record<string, string | number>> = [];
  const run = async (name: string, attack: () => Promise<void>, minMs?: number) => rows.push({ attack: name, ...(await probeDuring(server.url, attack, minMs)) });
  try {
    await run("none (baseline)", async () => undefined);
    const now = Math.floor(Date.now() / 1000);
    await run("customer message of 20,000 × 市", async () => {
      await ingest(server.url, [{ sessionId: "hostile-1", messageId: "h1", role: "customer", senderId: "c", text: "市".repeat(20_000), ts: now }]);
    });
    await run("agent message of 20,000 × 市 (privacy rule)", async () => {
      await ingest(server.url, [{ sessionId: "hostile-1", messageId: "h2", role: "agent", senderId: "a", text: "市".repeat(20_000), ts: now + 1 }]);
    });
    await run("e-mail pattern: 40,000 letters and digits", async () => {
      await ingest(server.url, [{ sessionId: "hostile-2", messageId: "h3", role: "customer", senderId: "c", text: "a1".repeat(10_000), ts: now }]);
    });
    await run("26 mentions naming later mention keys", async () => {
      const names = Array.from({ length: 26 }, (_, i) => ({ key: `@_user_${i + 1}`, name: Array.from({ length: 26 }, (_, j) => `@_user_${j + 1}`).join("") }));
      const e = imMessageEvent({ chatId: "oc_mentions", text: names.map((x) => x.key).join(" ") });
      e.event.message.mentions = names;
      const r = larkRequest(e, { encryptKey: ENCRYPT_KEY });
      await fetch(`${server.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers });
    });
    await run(
      "300 connections sending headers and `{`",
      async () => {
        const u = new URL(server.url);
        const socks = Array.from({ length: 300 }, () => {
          const s = net.connect(Number(u.port), u.hostname, () => s.write("POST /lark/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9000\r\n\r\n{"));
          s.on("error", () => undefined);
          s.on("data", () => s.destroy());
          return s;
        });
        await sleep(7000); // past the server's whole-request deadline
        for (const s of socks) s.destroy();
      },
      7000,
    );
    await run(
      "1,000 customers waiting (the waiting timer's passes)",
      async () => {
        const batch = (k: number) =>
          Array.from({ length: 500 }, (_, i) => ({ sessionId: `wait-${k}-${i}`, messageId: `wait-${k}-${i}`, role: "customer", senderId: `c${i}`, text: "请问有人在吗？", ts: now - 120 }));
        await ingest(server.url, batch(0));
        await ingest(server.url, batch(1));
        await sleep(8000); // processing, then at least one waiting-timer pass (every 5 s)
      },
      8000,
    );
    // 1,000 sessions gone idle: the sweeper closes them when the bot starts again.
    await ingest(
      server.url,
      Array.from({ length: 500 }, (_, i) => ({ sessionId: `idle-${i}`, messageId: `idle-${i}`, role: "customer", senderId: `i${i}`, text: "好的", ts: now - 3600 })),
    );
    await ingest(
      server.url,
      Array.from({ length: 500 }, (_, i) => ({ sessionId: `idle-b-${i}`, messageId: `idle-b-${i}`, role: "customer", senderId: `j${i}`, text: "好的", ts: now - 3600 })),
    );
    await sleep(6000);
    await server.stop();
    server = await startServerProcess(env);
    await run("1,000 idle sessions closed by the sweeper at start", async () => void (await sleep(6000)), 6000);
  } finally {
    await server.stop();
    for (const s of ["", "-wal", "-shm"]) rmSync(dbFile + s, { force: true });
  }
  return rows;
}
