import Sqlite from "better-sqlite3";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { startServerProcess } from "./server-process.ts";
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
    const make = (i: number) =>
      larkRequest(imMessageEvent({ chatId: `oc_bench_${i % opts.chats}`, text: `第${i}条：我的快递什么时候到？`, createTime: Date.now() + i }), { encryptKey: ENCRYPT_KEY });
    const warm = Array.from({ length: 200 }, (_, i) => make(1_000_000 + i));
    const reqs = Array.from({ length: opts.events }, (_, i) => make(i)); // built before timing: signing is the client's cost
    const url = new URL(server.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });

    const run = async (list: typeof reqs) => {
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
      return { events: reqs.length, concurrency: opts.concurrency, errors: res.errors, ackPerSecond: Math.round(reqs.length / res.seconds), ackLatencyMs: summarize(res.lat), storedPerSecond: 0, rssMb: rssMb(server.proc.pid) };
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
