import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadConfig } from "../config/env.ts";
import { createLogger } from "../shared/logger.ts";
import { startCsCoach } from "../app/start.ts";
import { createDryRunSender, type OutboundRequest } from "../clients/lark-sender.ts";
import { colors, pad } from "./terminal.ts";

/**
 * npm run replay -- <file.jsonl> [--fast] [--speed N] [--db URL]
 * Feeds conversations through the real pipeline — HTTP ingest API, inbox, scoring — as if they
 * arrived live (waiting out the gaps between timestamps unless --fast), and prints each message
 * with its emotion, rule hits and the session's QA score. Lines are either whole sessions
 * ({"id", "messages": [{"role", "text", "ts"?}]}, the eval format) or single ingest messages.
 */
const sessionLine = z.object({
  id: z.string(),
  messages: z.array(z.object({ role: z.enum(["customer", "agent"]), text: z.string(), ts: z.number().optional() })),
});
const messageLine = z.object({ sessionId: z.string(), role: z.enum(["customer", "agent"]), text: z.string(), ts: z.number().optional(), senderId: z.string().optional() });

/** The parts of GET /v1/sessions/:id the replay prints. */
interface ApiSession {
  qaScore: number | null;
  valenceAvg: number | null;
  messages: Array<{ id: string; externalId: string; score: { valence: number; category: string; escalation: string | null } | null }>;
  hits: Array<{ kind: string; messageId: string | null }>;
}

interface Item {
  sessionId: string;
  role: "customer" | "agent";
  text: string;
  /** seconds since the start of the file's timeline */
  at: number;
}

function readItems(path: string): Item[] {
  const items: Item[] = [];
  let clock = 0;
  readFileSync(path, "utf8")
    .split(/\r?\n/)
    .forEach((line, n) => {
      if (!line.trim()) return;
      const json = JSON.parse(line);
      const s = sessionLine.safeParse(json);
      if (s.success) {
        const start = clock;
        s.data.messages.forEach((m, i) => {
          const at = m.ts !== undefined ? start + m.ts : start + i * 5;
          items.push({ sessionId: s.data.id, role: m.role, text: m.text, at });
          clock = Math.max(clock, at);
        });
        clock += 1;
        return;
      }
      const m = messageLine.safeParse(json);
      if (!m.success) throw new Error(`${path}:${n + 1}: neither a session nor a message line`);
      const at = m.data.ts ?? clock + 5;
      items.push({ sessionId: m.data.sessionId, role: m.data.role, text: m.data.text, at });
      clock = Math.max(clock, at);
    });
  return items.sort((a, b) => a.at - b.at);
}

