import { parseSessionMeta } from "../shared/session-meta.ts";
import { randomUUID } from "node:crypto";
import type { NormalizedMessage, NormalizedSessionEvent, SessionRef } from "../ingest/types.ts";
import { asDate, asDateOrNull, type Sql } from "./sql.ts";

/** The columns of a session the hot path reads. */
export interface SessionRow {
  id: string;
  channel: string;
  externalKey: string;
  status: string;
  lastMessageAt: Date;
  closeReason: string | null;
  agentId: string | null;
  customerId: string | null;
  meta: string | null;
  messageCount: number;
  revision: number;
  lastCustomerAt: Date | null;
  lastAgentAt: Date | null;
  awaitingSince: Date | null;
}
const SESSION_COLUMNS = `"id", "channel", "externalKey", "status", "lastMessageAt", "closeReason", "agentId", "customerId", "meta", "messageCount", "revision", "lastCustomerAt", "lastAgentAt", "awaitingSince"`;
const sessionRow = (r: Record<string, unknown>): SessionRow => ({
  ...(r as unknown as SessionRow),
  lastMessageAt: asDate(r.lastMessageAt),
  lastCustomerAt: asDateOrNull(r.lastCustomerAt),
  lastAgentAt: asDateOrNull(r.lastAgentAt),
  awaitingSince: asDateOrNull(r.awaitingSince),
  messageCount: Number(r.messageCount),
  revision: Number(r.revision),
});

/**
 * Finds the session a new message or event belongs to, opening one when needed.
 * Platform-named sessions (tickets, ingest sessionIds) are reopened after idleness; Lark chats
 * start a fresh session once the last one went idle, since a chat has no natural end.
 */
