import { asDate, asDateOrNull, placeholders, type Sql } from "./sql.ts";

/** An alert as stored. */
export interface AlertRow {
  id: number;
  kind: string;
  sessionId: string | null;
  agentId: string | null;
  status: string;
  severity: string;
  summary: string;
  /** The complaint type its customer's words pointed to (see actions/alerts.ts aboutWhat). */
  cause: string | null;
  createOutboxId: number | null;
  cardOutboxIds: string | null;
  version: number;
  snoozedUntil: Date | null;
  actedBy: string | null;
  actedAt: Date | null;
  createdAt: Date;
}
const ALERT_COLUMNS = `"id", "kind", "sessionId", "agentId", "status", "severity", "summary", "cause", "createOutboxId", "cardOutboxIds", "version", "snoozedUntil", "actedBy", "actedAt", "createdAt"`;
const alertRow = (r: Record<string, unknown>): AlertRow => ({
  ...(r as unknown as AlertRow),
  id: Number(r.id),
  version: Number(r.version),
  createOutboxId: r.createOutboxId === null ? null : Number(r.createOutboxId),
  snoozedUntil: asDateOrNull(r.snoozedUntil),
  actedAt: asDateOrNull(r.actedAt),
  createdAt: asDate(r.createdAt),
});

export async function getAlert(tx: Sql, id: number): Promise<AlertRow> {
  const r = await tx.get(`SELECT ${ALERT_COLUMNS} FROM "Alert" WHERE "id" = ?`, [id]);
  if (!r) throw new Error(`no alert ${id}`);
  return alertRow(r);
}

export async function findAlert(tx: Sql, id: number): Promise<AlertRow | undefined> {
  const r = await tx.get(`SELECT ${ALERT_COLUMNS} FROM "Alert" WHERE "id" = ?`, [id]);
  return r ? alertRow(r) : undefined;
}

/** The session's latest alert episode. */
export async function latestSessionAlert(tx: Sql, sessionId: string): Promise<AlertRow | undefined> {
  const r = await tx.get(`SELECT ${ALERT_COLUMNS} FROM "Alert" WHERE "sessionId" = ? AND "kind" = 'session' ORDER BY "id" DESC LIMIT 1`, [sessionId]);
  return r ? alertRow(r) : undefined;
}

/** New findings join an open episode: severity, summary and version move on (cause and quote when given). */
export async function growAlert(tx: Sql, id: number, a: { severity: string; summary: string; findings: number; cause?: string | null; quote?: string | null; now: Date }) {
  await tx.run(
    `UPDATE "Alert" SET "severity" = ?, "summary" = ?, "findingCount" = "findingCount" + ?, "cause" = COALESCE(?, "cause"), "quote" = COALESCE(?, "quote"), "version" = "version" + 1, "updatedAt" = ? WHERE "id" = ?`,
    [a.severity, a.summary, a.findings, a.cause ?? null, a.quote ?? null, a.now, id],
  );
}

