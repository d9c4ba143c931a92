import type { Database } from "./db.ts";
import { asDate, placeholders, type Sql } from "./sql.ts";

/** The hint is on its way: its outbox row and status. */
export async function markHintQueued(tx: Sql, id: number, outboxId: number) {
  await tx.run(`UPDATE "Hint" SET "outboxId" = ?, "status" = 'queued', "reason" = NULL WHERE "id" = ?`, [outboxId, id]);
}

export async function setHintStatus(tx: Sql, id: number, status: string, reason?: string) {
  if (reason === undefined) await tx.run(`UPDATE "Hint" SET "status" = ? WHERE "id" = ?`, [status, id]);
  else await tx.run(`UPDATE "Hint" SET "status" = ?, "reason" = ? WHERE "id" = ?`, [status, reason, id]);
}

/** Hints sent (or being drafted) to an agent since `since`: what the per-minute budget counts. */
export async function hintsSentSince(tx: Sql, agentId: string, since: Date): Promise<number> {
  const r = await tx.get<{ n: number }>(`SELECT count(*) AS "n" FROM "Hint" WHERE "agentId" = ? AND "status" IN ('queued', 'drafting') AND "createdAt" >= ?`, [agentId, since]);
  return Number(r?.n ?? 0);
}

/** Which of these articles or lessons the session already had. */
export async function hintedRefs(tx: Sql, sessionId: string, refs: string[]): Promise<Set<string>> {
  if (!refs.length) return new Set();
  return new Set((await tx.all<{ refId: string }>(`SELECT "refId" FROM "Hint" WHERE "sessionId" = ? AND "refId" IN (${placeholders(refs.length)})`, [sessionId, ...refs])).map((h) => h.refId));
}

export async function insertHint(
  tx: Sql,
  h: { sessionId: string; messageId: string; agentId: string | null; kind: string; refId: string; title: string; content: string; status: string; reason: string | null; now: Date },
): Promise<number> {
  const row = await tx.get<{ id: number }>(
    `INSERT INTO "Hint" ("sessionId", "messageId", "agentId", "kind", "refId", "title", "content", "status", "reason", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
    [h.sessionId, h.messageId, h.agentId, h.kind, h.refId, h.title, h.content, h.status, h.reason, h.now],
  );
  return Number(row!.id);
}

/** Hints held for the session since `since` (no agent had joined), oldest first. */
export async function heldHints(tx: Sql, sessionId: string, since: Date) {
  const rows = await tx.all<{ id: number; kind: string; title: string; refId: string; content: string; sessionId: string; createdAt: unknown }>(
    `SELECT "id", "kind", "title", "refId", "content", "sessionId", "createdAt" FROM "Hint" WHERE "sessionId" = ? AND "status" = 'held' AND "createdAt" >= ? ORDER BY "id" ASC`,
    [sessionId, since],
  );
  return rows.map((h) => ({ ...h, id: Number(h.id), createdAt: asDate(h.createdAt) }));
}

/** A held hint, now for the agent who arrived. */
export async function releaseHint(tx: Sql, id: number, agentId: string, status: string, reason: string | null, now: Date) {
  await tx.run(`UPDATE "Hint" SET "agentId" = ?, "status" = ?, "reason" = ?, "createdAt" = ? WHERE "id" = ?`, [agentId, status, reason, now, id]);
}

/** The LLM's draft replaces the hint's content (and its status when it found no answer). */
export async function saveDraft(tx: Sql, id: number, d: { title: string; refId: string; content: string; reason: string | null; noAnswer: boolean }) {
  await tx.run(`UPDATE "Hint" SET "title" = ?, "refId" = ?, "content" = ?, "reason" = ?${d.noAnswer ? `, "status" = 'no_answer'` : ""} WHERE "id" = ?`, [d.title, d.refId, d.content, d.reason, id]);
}

/** A hint waiting for its draft, with its agent's identity. */
export async function hintToDraft(q: Sql, id: number) {
  const h = await q.get<{ id: number; kind: string; title: string; refId: string; content: string; sessionId: string; agentId: string | null }>(
    `SELECT "id", "kind", "title", "refId", "content", "sessionId", "agentId" FROM "Hint" WHERE "id" = ?`,
    [id],
  );
  if (!h) throw new Error(`no hint ${id}`);
  const agent = h.agentId ? await q.get<{ externalId: string }>(`SELECT "externalId" FROM "Participant" WHERE "id" = ?`, [h.agentId]) : undefined;
  return { hint: { ...h, id: Number(h.id) }, agent };
}

export const hintsDrafting = async (q: Sql, limit: number) =>
  (await q.all<{ id: number }>(`SELECT "id" FROM "Hint" WHERE "status" = 'drafting' ORDER BY "id" ASC LIMIT ?`, [limit])).map((r) => Number(r.id));

/**
 * Useful / not useful from the agent the hint was for (anyone else: undefined, nothing stored).
 * One verdict per agent and hint: a second click changes it, repeated clicks add nothing.
 */
export async function recordHintFeedback(db: Database, f: { hintId: number; operator: string | undefined; useful: boolean; eventId: string; at: Date }) {
  return db.prisma.$transaction(async (tx) => {
    const hint = await tx.hint.findUnique({ where: { id: f.hintId } });
    const agent = hint?.agentId ? await tx.participant.findUnique({ where: { id: hint.agentId } }) : null;
    if (!hint || !agent || !f.operator || agent.externalId !== f.operator) return undefined;
    const mine = await tx.hintFeedback.findFirst({ where: { hintId: hint.id, operatorId: f.operator } });
    if (!mine) await tx.hintFeedback.create({ data: { hintId: hint.id, useful: f.useful, operatorId: f.operator, eventId: f.eventId, at: f.at } });
    else if (mine.useful !== f.useful) await tx.hintFeedback.update({ where: { id: mine.id }, data: { useful: f.useful, at: f.at } });
    return hint;
  });
}
