import Sqlite from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { cpuMs, rssMb } from "./ingest-bench.ts";
import { startServerProcess } from "../helpers/server-process.ts";

const TOKEN = "bench-ingest-token";
const BATCH = 250;

/** A customer question or an agent answer, alternating, as a busy shop's chat looks. */
const line = (session: string, i: number, t0: number) => ({
  sessionId: session,
  messageId: `${session}-${i}`,
  role: i % 2 ? "agent" : "customer",
  senderId: i % 2 ? "agent-1" : `cust-${session}`,
  text: i % 2 ? `您好，第${i}条，这边帮您查一下物流，请稍等` : `第${i}条：我的快递什么时候到？`,
  ts: t0 + i,
});

/** How many messages are stored and scored, read from the database the server writes. */
function scoredCounter(url: string): { count: () => Promise<number>; close: () => Promise<void> } {
  if (url.startsWith("file:")) {
    const db = new Sqlite(url.slice(5), { readonly: true });
    const st = db.prepare('SELECT count(*) AS n FROM "MessageScore"');
    return {
      count: async () => (st.get() as { n: number }).n,
      close: async () => {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: url.replace(/[?&]schema=[^&]*/, ""), options: `-c search_path=${new URL(url).searchParams.get("schema") ?? "public"}` });
  const ready = client.connect();
  return {
    count: async () => {
      await ready;
      return Number((await client.query('SELECT count(*) AS n FROM "MessageScore"')).rows[0].n);
    },
    close: () => client.end(),
  };
}

/**
 * End-to-end processing throughput: `messages` over `sessions` conversations are posted to the
 * ingest API (batches of 250, acknowledged once durable) as fast as the server takes them; the
 * clock stops when the last one is stored, scored, judged and acted on. With one session, the
 * time of each hundred is kept too: a message's cost must not grow with its session.
 * `instances` servers share one PostgreSQL database (the batches alternate between them).
 */
export async function processingBench(opts: { messages: number; sessions: number; databaseUrl?: string; instances?: number }) {
  const dbFile = join(tmpdir(), `cs-coach-proc-bench-${randomUUID()}.db`);
  const url = opts.databaseUrl ?? `file:${dbFile}`;
  const servers: Awaited<ReturnType<typeof startServerProcess>>[] = [];
  for (let k = 0; k < (opts.instances ?? 1); k++) servers.push(await startServerProcess({ DATABASE_URL: url, INGEST_TOKEN: TOKEN, SESSION_IDLE_MINUTES: "600" }));
  const counter = scoredCounter(url);
  try {
    const t0 = Math.floor(Date.now() / 1000) - opts.messages - 60;
    const lines = Array.from({ length: opts.messages }, (_, i) => line(`s${i % opts.sessions}`, Math.floor(i / opts.sessions), t0));
    const post = async (server: (typeof servers)[number], batch: unknown[]) => {
      const res = await fetch(`${server.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(batch) });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    };
    // Warm-up: the first messages of other conversations (compiles, caches), not counted.
    for (const s of servers)
      await post(
        s,
        Array.from({ length: 20 }, (_, i) => line(`warm-${randomUUID()}`, i, t0)),
      );
    while ((await counter.count()) < 20 * servers.length) await new Promise((r) => setTimeout(r, 10));
    const base = await counter.count();

    const cpu0 = servers.map((s) => cpuMs(s.proc.pid));
    const start = performance.now();
    const sending = (async () => {
      for (let i = 0, k = 0; i < lines.length; i += BATCH, k++) await post(servers[k % servers.length]!, lines.slice(i, i + BATCH));
    })();
    const hundreds: number[] = [];
    let done = 0;
    while (done < opts.messages) {
      done = (await counter.count()) - base;
      while (hundreds.length < Math.floor(done / 100)) hundreds.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 5));
    }
    await sending;
    const seconds = (performance.now() - start) / 1000;
    const cpu = servers.reduce((sum, s, k) => sum + (cpuMs(s.proc.pid) ?? Number.NaN) - (cpu0[k] ?? Number.NaN), 0);
    const per = hundreds.map((t, i) => t - (hundreds[i - 1] ?? 0));
    return {
      messages: opts.messages,
      sessions: opts.sessions,
      instances: servers.length,
      messagesPerSecond: Math.round(opts.messages / seconds),
      /** The servers' CPU time per message (user + system): steadier on a noisy machine than the rate. */
      cpuMsPerMessage: Number.isNaN(cpu) ? null : Math.round((cpu / opts.messages) * 100) / 100,
      /** ms for the 100th–199th and the 1,400th–1,499th messages (one session), and their ratio */
      hundreds: per.length >= 15 ? { second: Math.round(per[1]!), fifteenth: Math.round(per[14]!), ratio: Math.round((per[14]! / per[1]!) * 100) / 100, all: per.map(Math.round) } : undefined,
      rssMb: rssMb(servers[0]!.proc.pid),
    };
  } finally {
    await counter.close();
    for (const s of servers) await s.stop();
    for (const s of ["", "-wal", "-shm"]) rmSync(dbFile + s, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const messages = Number(process.argv[2] ?? 3000);
  const sessions = Number(process.argv[3] ?? 200);
  console.log(JSON.stringify(await processingBench({ messages, sessions, databaseUrl: process.argv[4], instances: Number(process.argv[5] ?? 1) })));
}