export async function insertAlert(
  tx: Sql,
  a: {
    kind: "session" | "wellbeing";
    sessionId: string | null;
    agentId: string | null;
    severity: string;
    summary: string;
    findingCount: number;
    cause?: string | null;
    quote?: string | null;
    now: Date;
  },
): Promise<number> {
  const row = await tx.get<{ id: number }>(
    `INSERT INTO "Alert" ("kind", "sessionId", "agentId", "severity", "summary", "findingCount", "cause", "quote", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
    [a.kind, a.sessionId, a.agentId, a.severity, a.summary, a.findingCount, a.cause ?? null, a.quote ?? null, a.now, a.now],
  );
  return Number(row!.id);
}

export async function attachFindings(tx: Sql, alertId: number, findingIds: number[]) {
  if (findingIds.length) await tx.run(`UPDATE "Finding" SET "alertId" = ? WHERE "id" IN (${placeholders(findingIds.length)})`, [alertId, ...findingIds]);
}

export async function setAlertCards(tx: Sql, alertId: number, outboxIds: number[]) {
  await tx.run(`UPDATE "Alert" SET "createOutboxId" = ?, "cardOutboxIds" = ? WHERE "id" = ?`, [outboxIds[0] ?? null, JSON.stringify(outboxIds), alertId]);
}

/** A supervisor's click: stored once per callback event, and the alert's new state. */
export async function recordAlertAction(tx: Sql, a: { alertId: number; action: string; status: string; operator: string; eventId: string; now: Date; snoozedUntil: Date | null }) {
  await tx.run(`INSERT INTO "AlertFeedback" ("alertId", "action", "operatorId", "eventId", "at") VALUES (?, ?, ?, ?, ?)`, [a.alertId, a.action, a.operator, a.eventId, a.now]);
  await tx.run(`UPDATE "Alert" SET "status" = ?, "actedBy" = ?, "actedAt" = ?, "snoozedUntil" = ?, "version" = "version" + 1, "updatedAt" = ? WHERE "id" = ?`, [
    a.status,
    a.operator,
    a.now,
    a.snoozedUntil,
    a.now,
    a.alertId,
  ]);
}

export const alertFeedbackSeen = async (tx: Sql, eventId: string) => Boolean(await tx.get(`SELECT "id" FROM "AlertFeedback" WHERE "eventId" = ?`, [eventId]));

/** The sessions an agent's alerts came from since `since`, and whether a wellbeing alert was raised meanwhile. */
export async function agentAlertsSince(tx: Sql, agentId: string, since: Date): Promise<{ sessions: Set<string | null>; wellbeingRaised: boolean }> {
  const recent = await tx.all<{ sessionId: string | null }>(`SELECT "sessionId" FROM "Alert" WHERE "agentId" = ? AND "kind" = 'session' AND "createdAt" >= ?`, [agentId, since]);
  const wellbeing = await tx.get(`SELECT "id" FROM "Alert" WHERE "agentId" = ? AND "kind" = 'wellbeing' AND "createdAt" >= ? LIMIT 1`, [agentId, since]);
  return { sessions: new Set(recent.map((r) => r.sessionId)), wellbeingRaised: Boolean(wellbeing) };
}

/** Session alerts opened in [since, until], oldest first. */
export const sessionAlertIdsBetween = async (tx: Sql, since: Date, until: Date) =>
  (await tx.all<{ id: number }>(`SELECT "id" FROM "Alert" WHERE "kind" = 'session' AND "createdAt" >= ? AND "createdAt" <= ? ORDER BY "id" ASC`, [since, until])).map((r) => Number(r.id));

/** The findings a card is drawn from: the episode's latest (a day-long episode gathers thousands). */
const RECENT_FINDINGS = `SELECT "id", "detector", "severity" FROM "Finding" WHERE "alertId" = ? ORDER BY "id" DESC LIMIT 300`;
/** The turns a card's trajectory covers (the latest). */
const CARD_TURNS = 60;

export interface AlertCardData {
  alert: AlertRow;
  /** Each detector's highest severity (as stubs), then each detector's latest finding: what findingsForCard reads. */
  findings: Array<{ detector: string; severity: string; summary: string; evidence: string; facts: string | null }>;
  session?: { id: string; channel: string; externalKey: string; qaScore: number | null; meta: string | null; assignedTo: string | null; agentId: string | null; customerId: string | null };
  people: Array<{ id: string; name: string | null; externalId: string; platform: string }>;
  /** The latest turns, oldest first, with each one's valence. */
  recent: Array<{ role: string; text: string; valence: number | null }>;
}

/** Everything an alert card shows, read in the caller's transaction; bounded however long the episode. */
export async function alertCardData(tx: Sql, alertId: number): Promise<AlertCardData> {
  const alert = await getAlert(tx, alertId);
  const latest = await tx.all<AlertCardData["findings"][number]>(
    `SELECT f."detector", f."severity", f."summary", f."evidence", f."facts" FROM "Finding" f
     JOIN (SELECT max("id") AS "id" FROM (${RECENT_FINDINGS}) r GROUP BY "detector") l ON l."id" = f."id" ORDER BY f."id" ASC`,
    [alertId],
  );
  const reached = await tx.all<{ detector: string; severity: string }>(`SELECT DISTINCT "detector", "severity" FROM (${RECENT_FINDINGS}) r`, [alertId]);
  const findings = [...reached.map((r) => ({ ...latest.find((l) => l.detector === r.detector)!, severity: r.severity })), ...latest];
  if (!alert.sessionId) return { alert, findings, people: [], recent: [] };
  const session = await tx.get<NonNullable<AlertCardData["session"]>>(`SELECT "id", "channel", "externalKey", "agentId", "customerId", "qaScore", "meta", "assignedTo" FROM "Session" WHERE "id" = ?`, [
    alert.sessionId,
  ]);
  if (!session) throw new Error(`no session ${alert.sessionId}`);
  const people = await tx.all<AlertCardData["people"][number]>(`SELECT "id", "name", "externalId", "platform" FROM "Participant" WHERE "id" IN (?, ?)`, [
    session.agentId ?? "",
    session.customerId ?? "",
  ]);
  const recent = (
    await tx.all<AlertCardData["recent"][number]>(
      `SELECT m."role", m."text", sc."valence" FROM "Message" m LEFT JOIN "MessageScore" sc ON sc."messageId" = m."id" WHERE m."sessionId" = ? ORDER BY m."sentAt" DESC, m."receivedAt" DESC LIMIT ?`,
      [session.id, CARD_TURNS],
    )
  ).reverse();
  return { alert, findings, session, people, recent };
}

/** The customer's latest `limit` messages in the session, oldest first. */
export async function customerWords(tx: Sql, sessionId: string, limit = 50): Promise<string[]> {
  const rows = await tx.all<{ text: string }>(`SELECT "text" FROM "Message" WHERE "sessionId" = ? AND "role" = 'customer' ORDER BY "sentAt" DESC LIMIT ?`, [sessionId, limit]);
  return rows.map((r) => r.text).reverse();
}

/** What the storm digest shows of each alert (its cause and quote were kept when it was raised). */
export async function digestRows(tx: Sql, alertIds: number[]) {
  const alerts = await tx.all<{
    id: number;
    severity: string;
    summary: string;
    cause: string | null;
    quote: string | null;
    createdAt: unknown;
    externalKey: string;
    channel: string;
    meta: string | null;
  }>(
    `SELECT a."id", a."severity", a."summary", a."cause", a."quote", a."createdAt", s."externalKey", s."channel", s."meta" FROM "Alert" a JOIN "Session" s ON s."id" = a."sessionId" WHERE a."id" IN (${placeholders(alertIds.length)})`,
    alertIds,
  );
  return alerts.map((a) => ({ ...a, id: Number(a.id), createdAt: asDate(a.createdAt) }));
}

/** Advisory locks of their own class (see session-lock.ts for the sessions'). */
const DIGEST_LOCK_CLASS = 7412;

/** The target's digest open since `since`, taken under a lock on PostgreSQL so two instances never open two. */
export async function openDigest(tx: Sql, target: string, since: Date) {
  if (tx.dialect === "postgresql") await tx.get(`SELECT pg_advisory_xact_lock(${DIGEST_LOCK_CLASS}, hashtext(?))::text AS locked`, [target]);
  const d = await tx.get<{ id: number; alertIds: string; createOutboxId: number | null }>(
    `SELECT "id", "alertIds", "createOutboxId" FROM "AlertDigest" WHERE "target" = ? AND "updatedAt" >= ? ORDER BY "id" DESC LIMIT 1`,
    [target, since],
  );
  return d ? { id: Number(d.id), alertIds: JSON.parse(d.alertIds) as number[], createOutboxId: d.createOutboxId === null ? null : Number(d.createOutboxId) } : undefined;
}

export async function insertDigest(tx: Sql, target: string, alertIds: number[], now: Date): Promise<number> {
  return Number(
    (await tx.get<{ id: number }>(`INSERT INTO "AlertDigest" ("target", "openedAt", "updatedAt", "alertIds") VALUES (?, ?, ?, ?) RETURNING "id"`, [target, now, now, JSON.stringify(alertIds)]))!.id,
  );
}

export async function setDigestCard(tx: Sql, id: number, createOutboxId: number, alertIds: number[], now: Date) {
  await tx.run(`UPDATE "AlertDigest" SET "createOutboxId" = ?, "alertIds" = ?, "updatedAt" = ? WHERE "id" = ?`, [createOutboxId, JSON.stringify(alertIds), now, id]);
}

/** More sessions joined: returns the digest's new version. */
export async function growDigest(tx: Sql, id: number, alertIds: number[], now: Date): Promise<number> {
  return Number(
    (await tx.get<{ version: number }>(`UPDATE "AlertDigest" SET "alertIds" = ?, "updatedAt" = ?, "version" = "version" + 1 WHERE "id" = ? RETURNING "version"`, [JSON.stringify(alertIds), now, id]))!
      .version,
  );
}
