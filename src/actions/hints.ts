import { hintCard, hintCardV1 } from "../coaching/hint-card.ts";
import type { HintCandidate } from "../coaching/coach.ts";
import type { Sql } from "../storage/sql.ts";
import { heldHints, hintedRefs, hintsSentSince, insertHint, markHintQueued, releaseHint, setHintStatus } from "../storage/hint-repo.ts";
import { enqueueOutbox } from "../storage/outbox-repo.ts";
import { privateRoute, type PrivateRoute } from "./private-route.ts";

/** Where a channel's own platform receives hints and alerts (a signed POST), by ingest `channel`. */
export type WebhookFor = (channel: string | undefined) => string | undefined;

export interface HintConfig {
  /** At most this many hints per agent per minute (a burst must not drown the agent). */
  perMinute: number;
  /** An LLM drafts knowledge-base replies: such hints wait ("drafting") for the hint drafter. */
  draftWithLlm: boolean;
  webhookFor: WebhookFor;
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

/** A hint held for an agent who has not joined yet is still worth sending this long after. */
const HOLD_MS = 15 * 60_000;

/**
 * Queues the hint privately for the session's agent, and only for them: an ephemeral card in a
 * Lark group chat (a DM if Lark refuses it), a DM in p2p chats and Service Desk tickets; for
 * another platform, its channel webhook and, when the channel told us the agent's Lark
 * open_id, a DM. Returns false when there is no way to reach the agent (kept "undelivered").
 */
export async function sendHint(tx: Sql, webhookFor: WebhookFor, hint: { id: number; kind: string; title: string; sessionId: string }, c: HintContent, known?: PrivateRoute): Promise<boolean> {
  const session = known ?? (await privateRoute(tx, hint.sessionId));
  const { agent } = session;
  if (!agent) return false;
  const view = { hintId: hint.id, kind: hint.kind as "kb" | "lesson", lang: c.lang, title: hint.title, text: c.text, reply: c.reply, source: c.source };
  const dm = (openId: string) => ({ kind: "message.create" as const, target: `open_id:${openId}`, payload: { msg_type: "interactive", content: hintCard(view) }, uuid: `hint-${hint.id}` });
  let outboxId: number | undefined;
  if (session.channel === "lark_group" && agent.openId) {
    // The ephemeral API documents card JSON 1.0; if Lark refuses the card, the worker sends the DM instead.
    const fallback = { ...dm(agent.openId), uuid: `hint-${hint.id}-dm` };
    outboxId = await enqueueOutbox(tx, {
      kind: "ephemeral.send",
      target: session.externalKey,
      payload: { open_id: agent.openId, card: hintCardV1(view), fallback },
      rateKey: agent.openId,
      uuid: `hint-${hint.id}`,
    });
  } else if (agent.openId) {
    outboxId = await enqueueOutbox(tx, dm(agent.openId));
  }
  if (session.channel === "api") {
    const url = webhookFor(session.sentChannel);
    if (url) {
      const id = await enqueueOutbox(tx, {
        kind: "webhook.post",
        target: url,
        payload: {
          type: "hint",
          sessionId: session.externalKey,
          channel: session.sentChannel,
          hint: { id: hint.id, kind: hint.kind, title: hint.title, text: c.text, reply: c.reply, source: c.source, lang: c.lang },
        },
        uuid: `hint-${hint.id}-webhook`,
      });
      outboxId ??= id;
    }
  }
  if (outboxId === undefined) return false;
  await markHintQueued(tx, hint.id, outboxId);
  return true;
}

/** A private notice to the session's agent (a supervisor took over, …), by the same rules as hints. */
export async function notifyAgent(tx: Sql, sessionId: string, notice: { text: string; uuid: string }, webhookFor?: WebhookFor): Promise<boolean> {
  const session = await privateRoute(tx, sessionId);
  const { agent } = session;
  let sent = false;
  if (agent?.openId) {
    await enqueueOutbox(tx, { kind: "message.create", target: `open_id:${agent.openId}`, payload: { msg_type: "text", content: { text: notice.text } }, uuid: notice.uuid });
    sent = true;
  }
  const url = session.channel === "api" ? webhookFor?.(session.sentChannel) : undefined;
  if (url) {
    await enqueueOutbox(tx, { kind: "webhook.post", target: url, payload: { type: "notice", sessionId: session.externalKey, text: notice.text }, uuid: `${notice.uuid}-webhook` });
    sent = true;
  }
  return sent;
}

const overBudget = async (tx: Sql, cfg: HintConfig, agentId: string, now: Date) => (await hintsSentSince(tx, agentId, new Date(now.getTime() - 60_000))) >= cfg.perMinute;

/**
 * Sends hints privately to the session's agent. The same article or lesson is never repeated
 * in a session; over the per-minute budget a hint is kept but not sent; before any agent has
 * joined, a hint is held and sent when one does. Every hint is stored, with why it was (not) sent.
 */
export async function deliverHints(tx: Sql, cfg: HintConfig, sessionId: string, messageId: string, lang: "zh" | "en", candidates: HintCandidate[], now: Date) {
  if (!candidates.length) return [];
  const already = await hintedRefs(
    tx,
    sessionId,
    candidates.map((c) => c.refId),
  );
  // A customer asking again what was already hinted in this session is common: nothing more to read.
  if (candidates.every((c) => already.has(c.refId))) return [];
  const route = await privateRoute(tx, sessionId);
  const { agent } = route;
  const results: Array<{ id: number; status: string; refId: string }> = [];
  for (const c of candidates) {
    if (already.has(c.refId)) continue;
    already.add(c.refId);
    let status = "queued";
    let reason: string | undefined;
    if (!agent) [status, reason] = ["held", "no agent has joined the session yet: sent when one does"];
    else if (await overBudget(tx, cfg, agent.participantId, now)) [status, reason] = ["throttled", `over ${cfg.perMinute} hints per minute`];
    if (status === "queued" && c.kind === "kb" && cfg.draftWithLlm) status = "drafting";
    const content: HintContent = { text: c.text, reply: c.reply, source: c.source, lang, trigger: c.trigger, question: c.question, passages: c.passages };
    const id = await insertHint(tx, {
      sessionId,
      messageId,
      agentId: agent?.participantId ?? null,
      kind: c.kind,
      refId: c.refId,
      title: c.title,
      content: JSON.stringify(content),
      status,
      reason: reason ?? null,
      now,
    });
    const hint = { id, kind: c.kind, title: c.title };
    if (status === "queued" && !(await sendHint(tx, cfg.webhookFor, { ...hint, sessionId }, content, route))) {
      status = "undelivered";
      await setHintStatus(tx, hint.id, status, "no way to reach this agent (no Lark identity, no channel webhook): kept for GET /v1/sessions/:id");
    }
    results.push({ id: hint.id, status, refId: c.refId });
  }
  return results;
}

/** The agent has arrived: hints held for them (recent ones) go out now, within the budget. */
export async function releaseHeldHints(tx: Sql, cfg: HintConfig, sessionId: string, now: Date) {
  const held = await heldHints(tx, sessionId, new Date(now.getTime() - HOLD_MS));
  if (!held.length) return [];
  const route = await privateRoute(tx, sessionId);
  const { agent } = route;
  if (!agent) return [];
  const results: Array<{ id: number; status: string; refId: string }> = [];
  for (const h of held) {
    const content = JSON.parse(h.content) as HintContent;
    let status = "queued";
    if (await overBudget(tx, cfg, agent.participantId, now)) status = "throttled";
    else if (h.kind === "kb" && cfg.draftWithLlm) status = "drafting";
    await releaseHint(tx, h.id, agent.participantId, status, status === "throttled" ? `over ${cfg.perMinute} hints per minute` : null, now);
    if (status === "queued" && !(await sendHint(tx, cfg.webhookFor, h, content, route))) {
      status = "undelivered";
      await setHintStatus(tx, h.id, status);
    }
    results.push({ id: h.id, status, refId: h.refId });
  }
  return results;
}
