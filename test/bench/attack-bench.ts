import { randomUUID } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import Sqlite from "better-sqlite3";
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
    await run("12315 threats in 50 sessions whose meta has prototype-named keys", async () => {
      const meta = JSON.parse('{"toString":"x","constructor":"y","valueOf":"z","__proto__":"p"}');
      await ingest(
        server.url,
        Array.from({ length: 50 }, (_, i) => ({ sessionId: `proto-${i}`, messageId: `proto-${i}`, role: "customer", senderId: `p${i}`, text: "再不退款我就打12315投诉", ts: now, meta })),
      );
      await sleep(2000);
    });
    await run(
      "250 answered + 1,000 waiting customers (the waiting timer walks them all)",
      async () => {
        const answered = Array.from({ length: 250 }, (_, i) => [
          { sessionId: `ans-${i}`, messageId: `ans-${i}-1`, role: "customer", senderId: `a${i}`, text: "发货了吗", ts: now - 300 },
          { sessionId: `ans-${i}`, messageId: `ans-${i}-2`, role: "agent", senderId: "ou_agent_bench", text: "已经发货了", ts: now - 290 },
        ]).flat();
        await ingest(server.url, answered);
        for (let k = 0; k < 2; k++)
          await ingest(
            server.url,
            Array.from({ length: 500 }, (_, i) => ({ sessionId: `wait2-${k}-${i}`, messageId: `wait2-${k}-${i}`, role: "customer", senderId: `w${i}`, text: "在吗？", ts: now - 200 })),
          );
        await sleep(12_000);
      },
      12_000,
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
  rows.push(...(await policyAttack(env)), ...(await busyDayAttack(env)), ...(await hangingWebhookAttack(env)));
  return rows;
}

/** A server of its own on a fresh database, with `extra` configuration; removed afterwards. */
async function withServer<T>(base: Record<string, string>, extra: Record<string, string>, fn: (url: string, dbFile: string) => Promise<T>): Promise<T> {
  const dbFile = join(tmpdir(), `cs-coach-attack-${randomUUID()}.db`);
  const server = await startServerProcess({ ...base, DATABASE_URL: `file:${dbFile}`, ...extra });
  try {
    return await fn(server.url, dbFile);
  } finally {
    await server.stop();
    for (const s of ["", "-wal", "-shm"]) rmSync(dbFile + s, { force: true });
  }
}

