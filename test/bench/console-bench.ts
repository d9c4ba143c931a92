import Sqlite from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { dryRunCookie } from "../helpers/console-client.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { summarize } from "./stats.ts";

const TOKEN = "bench-ingest-token";
const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));

/** A shop's open conversations: mostly calm, one in ten upset (findings, alerts), eight agents. */
function seedLines(sessions: number, t0: number) {
  const out: unknown[] = [];
  for (let s = 0; s < sessions; s++) {
    const id = `bench-s${s}`;
    const agent = `agent-${s % 8}`;
    const say = (i: number, role: "customer" | "agent", text: string) =>
      out.push({ sessionId: id, messageId: `${id}-${i}`, role, senderId: role === "agent" ? agent : `cust-${s}`, senderName: role === "agent" ? `坐席${s % 8}` : `顾客${s}`, text, ts: t0 + i * 20 });
    say(0, "customer", "你好，我的订单什么时候发货？");
    say(1, "agent", "您好，这边帮您查一下，请稍等");
    say(2, "customer", s % 10 === 0 ? "都一个星期了还没发货，太差劲了，再不处理我就投诉！" : "好的，谢谢");
    say(3, "agent", s % 10 === 0 ? "非常抱歉让您久等了，我马上为您催促仓库" : "不客气，有问题随时找我");
  }
  return out;
}

/**
 * The console with `sessions` open conversations (SQLite, dry-run: the console opens on loopback
 * without Lark, as the `npm start` demo). First render: the board's HTML over HTTP, and in
 * Debian's chromium (when installed) navigation to the load event with every row drawn.
 * Live update: from posting a customer message through the ingest API to the session's row
 * being replaced — on the server-sent event stream, and in the browser's DOM — quiet, and
 * while 200 messages a second go to other sessions.
 */
