import { hintCard } from "../coaching/hint-card.ts";
import type { HintCandidate } from "../coaching/coach.ts";
import type { Tx } from "../storage/db.ts";
import { enqueueOutbox } from "../storage/outbox-repo.ts";

export interface HintConfig {
  /** At most this many hints per agent per minute (a burst must not drown the agent). */
  perMinute: number;
  /** An LLM drafts knowledge-base replies: such hints wait ("drafting") for the hint drafter. */
  draftWithLlm: boolean;
}

export interface HintContent {
  text: string;
  reply: string;
  source?: string;
  lang: "zh" | "en";
  trigger: string;
  question?: string;
  passages?: HintCandidate["passages"];
}

/** Queues the card privately for the agent: ephemeral in a group chat, a DM otherwise. */
export async function sendHint(tx: Tx, hint: { id: number; kind: string; title: string }, channel: string, chatId: string, agentOpenId: string, c: HintContent) {
  const card = hintCard({ hintId: hint.id, kind: hint.kind as "kb" | "lesson", lang: c.lang, title: hint.title, text: c.text, reply: c.reply, source: c.source });
  const outboxId =
    channel === "lark_group"
      ? await enqueueOutbox(tx, { kind: "ephemeral.send", target: chatId, payload: { open_id: agentOpenId, card }, rateKey: agentOpenId, uuid: `hint-${hint.id}` })
      : await enqueueOutbox(tx, { kind: "message.create", target: `open_id:${agentOpenId}`, payload: { msg_type: "interactive", content: card }, uuid: `hint-${hint.id}` });
  await tx.hint.update({ where: { id: hint.id }, data: { outboxId, status: "queued" } });
}

/**
 * Sends hints privately to the session's agent: an ephemeral card in a group chat (only the
 * agent sees it), a DM otherwise (p2p chats, Service Desk tickets: the agent owner). The same
 * article or lesson is never repeated in a session; over the per-minute budget a hint is kept
 * but not sent. Every hint is stored, with why it was (not) sent.
 */
export async function deliverHints(tx: Tx, cfg: HintConfig, sessionId: string, messageId: string, lang: "zh" | "en", candidates: HintCandidate[], now: Date) {
  if (!candidates.length) return [];
  const session = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { channel: true, externalKey: true, agentId: true } });
  const agent = session.agentId ? await tx.participant.findUnique({ where: { id: session.agentId } }) : null;
  const already = new Set((await tx.hint.findMany({ where: { sessionId, refId: { in: candidates.map((c) => c.refId) } }, select: { refId: true } })).map((h) => h.refId));
  const results: Array<{ id: number; status: string; refId: string }> = [];
  for (const c of candidates) {
    if (already.has(c.refId)) continue;
    already.add(c.refId);
    let status = "queued";
    let reason: string | undefined;
    if (!agent) [status, reason] = ["undelivered", "no agent has joined the session yet"];
    else if (agent.platform !== "lark") [status, reason] = ["undelivered", "the agent is not on Lark (ingest API): hint kept for the API"];
    else {
      const recent = await tx.hint.count({ where: { agentId: agent.id, status: { in: ["queued", "drafting"] }, createdAt: { gte: new Date(now.getTime() - 60_000) } } });
      if (recent >= cfg.perMinute) [status, reason] = ["throttled", `over ${cfg.perMinute} hints per minute`];
    }
    if (status === "queued" && c.kind === "kb" && cfg.draftWithLlm) status = "drafting";
    const content: HintContent = { text: c.text, reply: c.reply, source: c.source, lang, trigger: c.trigger, question: c.question, passages: c.passages };
    const hint = await tx.hint.create({
      data: { sessionId, messageId, agentId: agent?.id, kind: c.kind, refId: c.refId, title: c.title, content: JSON.stringify(content), status, reason, createdAt: now },
    });
    if (status === "queued" && agent) await sendHint(tx, hint, session.channel, session.externalKey, agent.externalId, content);
    results.push({ id: hint.id, status, refId: c.refId });
  }
  return results;
}