/** Team patterns that backtrack for ever in JavaScript, and agent replies that nearly match them. */
async function policyAttack(base: Record<string, string>) {
  const policy = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "src", "scoring", "compliance", "default-policy.json"), "utf8"));
  const evil = ["(a|a)*$", "(a|aa)+$", "(\\w|\\d)*!", "(.|\\s)*x", "(a+){10}$", "(a{1,10}){10}$", ".*.*.*.*x", "\\d*\\d*\\d*x"];
  policy.rules.push({ id: "team.evil", kind: "custom", description: { zh: "x", en: "x" }, severity: "low", check: { type: "regex", patterns: evil } });
  const file = join(tmpdir(), `cs-coach-evil-policy-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(policy));
  try {
    return await withServer(base, { POLICY_FILE: file }, async (url) => {
      const now = Math.floor(Date.now() / 1000);
      const r = await probeDuring(url, async () => {
        for (const [i, t] of ["a".repeat(300), "1".repeat(300), "ab ".repeat(100), `${"a".repeat(2_000)}b`].entries())
          await ingest(url, [{ sessionId: "evil", messageId: `evil-${i}`, role: "agent", senderId: "ou_agent_bench", text: t, ts: now + i }]);
        await sleep(2000);
      });
      return [{ attack: "8 backtracking team patterns × agent replies of 300–2,000 characters", ...r }];
    });
  } finally {
    rmSync(file, { force: true });
  }
}

/** Team today with 4,500 open sessions (9,000 messages), loaded again and again by a supervisor. */
async function busyDayAttack(base: Record<string, string>) {
  return withServer(base, {}, async (url) => {
    const now = Math.floor(Date.now() / 1000) - 600;
    for (let k = 0; k < 18; k++)
      await ingest(
        url,
        Array.from({ length: 250 }, (_, i) => [
          {
            sessionId: `busy-${k}-${i}`,
            messageId: `busy-${k}-${i}-1`,
            role: "customer",
            senderId: `b${k}-${i}`,
            text: i % 3 ? "请问什么时候发货" : "快递一直不到，太慢了，气死了",
            ts: now + i * 0.1,
          },
          { sessionId: `busy-${k}-${i}`, messageId: `busy-${k}-${i}-2`, role: "agent", senderId: "ou_agent_bench", text: "您好，正在为您查询", ts: now + i * 0.1 + 5 },
        ]).flat(),
      );
    // Processing the 9,000 messages first: what is measured is the page, not the backlog.
    for (let i = 0; i < 120; i++) {
      const h = (await (await fetch(`${url}/healthz`)).json()) as { details?: { backlog?: number } };
      if (!h.details?.backlog) break;
      await sleep(1000);
    }
    const cookie = ((await fetch(`${url}/console/login`, { redirect: "manual" })).headers.get("set-cookie") ?? "").split(";")[0]!;
    const pages: number[] = [];
    const r = await probeDuring(url, async () => {
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await (await fetch(`${url}/console/team`, { headers: { cookie } })).text();
        pages.push(performance.now() - t);
      }
    });
    return [{ attack: `Team today × 5 with 4,500 open sessions (page ${Math.round(Math.max(...pages))} ms at most)`, ...r }];
  });
}

/** A channel webhook that never answers, 30 alerts for its channel queued ahead of one for a Lark chat. */
async function hangingWebhookAttack(base: Record<string, string>) {
  const sockets: net.Socket[] = [];
  const hang = net.createServer((s) => {
    sockets.push(s);
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
  const hook = `http://127.0.0.1:${(hang.address() as net.AddressInfo).port}/hook`;
  try {
    return await withServer(base, { CHANNEL_WEBHOOKS: `slowshop=${hook}`, CHANNEL_WEBHOOK_SECRET: "attack-bench-webhook-secret", SUPERVISOR_CHAT_ID: "oc_bench_sup" }, async (url, dbFile) => {
      const now = Math.floor(Date.now() / 1000);
      let waitedMs = Number.NaN;
      const r = await probeDuring(
        url,
        async () => {
          await ingest(
            url,
            Array.from({ length: 30 }, (_, i) => ({
              sessionId: `slow-${i}`,
              messageId: `slow-${i}`,
              role: "customer",
              senderId: `s${i}`,
              text: "再不退款我就打12315投诉",
              ts: now,
              channel: "slowshop",
            })),
          );
          // Their own cards go out at Lark's pace for one chat (5 a second); their webhook posts hang.
          await sleep(8000);
          const t = performance.now();
          await ingest(url, [{ sessionId: "lark-critical", messageId: "lark-critical", role: "customer", senderId: "lc", text: "再不处理我就打12315投诉你们", ts: now }]);
          // How long the critical card for a session without a webhook waits to go out (the dry run "sends" it).
          const db = new Sqlite(dbFile, { readonly: true, fileMustExist: true });
          try {
            for (let i = 0; i < 600; i++) {
              const row = db
                .prepare(
                  `SELECT o."status" FROM "OutboxMessage" o JOIN "Alert" a ON o."uuid" = 'alert-' || a."id" || '-create' JOIN "Session" s ON s."id" = a."sessionId" WHERE s."externalKey" = 'lark-critical'`,
                )
                .get() as { status: string } | undefined;
              if (row && row.status !== "pending") {
                waitedMs = performance.now() - t;
                break;
              }
              await sleep(100);
            }
          } finally {
            db.close();
          }
        },
        10_000,
      );
      return [{ attack: `channel webhook that never answers, its 30 posts pending (the next critical Lark card out after ${Math.round(waitedMs)} ms)`, ...r }];
    });
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hang.close(() => r()));
  }
}