/** One line for something the bot would send: what it is, to whom, and its headline. */
export function describeSend(req: OutboundRequest): string {
  // biome-ignore lint/suspicious/noExplicitAny: any card shape; every step is optional-chained
  const p = req.payload as Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const card = (p.card ?? p.content) as Record<string, any> | undefined;
  const head = [card?.header?.title?.content, card?.header?.subtitle?.content].filter(Boolean).join(" — ");
  const to = req.target.replace(/^(chat_id|open_id):/, "");
  const what = JSON.stringify(p).includes('"cs_coach":"alert"') ? "alert card" : JSON.stringify(p).includes('"cs_coach":"hint"') ? "hint (DM)" : "card";
  switch (req.kind) {
    case "message.create":
      return p.msg_type === "text" ? `message to ${to}: ${p.content?.text ?? ""}` : `${what} to ${to}: ${head}`;
    case "ephemeral.send":
      return `hint to ${p.open_id} (only they see it): ${head}`;
    case "message.patch":
      return `alert card updated: ${head}`;
    case "message.urgent":
      return `urgent buzz to ${(p.user_id_list ?? []).join(", ")}`;
    default:
      return `${req.kind} → ${to}`;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { fast: { type: "boolean", default: false }, speed: { type: "string", default: "1" }, db: { type: "string" }, verbose: { type: "boolean", default: false } },
  });
  const file = positionals[0];
  if (!file) throw new Error("usage: npm run replay -- <file.jsonl> [--fast] [--speed N] [--db URL] [--verbose]");
  const items = readItems(file);
  const speed = Math.max(0.01, Number(values.speed) || 1);
  const tmpDb = join(tmpdir(), `cs-coach-replay-${randomUUID()}.db`);
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", DATABASE_URL: values.db ?? `file:${tmpDb}`, LOG_LEVEL: "silent" });
  const c = colors(process.stdout.isTTY ?? false);
  // What the bot would send, one line each (the whole card with --verbose), under the message that caused it.
  const quiet = createLogger("silent");
  const sender = createDryRunSender(quiet, (line) => {
    if (values.verbose) console.log(c.dim(line));
  });
  const sends: OutboundRequest[] = [];
  const recording = {
    ...sender,
    send: (req: OutboundRequest) => {
      sends.push(req);
      return sender.send(req);
    },
  };
  // The replay's clock is the machine's until the end, when it jumps past the idle timeout.
  let ahead = 0;
  const clock = { now: () => Date.now() + ahead };
  const coach = await startCsCoach(config, { log: quiet, sender: recording, clock, pollMs: { inbox: 20, outbox: 20 } });
  const flush = async () => {
    await coach.workers.runOnce("outbox");
    for (const req of sends.splice(0)) console.log(c.cyan(`${" ".repeat(14)}→ ${describeSend(req)}`));
  };
  // What the bot stored, read as any client would: through its session API.
  const session = async (key: string): Promise<ApiSession | undefined> => {
    const res = await fetch(`${coach.url}/v1/sessions/${encodeURIComponent(key)}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`the session API answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { session: ApiSession }).session;
  };
  const epoch = Math.floor(Date.now() / 1000) - Math.ceil(items.at(-1)?.at ?? 0) - 60;
  const base = `replay-${Date.now().toString(36)}`;
  console.log(c.bold(`${pad("time", 7)} ${pad("session", 12)} ${pad("who", 5)} ${pad("message", 44)} ${pad("emotion", 24)} ${pad("QA", 5)} rule hits`));
  try {
    let prevAt = items[0]?.at ?? 0;
    for (const [n, it] of items.entries()) {
      if (!values.fast) await sleep(((it.at - prevAt) * 1000) / speed);
      prevAt = it.at;
      const messageId = `${base}-${n}`;
      const res = await fetch(`${coach.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sessionId: `${base}-${it.sessionId}`, messageId, role: it.role, senderId: `${it.role}-${it.sessionId}`, text: it.text, ts: epoch + it.at }),
      });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      // Wait for the pipeline to score it, as a live observer would.
      let s: ApiSession | undefined;
      let m: ApiSession["messages"][number] | undefined;
      for (let tries = 0; tries < 500 && !m?.score; tries++) {
        s = await session(`${base}-${it.sessionId}`);
        m = s?.messages.find((x) => x.externalId === messageId);
        if (!m?.score) await sleep(10);
      }
      if (!s || !m?.score) throw new Error(`message ${n} was not processed in time`);
      const hits = s.hits.filter((h) => h.messageId === m.id);
      const v = m.score.valence;
      const bar = "█".repeat(Math.round(Math.abs(v) * 6));
      const emo = `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)} ${m.score.category} ${bar}`;
      const tint = v <= -0.35 ? c.red : v >= 0.2 ? c.green : c.dim;
      const time = `+${String(Math.floor(it.at / 60)).padStart(2, "0")}:${String(Math.round(it.at % 60)).padStart(2, "0")}`;
      const escalation = m.score.escalation ? c.magenta(` ⚑ ${JSON.parse(m.score.escalation).join(",")}`) : "";
      console.log(
        `${pad(time, 7)} ${pad(it.sessionId, 12)} ${pad(it.role === "agent" ? "agent" : "cust", 5)} ${pad(it.text, 44)} ${tint(pad(emo, 24))} ${pad(String(s.qaScore ?? "–"), 5)} ${c.yellow(hits.map((h) => `⚠ ${h.kind}`).join(" "))}${escalation}`,
      );
      await flush();
    }
    // Close every replayed session, as the idle timeout would, to run the end-of-session checks.
    const keys = [...new Set(items.map((it) => `${base}-${it.sessionId}`))];
    ahead = (config.env.SESSION_IDLE_MINUTES + 1) * 60_000 + 10 * 365 * 86_400_000;
    let closed = 0;
    for (let n = 1; n > 0; closed += n) n = await coach.workers.runOnce("idle sweeper");
    await flush();
    console.log(c.bold(`\n${keys.length} session(s), ${closed} closed at the end`));
    for (const key of keys) {
      const s = await session(key);
      if (!s) continue;
      const kinds = [...new Set(s.hits.map((h) => h.kind))].join(", ") || "none";
      console.log(`  ${pad(key.slice(base.length + 1), 24)} QA ${String(s.qaScore).padStart(5)}  avg valence ${String(s.valenceAvg ?? "–").padStart(6)}  hits: ${kinds}`);
    }
  } finally {
    await coach.stop();
    if (!values.db) for (const s of ["", "-wal", "-shm"]) rmSync(tmpDb + s, { force: true });
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
