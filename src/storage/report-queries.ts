import type { Database } from "./db.ts";
import type { Sql } from "./sql.ts";

/** Read side of the stand-up, the export and the feedback evaluation (Prisma: cold paths). */

/** What happened in [start, end): messages, their sessions, first responses, hits, hints and alerts. */
export async function dayRows(db: Database, start: Date, end: Date) {
  const inDay = { gte: start, lt: end };
  const p = db.prisma;
  const messages = await p.message.findMany({
    where: { sentAt: inDay },
    select: { sessionId: true, role: true, text: true, sentAt: true, score: { select: { valence: true } } },
  });
  const sessionIds = [...new Set(messages.map((m) => m.sessionId))];
  const sessions = await p.session.findMany({
    where: { id: { in: sessionIds } },
    select: { id: true, agentId: true, qaScore: true, valenceAvg: true, valenceMin: true, escalationKinds: true, openedAt: true, firstResponseSecs: true },
  });
  const opened = await p.session.findMany({ where: { openedAt: inDay, firstResponseSecs: { not: null } }, select: { firstResponseSecs: true } });
  const hits = await p.ruleHit.findMany({ where: { at: inDay }, select: { kind: true, lesson: true, sessionId: true } });
  const hintRows = await p.hint.findMany({ where: { createdAt: inDay }, select: { status: true, feedback: { orderBy: { at: "desc" }, take: 1, select: { useful: true } } } });
  const alerts = await p.alert.findMany({
    where: { createdAt: inDay },
    select: { kind: true, summary: true, createdAt: true, feedback: { orderBy: { at: "desc" }, take: 1, select: { action: true } } },
  });

  return { messages, sessions, opened, hits, hintRows, alerts };
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
