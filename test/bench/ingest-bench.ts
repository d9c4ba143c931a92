import Sqlite from "better-sqlite3";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { summarize } from "./stats.ts";

const ENCRYPT_KEY = "bench-encrypt-key";

/** Resident memory of a process, from /proc (Linux), in MB. */
export function rssMb(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system, ms) the process has used so far, from /proc; null where there is none. */
export function cpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are the 14th and 15th fields of the whole line (12th and 13th after the name), in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function post(agent: http.Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, path: "/lark/events", method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Signed, encrypted im.message.receive_v1 events against the real server process on the default
 * SQLite: ack latency (durable write included) and throughput at a fixed concurrency, then how
 * long the pipeline takes to store every acknowledged message.
 */
export async function ingestBench(opts: { events: number; concurrency: number; chats: number; bare?: boolean }) {
  const dbFile = join(tmpdir(), `cs-coach-bench-${randomUUID()}.db`);
  const server = await startServerProcess(
    { DATABASE_URL: `file:${dbFile}`, LARK_ENCRYPT_KEY: ENCRYPT_KEY, LARK_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN },
    opts.bare ? join(import.meta.dirname, "bare-express.ts") : undefined,
  );
  try {
    const make = (i: number) => larkRequest(imMessageEvent({ chatId: `oc_bench_${i % opts.chats}`, text: `第${i}条：我的快递什么时候到？`, createTime: Date.now() + i }), { encryptKey: ENCRYPT_KEY });
    const warm = Array.from({ length: 200 }, (_, i) => make(1_000_000 + i));
    const reqs = Array.from({ length: opts.events }, (_, i) => make(i)); // built before timing: signing is the client's cost
    const url = new URL(server.url);
    // A fresh pool per run: sockets left idle while the warm-up drains would be closed by the
    // server's keep-alive timeout, and a request racing that close fails with ECONNRESET.
    let agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
    const run = async (list: typeof reqs) => {
      agent.destroy();
      agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
      const lat: number[] = [];
      let next = 0;
      let errors = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (next < list.length) {
            const r = list[next++]!;
            const s = performance.now();
            const status = await post(agent, url, r.body, r.headers);
            lat.push(performance.now() - s);
            if (status !== 200) errors++;
          }
        }),
      );
      return { seconds: (performance.now() - t0) / 1000, lat, errors };
    };
    await run(warm);
    if (opts.bare) {
      const res = await run(reqs);
      agent.destroy();
      return {
        events: reqs.length,
        concurrency: opts.concurrency,
        errors: res.errors,
        ackPerSecond: Math.round(reqs.length / res.seconds),
        ackLatencyMs: summarize(res.lat),
        storedPerSecond: 0,
        rssMb: rssMb(server.proc.pid),
      };
    }
    const db = new Sqlite(dbFile, { readonly: true });
    const stored = () => (db.prepare('SELECT count(*) AS n FROM "Message"').get() as { n: number }).n;
    while (stored() < warm.length) await new Promise((r) => setTimeout(r, 20));

    const tStart = performance.now();
    const res = await run(reqs);
    while (stored() < warm.length + reqs.length) await new Promise((r) => setTimeout(r, 20));
    const drainSeconds = (performance.now() - tStart) / 1000;
    db.close();
    agent.destroy();
    return {
      events: reqs.length,
      concurrency: opts.concurrency,
      errors: res.errors,
      ackPerSecond: Math.round(reqs.length / res.seconds),
      ackLatencyMs: summarize(res.lat),
      storedPerSecond: Math.round(reqs.length / drainSeconds),
      rssMb: rssMb(server.proc.pid),
    };
  } finally {
    await server.stop();
    for (const s of ["", "-wal", "-shm"]) rmSync(dbFile + s, { force: true });
  }
}

/**
 * Open loop: requests leave on a fixed schedule (rate per second) whatever the server does, as
 * Lark's pushes would, and each latency counts from the moment the request was due — a server
 * that stalls is charged for the requests queued behind the stall. Fresh server per level.
 */
export async function loadLevelBench(opts: { rate: number; seconds: number; chats: number; bare?: boolean; env?: Record<string, string> }) {
  const dbFile = join(tmpdir(), `cs-coach-bench-${randomUUID()}.db`);
  const server = await startServerProcess(
    { DATABASE_URL: `file:${dbFile}`, LARK_ENCRYPT_KEY: ENCRYPT_KEY, LARK_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN, ...opts.env },
    opts.bare ? join(import.meta.dirname, "bare-express.ts") : undefined,
  );
  const total = Math.round(opts.rate * opts.seconds);
  const make = (i: number) => larkRequest(imMessageEvent({ chatId: `oc_load_${i % opts.chats}`, text: `第${i}条：我的快递什么时候到？`, createTime: Date.now() + i }), { encryptKey: ENCRYPT_KEY });
  const reqs = Array.from({ length: total }, (_, i) => make(i));
  const warm = Array.from({ length: 512 }, (_, i) => make(1_000_000 + i));
  const url = new URL(server.url);
  // Up to 512 connections, opened during a warm-up (a sender keeps its connections alive): a
  // burst of new connections would measure SYN retransmits, not the server.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const ok: number[] = [];
  const all: number[] = [];
  const status: Record<string, number> = {};
  const trace: Array<[number, number]> = [];
  try {
    await Promise.all(warm.map((r) => post(agent, url, r.body, r.headers)));
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = performance.now();
    const inflight: Promise<void>[] = [];
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * opts.rate) + 1);
      for (; sent < due; sent++) {
        const r = reqs[sent]!;
        const dueAt = t0 + (sent / opts.rate) * 1000;
        inflight.push(
          post(agent, url, r.body, r.headers).then(
            (code) => {
              const ms = performance.now() - dueAt;
              all.push(ms);
              if (process.env.BENCH_TRACE) trace.push([Math.round(dueAt - t0), Math.round(ms)]);
              if (code === 200) ok.push(ms);
              status[code] = (status[code] ?? 0) + 1;
            },
            () => {
              status.error = (status.error ?? 0) + 1;
            },
          ),
        );
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - t0) / 1000;
    let recorded = 0;
    let backlog = 0;
    if (!opts.bare) {
      const db = new Sqlite(dbFile, { readonly: true });
      recorded = (db.prepare('SELECT count(*) AS n FROM "InboxEvent"').get() as { n: number }).n - warm.length;
      // Recorded but not yet processed when the level ends (the warm-up's included).
      backlog = (db.prepare(`SELECT count(*) AS n FROM "InboxEvent" WHERE "status" = 'pending'`).get() as { n: number }).n;
      db.close();
    }
    if (process.env.BENCH_TRACE) {
      const bySecond = new Map<number, number[]>();
      for (const [at, ms] of trace) bySecond.set(Math.floor(at / 250), [...(bySecond.get(Math.floor(at / 250)) ?? []), ms]);
      for (const [q, l] of [...bySecond].sort((a, b) => a[0] - b[0])) console.log(`t=${q * 0.25}s`, JSON.stringify(summarize(l)));
    }
    return {
      rate: opts.rate,
      sent: total,
      seconds: Math.round(elapsed * 10) / 10,
      status,
      recorded,
      backlog,
      over3s: all.filter((ms) => ms > 3000).length,
      ackedMs: summarize(ok),
      allMs: summarize(all),
      rssMb: rssMb(server.proc.pid),
    };
  } finally {
    agent.destroy();
    await server.stop();
    for (const s of ["", "-wal", "-shm"]) rmSync(dbFile + s, { force: true });
  }
}
