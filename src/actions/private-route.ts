import { parseSessionMeta, sentChannel } from "../shared/session-meta.ts";
import type { Sql } from "../storage/sql.ts";
import { routeRows } from "../storage/conversation-repo.ts";

export interface AgentRecipient {
  participantId: string;
  platform: string;
  /** The agent's Lark open_id: theirs when on Lark, or the one an ingest channel sent (`meta.agentOpenId`). */
  openId?: string;
}

/** Where private messages for a session can go: its conversation, and its agent when it may be reached. */
export interface PrivateRoute {
  channel: string;
  /** The platform's chat / ticket / session id. */
  externalKey: string;
  /** The ingest `channel`, for its webhook. */
  sentChannel?: string;
  agent?: AgentRecipient;
}

const isOpenId = (v: unknown): v is string => typeof v === "string" && /^ou_[A-Za-z0-9_-]{4,64}$/.test(v);

/**
 * The session's agent, as the one person private hints and notices may go to. Never the
 * customer: the participant must be stored as an agent, must not be the session's customer,
 * and the Lark identity used must not be the customer's.
 */
export async function privateRoute(tx: Sql, sessionId: string): Promise<PrivateRoute> {
  const { session: s, people } = await routeRows(tx, sessionId);
  const meta = parseSessionMeta(s.meta);
  const route: PrivateRoute = { channel: s.channel, externalKey: s.externalKey, sentChannel: sentChannel(meta) };
  if (!s.agentId || s.agentId === s.customerId) return route;
  const agent = people.find((p) => p.id === s.agentId);
  const customer = people.find((p) => p.id === s.customerId);
  if (agent?.role !== "agent") return route;
  let openId = agent.platform === "lark" ? agent.externalId : isOpenId(meta.agentOpenId) ? meta.agentOpenId : undefined;
  if (openId && customer?.platform === "lark" && customer.externalId === openId) openId = undefined;
  return { ...route, agent: { participantId: agent.id, platform: agent.platform, openId } };
}
