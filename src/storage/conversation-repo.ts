import { parseSessionMeta } from "../shared/session-meta.ts";
import { randomUUID } from "node:crypto";
import type { NormalizedMessage, NormalizedSessionEvent, SessionRef } from "../ingest/types.ts";
import type { Tx } from "./db.ts";

type SessionRow = NonNullable<Awaited<ReturnType<Tx["session"]["findFirst"]>>>;

/**
 * Finds the session a new message or event belongs to, opening one when needed.
 * Platform-named sessions (tickets, ingest sessionIds) are reopened after idleness; Lark chats
 * start a fresh session once the last one went idle, since a chat has no natural end.
 */
async function sessionFor(tx: Tx, ref: SessionRef, at: Date, idleMs: number): Promise<{ session: SessionRow; closedId?: string }> {
  const latest = await tx.session.findFirst({
    where: { channel: ref.channel, externalKey: ref.externalKey },
    orderBy: { openedAt: "desc" },
  });
  const idle = latest ? at.getTime() - latest.lastMessageAt.getTime() > idleMs : false;
  if (latest && (ref.platformNamed || (latest.status === "open" && !idle))) {
    if (latest.status === "closed" && latest.closeReason === "idle") {
      return { session: await tx.session.update({ where: { id: latest.id }, data: { status: "open", closedAt: null, closeReason: null } }) };
    }
    return { session: latest };
  }
  let closedId: string | undefined;
  if (latest && latest.status === "open") {
    await tx.session.update({ where: { id: latest.id }, data: { status: "closed", closedAt: latest.lastMessageAt, closeReason: "idle" } });
    closedId = latest.id;
  }
  const session = await tx.session.create({
    data: { id: randomUUID(), channel: ref.channel, externalKey: ref.externalKey, openedAt: at, lastMessageAt: at },
  });
  return { session, closedId };
}

export interface KnownParticipant {
  id: string;
  role: string;
  name: string | null;
}

/**
 * Participants change rarely, so the pipeline remembers them between messages; the cache is
 * filled only after a transaction commits (a rolled-back insert must not be remembered).
 */
export function createParticipantCache(max = 10_000) {
  const map = new Map<string, KnownParticipant>();
  const key = (p: NormalizedMessage["sender"]) => `${p.platform}:${p.externalId}`;
  return {
    get: (p: NormalizedMessage["sender"]) => {
      const hit = map.get(key(p));
      return hit && hit.role === p.role && (!p.name || hit.name === p.name) ? hit : undefined;
    },
    remember(p: NormalizedMessage["sender"], known: KnownParticipant) {
      if (map.size >= max) map.delete(map.keys().next().value!);
      map.set(key(p), known);
    },
    clear: () => map.clear(),
  };
}
export type ParticipantCache = ReturnType<typeof createParticipantCache>;

async function participant(tx: Tx, p: NormalizedMessage["sender"], cache?: ParticipantCache): Promise<KnownParticipant> {
  const hit = cache?.get(p);
  if (hit) return hit;
  return tx.participant.upsert({
    where: { platform_externalId: { platform: p.platform, externalId: p.externalId } },
    create: { id: randomUUID(), platform: p.platform, externalId: p.externalId, role: p.role, name: p.name },
    // Roles can change (an id added to AGENT_OPEN_IDS); the message keeps the role it was sent with.
    update: { role: p.role, ...(p.name ? { name: p.name } : {}) },
    select: { id: true, role: true, name: true },
  });
}

/**
 * A channel may send more of what it knows as the conversation goes on (an order id, a link,
 * the agent's Lark identity): later keys are added, earlier ones kept unless resent.
 * Written only when something changed.
 */
function mergedMeta(stored: string | null, incoming: Record<string, unknown> | undefined): { meta?: string } {
  if (!incoming) return {};
  const fresh = Object.fromEntries(Object.entries(incoming).filter(([, v]) => v !== undefined && v !== null));
  if (!Object.keys(fresh).length) return {};
  const old = parseSessionMeta(stored);
  const merged = JSON.stringify({ ...old, ...fresh });
  return merged === stored ? {} : { meta: merged };
}

/** Stores one message; `closedSessionId` names a session this message's arrival closed as idle. */
export async function storeMessage(tx: Tx, m: NormalizedMessage, raw: string, inboxId: number, idleMs: number, participants?: ParticipantCache) {
  const { session, closedId } = await sessionFor(tx, m.session, m.sentAt, idleMs);
  const who = await participant(tx, m.sender, participants);
  const message = await tx.message.create({
    data: {
      id: randomUUID(),
      sessionId: session.id,
      participantId: who.id,
      role: m.sender.role,
      source: m.source,
      externalId: m.externalId,
      msgType: m.msgType,
      text: m.text,
      lang: m.lang,
      raw,
      sentAt: m.sentAt,
      inboxId,
    },
  });
  const later = m.sentAt > session.lastMessageAt ? m.sentAt : session.lastMessageAt;
  const isAgent = m.sender.role === "agent";
  const updated = await tx.session.update({
    where: { id: session.id },
    data: {
      lastMessageAt: later,
      messageCount: { increment: 1 },
      ...(isAgent ? { lastAgentAt: m.sentAt } : { lastCustomerAt: m.sentAt }),
      ...(isAgent && !session.agentId ? { agentId: who.id } : {}),
      ...(!isAgent && !session.customerId ? { customerId: who.id } : {}),
      ...mergedMeta(session.meta, m.meta),
    },
  });
  return { session: updated, message, participant: who, closedSessionId: closedId };
}

export async function storeSessionEvent(tx: Tx, ev: NormalizedSessionEvent, idleMs: number) {
  const { session } = await sessionFor(tx, ev.session, ev.at, idleMs);
  let customerId = session.customerId;
  if (ev.customer && !customerId) {
    const c = await participant(tx, { platform: "lark", externalId: ev.customer.externalId, role: "customer", name: ev.customer.name });
    customerId = c.id;
  }
  await tx.sessionEvent.create({ data: { sessionId: session.id, kind: ev.event, at: ev.at, data: ev.data ? JSON.stringify(ev.data) : null } });
  return tx.session.update({
    where: { id: session.id },
    data: {
      customerId,
      ...(ev.stage ? { stage: ev.stage } : {}),
      ...(ev.event === "ticket_closed" ? { status: "closed", closedAt: ev.at, closeReason: "ticket_closed" } : {}),
    },
  });
}

/** Open sessions nobody wrote in for idleMs. */
export async function idleSessions(db: Pick<Tx, "session">, now: number, idleMs: number, limit = 50): Promise<Array<{ id: string; channel: string; externalKey: string }>> {
  return db.session.findMany({
    where: { status: "open", lastMessageAt: { lt: new Date(now - idleMs) } },
    orderBy: { lastMessageAt: "asc" },
    take: limit,
    select: { id: true, channel: true, externalKey: true },
  });
}

/** Closes one session as idle; false when it was closed (or written to) meanwhile. */
export async function closeIdleSession(tx: Tx, id: string, now: number, idleMs: number): Promise<boolean> {
  const s = await tx.session.findUnique({ where: { id }, select: { status: true, lastMessageAt: true } });
  if (s?.status !== "open" || s.lastMessageAt.getTime() >= now - idleMs) return false;
  await tx.session.update({ where: { id }, data: { status: "closed", closedAt: s.lastMessageAt, closeReason: "idle" } });
  return true;
}
