import type { Tx } from "../storage/db.ts";

export interface AgentRecipient {
  participantId: string;
  platform: string;
  /** The agent's Lark open_id: theirs when on Lark, or the one an ingest channel sent (`meta.agentOpenId`). */
  openId?: string;
}

const isOpenId = (v: unknown): v is string => typeof v === "string" && /^ou_[A-Za-z0-9_-]{4,64}$/.test(v);

/**
 * The session's agent, as the one person private hints and notices may go to. Never the
 * customer: the participant must be stored as an agent, must not be the session's customer,
 * and the Lark identity used must not be the customer's.
 */
export async function agentRecipient(tx: Tx, sessionId: string): Promise<AgentRecipient | undefined> {
  const s = await tx.session.findUnique({ where: { id: sessionId }, select: { agentId: true, customerId: true, meta: true } });
  if (!s?.agentId || s.agentId === s.customerId) return undefined;
  const [agent, customer] = await Promise.all([
    tx.participant.findUnique({ where: { id: s.agentId }, select: { id: true, role: true, platform: true, externalId: true } }),
    s.customerId ? tx.participant.findUnique({ where: { id: s.customerId }, select: { platform: true, externalId: true } }) : null,
  ]);
  if (!agent || agent.role !== "agent") return undefined;
  let openId: string | undefined;
  if (agent.platform === "lark") openId = agent.externalId;
  else {
    const meta = s.meta ? (JSON.parse(s.meta) as Record<string, unknown>) : {};
    if (isOpenId(meta.agentOpenId)) openId = meta.agentOpenId;
  }
  if (openId && customer?.platform === "lark" && customer.externalId === openId) openId = undefined;
  return { participantId: agent.id, platform: agent.platform, openId };
}