export async function consoleBench(opts: { sessions: number; updates: number; browser?: boolean }) {
  const dbFile = join(tmpdir(), `cs-coach-console-bench-${randomUUID()}.db`);
  const server = await startServerProcess({ DATABASE_URL: `file:${dbFile}`, INGEST_TOKEN: TOKEN, SESSION_IDLE_MINUTES: "600" });
  const db = new Sqlite(dbFile, { readonly: true });
  const post = async (batch: unknown[]) => {
    const res = await fetch(`${server.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(batch) });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  };
  const scored = () => (db.prepare('SELECT count(*) AS n FROM "MessageScore"').get() as { n: number }).n;
  const until = async (cond: () => boolean, what: string, ms = 300_000) => {
    const t = Date.now();
    while (!cond()) {
      if (Date.now() - t > ms) throw new Error(`bench: ${what} not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    const t0 = Math.floor(Date.now() / 1000) - 3600;
    const lines = seedLines(opts.sessions, t0);
    for (let i = 0; i < lines.length; i += 250) await post(lines.slice(i, i + 250));
    await until(() => scored() >= lines.length, "seeding");
    const open = (db.prepare(`SELECT count(*) AS n FROM "Session" WHERE "status" = 'open'`).get() as { n: number }).n;
    const isScoredSt = db.prepare(`SELECT 1 AS x FROM "Message" m JOIN "MessageScore" sc ON sc."messageId" = m."id" WHERE m."externalId" = ?`);
    const isScored = { get: (id: string) => isScoredSt.get(id) };
    const idOf = new Map((db.prepare(`SELECT "id", "externalKey" FROM "Session"`).all() as Array<{ id: string; externalKey: string }>).map((r) => [r.externalKey, r.id]));

    // Dry-run on loopback signs in as the demo supervisor.
    const cookie = await dryRunCookie(server.url);
    if (!cookie.startsWith("cs_console=")) throw new Error("bench: no console cookie from the dry-run sign-in");

    // First render over HTTP: the whole board, time to the last byte.
    const http: number[] = [];
    let bytes = 0;
    let rows = 0;
    for (let k = 0; k < 10; k++) {
      const t = performance.now();
      const html = await (await fetch(`${server.url}/console`, { headers: { cookie } })).text();
      http.push(performance.now() - t);
      bytes = html.length;
      rows = html.split('<tr id="s-').length - 1;
      if (process.env.CONSOLE_BENCH_DUMP) writeFileSync(process.env.CONSOLE_BENCH_DUMP, html);
    }

    let seq = 1000;
    // Calm follow-ups, different each time: the busy load is ordinary traffic, not an alert storm.
    const FOLLOW_UPS = ["好的，我再等等", "那我明天再看看物流", "麻烦帮我备注一下周末送货", "发票可以开公司抬头吗", "收到，辛苦了", "能顺便改一下收货时间吗"];
    const bump = (s: number) => {
      const n = seq++;
      return { sessionId: `bench-s${s}`, messageId: `bench-s${s}-${n}`, role: "customer", senderId: `cust-${s}`, text: `${FOLLOW_UPS[n % FOLLOW_UPS.length]}（${n}）`, ts: Date.now() };
    };
    // Background: 200 messages/s to sessions other than the measured ones, while `measure` runs.
    const withLoad = async <T>(busy: boolean, measure: () => Promise<T>): Promise<T> => {
      let stop = !busy;
      const load = (async () => {
        let s = 0;
        while (!stop) {
          await post(Array.from({ length: 20 }, () => bump(opts.sessions / 2 + (s++ % (opts.sessions / 2)))));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      try {
        return await measure();
      } finally {
        stop = true;
        await load;
      }
    };

    // Live update on the event stream (what any client gets), quiet then busy.
    const sse = async (busy: boolean) => {
      const ac = new AbortController();
      const res = await fetch(`${server.url}/console/events`, { headers: { cookie }, signal: ac.signal });
      const reader = res.body!.getReader();
      const seen = new Map<string, number>();
      let buf = "";
      const reading = (async () => {
        const dec = new TextDecoder();
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) return;
          buf += dec.decode(value, { stream: true });
          let end = buf.indexOf("\n\n");
          while (end >= 0) {
            const ev = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const data = ev.split("\n").find((l) => l.startsWith("data: "));
            if (data) for (const r of JSON.parse(data.slice(6)).rows as Array<{ id: string }>) if (!seen.has(r.id)) seen.set(r.id, Date.now());
            end = buf.indexOf("\n\n");
          }
        }
      })();
      const lat: number[] = [];
      const stored: number[] = [];
      await withLoad(busy, async () => {
        for (let k = 0; k < opts.updates; k++) {
          const s = (k * 7 + (busy ? 3 : 1)) % (opts.sessions / 2);
          const id = idOf.get(`bench-s${s}`)!;
          seen.delete(id);
          const m = bump(s);
          const sent = Date.now();
          await post([m]);
          // How much of it is the pipeline's (stored and scored) rather than the console's.
          await until(() => isScored.get(m.messageId) !== undefined, `score for ${m.messageId}`, 30_000);
          stored.push(Date.now() - sent);
          await until(() => seen.has(id), `live row for ${id}`, 30_000);
          lat.push(seen.get(id)! - sent);
          await new Promise((r) => setTimeout(r, 50));
        }
      });
      ac.abort();
      await reading;
      return { live: summarize(lat), scored: summarize(stored) };
    };
    const sseQuiet = await sse(false);
    const sseBusy = await sse(true);

    // The same in a real browser: load with every row drawn, then rows replaced in the DOM.
    let browser: Record<string, unknown> | null = null;
    if (CHROMIUM && opts.browser !== false) {
      const b = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
      try {
        // (the bench polls with page-evaluated strings, which the console's CSP rightly forbids)
        const ctx = await b.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
        const page = await ctx.newPage();
        await page.goto(`${server.url}/console/login`);
        // First render: quiet (the busy phase's backlog processed first), then while 200 messages/s arrive.
        await until(() => scored() >= lines.length + (seq - 1000), "the backlog processed");
        const render = async (busy: boolean) => {
          const loads: number[] = [];
          const paints: number[] = [];
          await withLoad(busy, async () => {
            for (let k = 0; k < 10; k++) {
              const t = performance.now();
              await page.goto(`${server.url}/console`, { waitUntil: "load" });
              const drawn = await page.locator("#board tbody tr").count();
              loads.push(performance.now() - t);
              if (drawn !== rows) throw new Error(`bench: the browser drew ${drawn} rows, the server sent ${rows}`);
              // (chromium does not always report a paint entry for a reload of the same page)
              const paint = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN);
              if (Number.isFinite(paint)) paints.push(paint);
            }
          });
          return { load: summarize(loads), paint: summarize(paints) };
        };
        const quiet = await render(false);
        const busy = await render(true);
        await until(() => scored() >= lines.length + (seq - 1000), "the backlog processed");
        // Watch for each measured row being replaced (the stream's rows replace the old element).
        await page.evaluate(`(() => {
          window.seen = {};
          new MutationObserver((list) => {
            for (const m of list) for (const n of m.addedNodes) if (n.dataset && n.dataset.id) window.seen[n.dataset.id] ??= performance.timeOrigin + performance.now();
          }).observe(document.querySelector("#board tbody"), { childList: true });
        })()`);
        const dom = async (busy: boolean) => {
          const lat: number[] = [];
          await withLoad(busy, async () => {
            for (let k = 0; k < opts.updates; k++) {
              // Rows on the board: the drawn cut is the riskiest (the upset one in ten).
              const s = ((k * 11 + (busy ? 5 : 2)) % (opts.sessions / 20)) * 10;
              const id = idOf.get(`bench-s${s}`)!;
              await page.evaluate(`delete window.seen[${JSON.stringify(id)}]`);
              const sent = Date.now();
              await post([bump(s)]);
              await page.waitForFunction(`window.seen[${JSON.stringify(id)}] !== undefined`, undefined, { timeout: 10_000 });
              lat.push(Number(await page.evaluate(`window.seen[${JSON.stringify(id)}]`)) - sent);
              await new Promise((r) => setTimeout(r, 50));
            }
          });
          return summarize(lat);
        };
        browser = { loadMs: quiet.load, firstPaintMs: quiet.paint, loadBusyMs: busy.load, firstPaintBusyMs: busy.paint, liveQuietMs: await dom(false), liveBusyMs: await dom(true) };
      } finally {
        await b.close();
      }
    }
    return { sessions: opts.sessions, open, rows, htmlKb: Math.round(bytes / 1024), httpMs: summarize(http), sseQuietMs: sseQuiet, sseBusyMs: sseBusy, browser };
  } finally {
    db.close();
    await server.stop();
    for (const s of ["", "-wal", "-shm"]) rmSync(dbFile + s, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await consoleBench({ sessions: Number(process.argv[2] ?? 2000), updates: Number(process.argv[3] ?? 20), browser: process.argv[4] !== "--no-browser" }), null, 1));
}
