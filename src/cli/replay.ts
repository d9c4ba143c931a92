import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadConfig } from "../config/env.ts";
import { createLogger } from "../shared/logger.ts";
import { startCsCoach } from "../start.ts";
import { createDryRunSender, type OutboundRequest } from "../clients/lark-sender.ts";
import { colors, fit } from "./terminal.ts";

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
  const p = req.payload as Record<string, any>;
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
  const recording = { ...sender, send: (req: OutboundRequest) => (sends.push(req), sender.send(req)) };
  const coach = await startCsCoach(config, { log: quiet, sender: recording, pollMs: { inbox: 20, outbox: 20 } });
  const flush = async () => {
    await coach.outboxWorker.runOnce();
    for (const req of sends.splice(0)) console.log(c.cyan(`${" ".repeat(14)}→ ${describeSend(req)}`));
  };
  const epoch = Math.floor(Date.now() / 1000) - Math.ceil(items.at(-1)?.at ?? 0) - 60;
  const base = `replay-${Date.now().toString(36)}`;
  console.log(c.bold(`${fit("time", 7)} ${fit("session", 12)} ${fit("who", 5)} ${fit("message", 44)} ${fit("emotion", 24)} ${fit("QA", 5)} rule hits`));
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
      let m;
      for (let tries = 0; tries < 500 && !m?.score; tries++) {
        m = await coach.db.prisma.message.findUnique({ where: { source_externalId: { source: "api", externalId: messageId } }, include: { score: true, session: true } });
        if (!m?.score) await sleep(10);
      }
      if (!m?.score) throw new Error(`message ${n} was not processed in time`);
      const hits = await coach.db.prisma.ruleHit.findMany({ where: { messageId: m.id } });
      const v = m.score.valence;
      const bar = "█".repeat(Math.round(Math.abs(v) * 6));
      const emo = `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)} ${m.score.category} ${bar}`;
      const tint = v <= -0.35 ? c.red : v >= 0.2 ? c.green : c.dim;
      const time = `+${String(Math.floor(it.at / 60)).padStart(2, "0")}:${String(Math.round(it.at % 60)).padStart(2, "0")}`;
      const escalation = m.score.escalation ? c.magenta(` ⚑ ${JSON.parse(m.score.escalation).join(",")}`) : "";
      console.log(
        `${fit(time, 7)} ${fit(it.sessionId, 12)} ${fit(it.role === "agent" ? "agent" : "cust", 5)} ${fit(it.text, 44)} ${tint(fit(emo, 24))} ${fit(String(m.session.qaScore ?? "–"), 5)} ${c.yellow(hits.map((h) => `⚠ ${h.kind}`).join(" "))}${escalation}`,
      );
      await flush();
    }
    // Close every replayed session, as the idle timeout would, to run the end-of-session checks.
    const sessions = await coach.db.prisma.session.findMany({ where: { externalKey: { startsWith: base } } });
    let closed = 0;
    for (let n = 1; n > 0; closed += n) n = await coach.pipeline.closeIdleSessions(Date.now() + (config.env.SESSION_IDLE_MINUTES + 1) * 60_000 + 10 * 365 * 86_400_000);
    await flush();
    console.log(c.bold(`\n${sessions.length} session(s), ${closed} closed at the end`));
    for (const s of await coach.db.prisma.session.findMany({ where: { externalKey: { startsWith: base } }, include: { hits: true } })) {
      const kinds = [...new Set(s.hits.map((h) => h.kind))].join(", ") || "none";
      console.log(`  ${fit(s.externalKey.slice(base.length + 1), 24)} QA ${String(s.qaScore).padStart(5)}  avg valence ${String(s.valenceAvg ?? "–").padStart(6)}  hits: ${kinds}`);
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
