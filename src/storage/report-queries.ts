import type { Database } from "./db.ts";
import { asDate, placeholders, type Sql } from "./sql.ts";

/** Read side of the stand-up, the export and the feedback evaluation (Prisma: cold paths). */

/** `CASE WHEN col < ? THEN 0 … END`: the hour (0–23) of the day a time falls in, from the hours' starts as UTC instants. */
const hourOf = (col: string, starts: Date[]) =>
  `CASE ${starts
    .slice(1)
    .map((_, i) => `WHEN ${col} < ? THEN ${i}`)
    .join(" ")} ELSE ${starts.length - 1} END`;

export interface DayRows {
  /** Per local hour: messages, customer messages, and the customer valences' sum and count. */
  hourly: Array<{ hour: number; messages: number; customer: number; valenceSum: number; valenceN: number }>;
  sessions: Array<{ id: string; agentId: string | null; qaScore: number | null; valenceAvg: number | null; valenceMin: number | null; escalationKinds: string | null }>;
  firstResponses: number[];
  /** Rule hits per session and kind (with the kind's lesson). */
  hits: Array<{ sessionId: string; kind: string; lesson: string | null; n: number }>;
  hints: { queued: number; judged: number; useful: number };
  alerts: Array<{ kind: string; summary: string; createdAt: Date; action: string | null }>;
}

/**
 * The sessions that can have anything on [start, end): open before its end, written to since a
 * day before its start (a waiting or closing alert comes after a session's last message, within
 * its idle timeout). Read by the Session.lastMessageAt index; everything else of the day is
 * then reached through indexes by session, so no table is scanned whatever its history.
 */
const ACTIVE = `SELECT "id" FROM "Session" WHERE "lastMessageAt" >= ? AND "openedAt" < ?`;
const activeParams = (start: Date, end: Date) => [new Date(start.getTime() - 86_400_000), end];

/**
 * What happened in [start, end), aggregated by the database: a busy day is a few thousand
 * small rows (sessions, hits per session and kind, alerts), never every message of the day.
 * `hourStarts` are the local hours' first instants (24, or 23/25 across a clock change).
 */
export async function dayRows(q: Sql, start: Date, end: Date, hourStarts: Date[]): Promise<DayRows> {
  const range = [start, end];
  const active = activeParams(start, end);
  const hourly = await q.all<Record<string, unknown>>(
    `SELECT ${hourOf(`m."sentAt"`, hourStarts)} AS "hour", COUNT(*) AS "messages",
       SUM(CASE WHEN m."role" = 'customer' THEN 1 ELSE 0 END) AS "customer",
       SUM(CASE WHEN m."role" = 'customer' THEN sc."valence" END) AS "valenceSum",
       COUNT(CASE WHEN m."role" = 'customer' THEN sc."valence" END) AS "valenceN"
     FROM "Message" m LEFT JOIN "MessageScore" sc ON sc."messageId" = m."id"
     WHERE m."sessionId" IN (${ACTIVE}) AND m."sentAt" >= ? AND m."sentAt" < ? GROUP BY 1`,
    [...hourStarts.slice(1), ...active, ...range],
  );
  const sessions = await q.all<DayRows["sessions"][number]>(
    `SELECT s."id", s."agentId", s."qaScore", s."valenceAvg", s."valenceMin", s."escalationKinds" FROM "Session" s
     WHERE s."lastMessageAt" >= ? AND s."openedAt" < ? AND EXISTS (SELECT 1 FROM "Message" m WHERE m."sessionId" = s."id" AND m."sentAt" >= ? AND m."sentAt" < ?)`,
    [start, end, ...range],
  );
  // Opened that day means written to since its start (lastMessageAt ≥ openedAt): the index narrows it.
  const firstResponses = await q.all<{ v: number }>(
    `SELECT "firstResponseSecs" AS "v" FROM "Session" WHERE "lastMessageAt" >= ? AND "openedAt" >= ? AND "openedAt" < ? AND "firstResponseSecs" IS NOT NULL`,
    [start, ...range],
  );
  const hits = await q.all<{ sessionId: string; kind: string; lesson: string | null; n: unknown }>(
    `SELECT "sessionId", "kind", MAX("lesson") AS "lesson", COUNT(*) AS "n" FROM "RuleHit" WHERE "sessionId" IN (${ACTIVE}) AND "at" >= ? AND "at" < ? GROUP BY "sessionId", "kind"`,
    [...active, ...range],
  );
  const hints = await q.get<Record<string, unknown>>(
    `SELECT SUM(CASE WHEN h."status" = 'queued' THEN 1 ELSE 0 END) AS "queued", COUNT(f."useful") AS "judged", SUM(CASE WHEN f."useful" THEN 1 ELSE 0 END) AS "useful"
     FROM "Hint" h LEFT JOIN "HintFeedback" f ON f."id" = (SELECT f2."id" FROM "HintFeedback" f2 WHERE f2."hintId" = h."id" ORDER BY f2."at" DESC, f2."id" DESC LIMIT 1)
     WHERE h."sessionId" IN (${ACTIVE}) AND h."createdAt" >= ? AND h."createdAt" < ?`,
    [...active, ...range],
  );
  // Session alerts through their sessions; wellbeing alerts (no session) through the day's agents.
  const verdict = `(SELECT f."action" FROM "AlertFeedback" f WHERE f."alertId" = a."id" ORDER BY f."at" DESC, f."id" DESC LIMIT 1) AS "action"`;
  type AlertRow = { kind: string; summary: string; createdAt: unknown; action: string | null };
  const alerts = [
    ...(await q.all<AlertRow>(`SELECT a."kind", a."summary", a."createdAt", ${verdict} FROM "Alert" a WHERE a."sessionId" IN (${ACTIVE}) AND a."createdAt" >= ? AND a."createdAt" < ?`, [
      ...active,
      ...range,
    ])),
    ...(await q.all<AlertRow>(
      `SELECT a."kind", a."summary", a."createdAt", ${verdict} FROM "Alert" a
       WHERE a."sessionId" IS NULL AND a."agentId" IN (SELECT DISTINCT "agentId" FROM "Session" WHERE "lastMessageAt" >= ? AND "openedAt" < ? AND "agentId" IS NOT NULL) AND a."createdAt" >= ? AND a."createdAt" < ?`,
      [...active, ...range],
    )),
  ];
  const num = (v: unknown) => Number(v ?? 0);
  return {
    hourly: hourly.map((r) => ({ hour: num(r.hour), messages: num(r.messages), customer: num(r.customer), valenceSum: num(r.valenceSum), valenceN: num(r.valenceN) })),
    sessions,
    firstResponses: firstResponses.map((r) => Number(r.v)),
    hits: hits.map((h) => ({ ...h, n: num(h.n) })),
    hints: { queued: num(hints?.queued), judged: num(hints?.judged), useful: num(hints?.useful) },
    alerts: alerts.map((a) => ({ ...a, createdAt: asDate(a.createdAt) })),
  };
}

