import { hintCard } from "../coaching/hint-card.ts";
import type { HintCandidate } from "../coaching/coach.ts";
import type { Tx } from "../storage/db.ts";
import { enqueueOutbox } from "../storage/outbox-repo.ts";

export interface HintConfig {
  /** At most this many hints per agent per minute (a burst must not drown the agent). */
  perMinute: number;
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
      const recent = await tx.hint.count({ where: { agentId: agent.id, status: "queued", createdAt: { gte: new Date(now.getTime() - 60_000) } } });
      if (recent >= cfg.perMinute) [status, reason] = ["throttled", `over ${cfg.perMinute} hints per minute`];
    }
    const content = { text: c.text, reply: c.reply, source: c.source, lang, trigger: c.trigger };
    const hint = await tx.hint.create({
      data: { sessionId, messageId, agentId: agent?.id, kind: c.kind, refId: c.refId, title: c.title, content: JSON.stringify(content), status, reason, createdAt: now },
    });
    if (status === "queued" && agent) {
      const card = hintCard({ hintId: hint.id, kind: c.kind, lang, title: c.title, text: c.text, reply: c.reply, source: c.source });
      const outboxId =
        session.channel === "lark_group"
          ? await enqueueOutbox(tx, { kind: "ephemeral.send", target: session.externalKey, payload: { open_id: agent.externalId, card }, rateKey: agent.externalId, uuid: `hint-${hint.id}` })
          : await enqueueOutbox(tx, { kind: "message.create", target: `open_id:${agent.externalId}`, payload: { msg_type: "interactive", content: card }, uuid: `hint-${hint.id}` });
      await tx.hint.update({ where: { id: hint.id }, data: { outboxId } });
    }
    results.push({ id: hint.id, status, refId: c.refId });
  }
  return results;
}