async function sessionFor(tx: Sql, ref: SessionRef, at: Date, idleMs: number): Promise<{ session: SessionRow; closedId?: string }> {
  const found = await tx.get(`SELECT ${SESSION_COLUMNS} FROM "Session" WHERE "channel" = ? AND "externalKey" = ? ORDER BY "openedAt" DESC LIMIT 1`, [ref.channel, ref.externalKey]);
  const latest = found ? sessionRow(found) : undefined;
  const idle = latest ? at.getTime() - latest.lastMessageAt.getTime() > idleMs : false;
  if (latest && (ref.platformNamed || (latest.status === "open" && !idle))) {
    if (latest.status === "closed" && latest.closeReason === "idle") {
      await tx.run(`UPDATE "Session" SET "status" = 'open', "closedAt" = NULL, "closeReason" = NULL WHERE "id" = ?`, [latest.id]);
      return { session: { ...latest, status: "open", closeReason: null } };
    }
    return { session: latest };
  }
  let closedId: string | undefined;
  if (latest && latest.status === "open") {
    await tx.run(`UPDATE "Session" SET "status" = 'closed', "closedAt" = ?, "closeReason" = 'idle' WHERE "id" = ?`, [latest.lastMessageAt, latest.id]);
    closedId = latest.id;
  }
  const created = await tx.get(`INSERT INTO "Session" ("id", "channel", "externalKey", "openedAt", "lastMessageAt") VALUES (?, ?, ?, ?, ?) RETURNING ${SESSION_COLUMNS}`, [
    randomUUID(),
    ref.channel,
    ref.externalKey,
    at,
    at,
  ]);
  return { session: sessionRow(created!), closedId };
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

async function participant(tx: Sql, p: NormalizedMessage["sender"], cache?: ParticipantCache): Promise<KnownParticipant> {
  const hit = cache?.get(p);
  if (hit) return hit;
  // Roles can change (an id added to AGENT_OPEN_IDS); the message keeps the role it was sent with.
  const row = await tx.get<KnownParticipant>(
    `INSERT INTO "Participant" ("id", "platform", "externalId", "role", "name", "createdAt") VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT ("platform", "externalId") DO UPDATE SET "role" = excluded."role", "name" = COALESCE(excluded."name", "Participant"."name")
     RETURNING "id", "role", "name"`,
    [randomUUID(), p.platform, p.externalId, p.role, p.name ?? null, new Date()],
  );
  return row!;
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

/**
 * Since when the customer has been waiting: their first message since the agent last spoke
 * (what the waiting detector measures from), null once the agent answers. It changes only when
 * the conversation turns, so most messages leave its index alone.
 */
function awaitingAfter(s: SessionRow, isAgent: boolean, at: Date, lastCustomerAt: Date | null, lastAgentAt: Date | null): Date | null {
  if (isAgent) return lastCustomerAt && lastAgentAt && lastAgentAt >= lastCustomerAt ? null : s.awaitingSince;
  if (lastAgentAt && lastAgentAt >= at) return s.awaitingSince; // an earlier message arriving late
  return s.awaitingSince && s.awaitingSince <= at ? s.awaitingSince : at;
}

/** Stores one message; `closedSessionId` names a session this message's arrival closed as idle. */
export async function storeMessage(tx: Sql, m: NormalizedMessage, raw: string, inboxId: number, idleMs: number, participants?: ParticipantCache) {
  const { session, closedId } = await sessionFor(tx, m.session, m.sentAt, idleMs);
  const who = await participant(tx, m.sender, participants);
  const message = { id: randomUUID(), role: m.sender.role, text: m.text, sentAt: m.sentAt };
  await tx.run(
    `INSERT INTO "Message" ("id", "sessionId", "participantId", "role", "source", "externalId", "msgType", "text", "lang", "raw", "sentAt", "receivedAt", "inboxId") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [message.id, session.id, who.id, m.sender.role, m.source, m.externalId, m.msgType, m.text, m.lang ?? null, raw, m.sentAt, new Date(), inboxId],
  );
  const later = m.sentAt > session.lastMessageAt ? m.sentAt : session.lastMessageAt;
  const isAgent = m.sender.role === "agent";
  const agentId = isAgent && !session.agentId ? who.id : session.agentId;
  const customerId = !isAgent && !session.customerId ? who.id : session.customerId;
  const meta = mergedMeta(session.meta, m.meta).meta ?? session.meta;
  const lastCustomerAt = isAgent ? session.lastCustomerAt : m.sentAt;
  const lastAgentAt = isAgent ? m.sentAt : session.lastAgentAt;
  const awaitingSince = awaitingAfter(session, isAgent, m.sentAt, lastCustomerAt, lastAgentAt);
  const turned = awaitingSince?.getTime() !== session.awaitingSince?.getTime();
  await tx.run(
    `UPDATE "Session" SET "lastMessageAt" = ?, "messageCount" = "messageCount" + 1, ${isAgent ? `"lastAgentAt"` : `"lastCustomerAt"`} = ?,${turned ? ` "awaitingSince" = ?,` : ""} "agentId" = ?, "customerId" = ?, "meta" = ? WHERE "id" = ?`,
    [later, m.sentAt, ...(turned ? [awaitingSince] : []), agentId, customerId, meta, session.id],
  );
  const updated: SessionRow = { ...session, lastMessageAt: later, messageCount: session.messageCount + 1, agentId, customerId, meta, lastCustomerAt, lastAgentAt, awaitingSince };
  return { session: updated, message, participant: who, closedSessionId: closedId };
}

export async function storeSessionEvent(tx: Sql, ev: NormalizedSessionEvent, idleMs: number): Promise<SessionRow> {
  const { session } = await sessionFor(tx, ev.session, ev.at, idleMs);
  let customerId = session.customerId;
  if (ev.customer && !customerId) {
    const c = await participant(tx, { platform: "lark", externalId: ev.customer.externalId, role: "customer", name: ev.customer.name });
    customerId = c.id;
  }
  await tx.run(`INSERT INTO "SessionEvent" ("sessionId", "kind", "at", "data") VALUES (?, ?, ?, ?)`, [session.id, ev.event, ev.at, ev.data ? JSON.stringify(ev.data) : null]);
  const closing = ev.event === "ticket_closed";
  await tx.run(`UPDATE "Session" SET "customerId" = ?${ev.stage ? `, "stage" = ?` : ""}${closing ? `, "status" = 'closed', "closedAt" = ?, "closeReason" = 'ticket_closed'` : ""} WHERE "id" = ?`, [
    customerId,
    ...(ev.stage ? [ev.stage] : []),
    ...(closing ? [ev.at] : []),
    session.id,
  ]);
  return { ...session, customerId, ...(closing ? { status: "closed", closeReason: "ticket_closed" } : {}) };
}

/** Open sessions nobody wrote in for idleMs. */
export function idleSessions(q: Sql, now: number, idleMs: number, limit = 50): Promise<Array<{ id: string; channel: string; externalKey: string }>> {
  return q.all(`SELECT "id", "channel", "externalKey" FROM "Session" WHERE "status" = 'open' AND "lastMessageAt" < ? ORDER BY "lastMessageAt" ASC LIMIT ?`, [new Date(now - idleMs), limit]);
}

/** Closes one session as idle; false when it was closed (or written to) meanwhile. */
export async function closeIdleSession(tx: Sql, id: string, now: number, idleMs: number): Promise<boolean> {
  const s = await tx.get<{ status: string; lastMessageAt: unknown }>(`SELECT "status", "lastMessageAt" FROM "Session" WHERE "id" = ?`, [id]);
  if (s?.status !== "open") return false;
  const last = asDate(s.lastMessageAt);
  if (last.getTime() >= now - idleMs) return false;
  await tx.run(`UPDATE "Session" SET "status" = 'closed', "closedAt" = ?, "closeReason" = 'idle' WHERE "id" = ?`, [last, id]);
  return true;
}

/** The session's agent (participant id), if one has spoken. */
export const sessionAgent = async (tx: Sql, sessionId: string): Promise<string | null> =>
  (await tx.get<{ agentId: string | null }>(`SELECT "agentId" FROM "Session" WHERE "id" = ?`, [sessionId]))?.agentId ?? null;

export const participantName = (tx: Sql, id: string) => tx.get<{ name: string | null; externalId: string }>(`SELECT "name", "externalId" FROM "Participant" WHERE "id" = ?`, [id]);

/** What private messages for a session are routed by: the session and its two participants. */
export async function routeRows(tx: Sql, sessionId: string) {
  const s = await tx.get<{ channel: string; externalKey: string; agentId: string | null; customerId: string | null; meta: string | null }>(
    `SELECT "channel", "externalKey", "agentId", "customerId", "meta" FROM "Session" WHERE "id" = ?`,
    [sessionId],
  );
  if (!s) throw new Error(`no session ${sessionId}`);
  const people = s.agentId
    ? await tx.all<{ id: string; role: string; platform: string; externalId: string }>(`SELECT "id", "role", "platform", "externalId" FROM "Participant" WHERE "id" IN (?, ?)`, [
        s.agentId,
        s.customerId ?? s.agentId,
      ])
    : [];
  return { session: s, people };
}

export interface WaitingCustomer {
  id: string;
  channel: string;
  externalKey: string;
  awaitingSince: Date;
  lastAgentAt: Date | null;
  qaScore: number | null;
}

/**
 * One page of open sessions whose customer is waiting since between `from` and `to`, oldest
 * wait first, after `after` (keyset paging: the waiting timer walks all of them, however many
 * are waiting or were answered). Read by the (status, awaitingSince) index.
 */
export async function waitingCustomers(q: Sql, from: Date, to: Date, limit: number, after?: { at: Date; id: string }): Promise<WaitingCustomer[]> {
  const rows = await q.all<{ id: string; channel: string; externalKey: string; awaitingSince: unknown; lastAgentAt: unknown; qaScore: number | null }>(
    `SELECT "id", "channel", "externalKey", "awaitingSince", "lastAgentAt", "qaScore" FROM "Session"
     WHERE "status" = 'open' AND "awaitingSince" <= ? AND "awaitingSince" >= ?${after ? ` AND ("awaitingSince" > ? OR ("awaitingSince" = ? AND "id" > ?))` : ""}
     ORDER BY "awaitingSince" ASC, "id" ASC LIMIT ?`,
    [to, from, ...(after ? [after.at, after.at, after.id] : []), limit],
  );
  return rows.map((c) => ({ ...c, awaitingSince: asDate(c.awaitingSince), lastAgentAt: asDateOrNull(c.lastAgentAt) }));
}

/** A supervisor took the session over. */
export async function assignSession(tx: Sql, sessionId: string, operator: string, now: Date) {
  await tx.run(`UPDATE "Session" SET "assignedTo" = ?, "assignedAt" = ? WHERE "id" = ?`, [operator, now, sessionId]);
}