/** The customers' words in these sessions during [start, end), joined per session (the complaint type reads them). */
export async function customerTextBySession(q: Sql, sessionIds: string[], start: Date, end: Date): Promise<Map<string, string>> {
  const rows = sessionIds.length
    ? await q.all<{ sessionId: string; text: string }>(
        `SELECT "sessionId", "text" FROM "Message" WHERE "sessionId" IN (${placeholders(sessionIds.length)}) AND "role" = 'customer' AND "sentAt" >= ? AND "sentAt" < ? ORDER BY "sessionId", "sentAt"`,
        [...sessionIds, start, end],
      )
    : [];
  const out = new Map<string, string>();
  for (const r of rows) out.set(r.sessionId, out.has(r.sessionId) ? `${out.get(r.sessionId)} ${r.text}` : r.text);
  return out;
}

export const participantsById = (db: Database, ids: string[]) => db.prisma.participant.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, externalId: true } });

/** Sessions with a message in [from, to), whole (messages and scores, hits, findings, alerts with feedback), and their hints. */
export async function exportRows(db: Database, from: Date, to: Date) {
  const o = { from, to };
  const ids = await db.prisma.message.findMany({ where: { sentAt: { gte: o.from, lt: o.to } }, distinct: ["sessionId"], select: { sessionId: true } });
  const sessions = await db.prisma.session.findMany({
    where: { id: { in: ids.map((r) => r.sessionId) } },
    orderBy: { openedAt: "asc" },
    include: {
      messages: { orderBy: [{ sentAt: "asc" }, { receivedAt: "asc" }], include: { score: true } },
      hits: true,
      findings: true,
      alerts: { include: { feedback: true } },
    },
  });
  const hints = await db.prisma.hint.findMany({ where: { sessionId: { in: sessions.map((s) => s.id) } }, include: { feedback: true }, orderBy: { id: "asc" } });
  return { sessions, hints };
}

/** Alerts since `since` with their latest verdict, and the detectors behind each. */
export async function feedbackRows(db: Database, since?: Date) {
  const alerts = await db.prisma.alert.findMany({
    where: since ? { createdAt: { gte: since } } : {},
    select: { id: true, kind: true, feedback: { orderBy: { at: "desc" }, take: 1, select: { action: true } } },
  });
  const findings = await db.prisma.finding.findMany({ where: { alertId: { in: alerts.map((a) => a.id) } }, select: { alertId: true, detector: true } });
  return { alerts, findings };
}

/** Claims a report for a day (unique per kind and day: a second claim fails with a unique violation). */
export async function claimReport(tx: Sql, kind: string, day: string, instance: string, at: Date): Promise<number> {
  return Number((await tx.get<{ id: number }>(`INSERT INTO "ReportRun" ("kind", "day", "instance", "claimedAt") VALUES (?, ?, ?, ?) RETURNING "id"`, [kind, day, instance, at]))!.id);
}

export async function markReportPosted(tx: Sql, id: number, outboxId: number, at: Date, summary: string) {
  await tx.run(`UPDATE "ReportRun" SET "status" = 'posted', "outboxId" = ?, "postedAt" = ?, "summary" = ? WHERE "id" = ?`, [outboxId, at, summary, id]);
}

export const reportClaimed = async (q: Sql, kind: string, day: string) => Boolean(await q.get(`SELECT "id" FROM "ReportRun" WHERE "kind" = ? AND "day" = ?`, [kind, day]));
