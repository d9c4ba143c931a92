import { redactText } from "../shared/redact.ts";
import { asDate, asDateOrNull, placeholders, type Sql } from "./sql.ts";

/** One open session as the console's board needs it (ranked and drawn in console/board.ts). */
export interface BoardSessionRow {
  id: string;
  channel: string;
  externalKey: string;
  lastMessageAt: Date;
  lastCustomerAt: Date | null;
  lastAgentAt: Date | null;
  qaScore: number | null;
  valenceLast: number | null;
  valenceMin: number | null;
  negativeTurns: number;
  messageCount: number;
  assignedTo: string | null;
  agentId: string | null;
  agent: string | null;
  agentOpenId: string | null;
  customer: string | null;
  /** The latest customer valences, oldest first. */
  trajectory: number[];
  findings: Array<{ detector: string; severity: string; n: number }>;
  /** actedByName: the name the supervisor signed in to the console with, when they have. */
  alert: { id: number; status: string; severity: string; actedBy: string | null; actedByName: string | null } | null;
}

const TRAJECTORY = 8;

/**
 * Open sessions (all, or only `agentId`'s, or only `ids`): five statements whatever their number,
 * so 2,000 open sessions read in one pass.
 */
const redactOrNull = (v: string | null) => (v === null ? null : redactText(v));

export async function boardRows(sql: Sql, o: { agentId?: string; ids?: string[] } = {}): Promise<BoardSessionRow[]> {
  const where = [`s."status" = 'open'`];
  const params: string[] = [];
  if (o.agentId) {
    where.push(`s."agentId" = ?`);
    params.push(o.agentId);
  }
  if (o.ids) {
    if (!o.ids.length) return [];
    where.push(`s."id" IN (${placeholders(o.ids.length)})`);
    params.push(...o.ids);
  }
  const sessions = await sql.all<Record<string, unknown>>(
    `SELECT s."id", s."channel", s."externalKey", s."lastMessageAt", s."lastCustomerAt", s."lastAgentAt", s."qaScore", s."valenceLast", s."valenceMin", s."negativeTurns", s."messageCount", s."assignedTo", s."agentId",
            a."name" AS "agentName", a."externalId" AS "agentExternal", a."platform" AS "agentPlatform", c."name" AS "customerName", c."externalId" AS "customerExternal"
     FROM "Session" s LEFT JOIN "Participant" a ON a."id" = s."agentId" LEFT JOIN "Participant" c ON c."id" = s."customerId"
     WHERE ${where.join(" AND ")}`,
    params,
  );
  if (!sessions.length) return [];
  const scope = `SELECT s."id" FROM "Session" s WHERE ${where.join(" AND ")}`;
  const valences = await sql.all<{ sessionId: string; valence: number }>(
    `SELECT "sessionId", "valence" FROM (
       SELECT m."sessionId", sc."valence", ROW_NUMBER() OVER (PARTITION BY m."sessionId" ORDER BY m."sentAt" DESC) AS "rn"
       FROM "Message" m JOIN "MessageScore" sc ON sc."messageId" = m."id"
       WHERE m."role" = 'customer' AND m."sessionId" IN (${scope})
     ) r WHERE "rn" <= ${TRAJECTORY} ORDER BY "sessionId", "rn" DESC`,
    params,
  );
  const findings = await sql.all<{ sessionId: string; detector: string; severity: string; n: number }>(
    `SELECT "sessionId", "detector", max("severity") AS "severity", count(*) AS "n" FROM "Finding" WHERE "sessionId" IN (${scope}) GROUP BY "sessionId", "detector"`,
    params,
  );
  const alerts = await sql.all<{ id: number; sessionId: string; status: string; severity: string; actedBy: string | null; actedByName: string | null }>(
    `SELECT a."id", a."sessionId", a."status", a."severity", a."actedBy", u."name" AS "actedByName" FROM "Alert" a
     JOIN (SELECT "sessionId", max("id") AS "id" FROM "Alert" WHERE "kind" = 'session' AND "sessionId" IN (${scope}) GROUP BY "sessionId") l ON l."id" = a."id"
     LEFT JOIN "ConsoleUser" u ON u."openId" = a."actedBy"`,
    params,
  );
  const traj = new Map<string, number[]>();
  for (const v of valences) traj.set(v.sessionId, [...(traj.get(v.sessionId) ?? []), Number(v.valence)]);
  const found = new Map<string, BoardSessionRow["findings"]>();
  for (const f of findings) found.set(f.sessionId, [...(found.get(f.sessionId) ?? []), { detector: f.detector, severity: f.severity, n: Number(f.n) }]);
  const alertOf = new Map(alerts.map((a) => [a.sessionId, { id: Number(a.id), status: a.status, severity: a.severity, actedBy: a.actedBy, actedByName: a.actedByName ?? null }]));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return sessions.map((s) => ({
    id: String(s.id),
    channel: String(s.channel),
    // Ids and names may carry a phone or e-mail ("wa-13812345678"): redacted before anyone sees them.
    externalKey: redactText(String(s.externalKey)),
    lastMessageAt: asDate(s.lastMessageAt),
    lastCustomerAt: asDateOrNull(s.lastCustomerAt),
    lastAgentAt: asDateOrNull(s.lastAgentAt),
    qaScore: num(s.qaScore),
    valenceLast: num(s.valenceLast),
    valenceMin: num(s.valenceMin),
    negativeTurns: Number(s.negativeTurns ?? 0),
    messageCount: Number(s.messageCount ?? 0),
    assignedTo: (s.assignedTo as string | null) ?? null,
    agentId: (s.agentId as string | null) ?? null,
    agent: redactOrNull((s.agentName as string | null) ?? (s.agentExternal as string | null)),
    agentOpenId: s.agentPlatform === "lark" ? ((s.agentExternal as string | null) ?? null) : null,
    customer: redactOrNull((s.customerName as string | null) ?? (s.customerExternal as string | null)),
    trajectory: traj.get(String(s.id)) ?? [],
    findings: found.get(String(s.id)) ?? [],
    alert: alertOf.get(String(s.id)) ?? null,
  }));
}

/** Per agent since `since`: hostile sessions (a hostile finding) and wellbeing alerts. */
export async function agentActivity(sql: Sql, since: Date, hostile: string[]) {
  const rows = await sql.all<{ agentId: string; n: number }>(
    `SELECT s."agentId", count(DISTINCT s."id") AS "n" FROM "Finding" f JOIN "Session" s ON s."id" = f."sessionId"
     WHERE f."at" >= ? AND s."agentId" IS NOT NULL AND f."detector" IN (${placeholders(hostile.length)}) GROUP BY s."agentId"`,
    [since, ...hostile],
  );
  const wellbeing = await sql.all<{ agentId: string; n: number }>(`SELECT "agentId", count(*) AS "n" FROM "Alert" WHERE "kind" = 'wellbeing' AND "createdAt" >= ? GROUP BY "agentId"`, [since]);
  return { hostile: new Map(rows.map((r) => [r.agentId, Number(r.n)])), wellbeing: new Map(wellbeing.map((r) => [r.agentId, Number(r.n)])) };
}

/** A console sign-in: the name Lark gave, shown instead of the open_id from then on. */
export async function rememberConsoleUser(sql: Sql, u: { openId: string; name: string; role: string }, now: Date): Promise<void> {
  await sql.run(
    `INSERT INTO "ConsoleUser" ("openId", "name", "role", "lastSignInAt") VALUES (?, ?, ?, ?)
     ON CONFLICT ("openId") DO UPDATE SET "name" = excluded."name", "role" = excluded."role", "lastSignInAt" = excluded."lastSignInAt"`,
    [u.openId, u.name, u.role, now],
  );
}

/** Names for Lark open_ids: console sign-ins first, then chat participants. Unknown ids are absent. */
export async function namesOf(sql: Sql, openIds: Iterable<string>): Promise<Map<string, string>> {
  const ids = [...new Set(openIds)].filter(Boolean);
  if (!ids.length) return new Map();
  const rows = await sql.all<{ id: string; name: string | null; n: number }>(
    `SELECT "openId" AS "id", "name", 0 AS "n" FROM "ConsoleUser" WHERE "openId" IN (${placeholders(ids.length)})
     UNION ALL SELECT "externalId" AS "id", "name", 1 AS "n" FROM "Participant" WHERE "platform" = 'lark' AND "name" IS NOT NULL AND "externalId" IN (${placeholders(ids.length)})`,
    [...ids, ...ids],
  );
  const out = new Map<string, string>();
  for (const r of [...rows].sort((a, b) => Number(a.n) - Number(b.n))) if (r.name && !out.has(r.id)) out.set(r.id, r.name);
  return out;
}

/** The agent participant(s) a Lark user is. */
export async function agentParticipantIds(sql: Sql, openId: string): Promise<string[]> {
  return (await sql.all<{ id: string }>(`SELECT "id" FROM "Participant" WHERE "platform" = 'lark' AND "externalId" = ? AND "role" = 'agent'`, [openId])).map((r) => r.id);
}

/** Who a session belongs to, for the console's role checks. */
export async function sessionOwner(sql: Sql, sessionId: string): Promise<{ id: string; agentId: string | null } | undefined> {
  const r = await sql.get<{ id: string; agentId: string | null }>(`SELECT "id", "agentId" FROM "Session" WHERE "id" = ?`, [sessionId]);
  return r ? { id: r.id, agentId: r.agentId } : undefined;
}

export interface LabelRow {
  id: number;
  target: "hit" | "finding";
  targetId: number;
  sessionId: string;
  kind: string;
  verdict: "wrong" | "disputed";
  status: "final" | "open" | "upheld" | "overturned";
  byOpenId: string;
  byRole: string;
  note: string | null;
  resolvedBy: string | null;
  createdAt: Date;
}

/** The hit or finding a label is about, if it is in that session. */
export async function judgementOf(sql: Sql, target: "hit" | "finding", id: number): Promise<{ sessionId: string; kind: string } | undefined> {
  const r =
    target === "hit"
      ? await sql.get<{ sessionId: string; kind: string }>(`SELECT "sessionId", "kind" FROM "RuleHit" WHERE "id" = ?`, [id])
      : await sql.get<{ sessionId: string; kind: string }>(`SELECT "sessionId", "detector" AS "kind" FROM "Finding" WHERE "id" = ?`, [id]);
  return r ?? undefined;
}

export async function insertLabel(sql: Sql, l: Omit<LabelRow, "id" | "resolvedBy" | "createdAt">, now: Date): Promise<number> {
  const r = await sql.get<{ id: number }>(
    `INSERT INTO "JudgementLabel" ("target", "targetId", "sessionId", "kind", "verdict", "status", "byOpenId", "byRole", "note", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
    [l.target, l.targetId, l.sessionId, l.kind, l.verdict, l.status, l.byOpenId, l.byRole, l.note, now],
  );
  return Number(r!.id);
}

export async function getLabel(sql: Sql, id: number): Promise<LabelRow | undefined> {
  const r = await sql.get<Record<string, unknown>>(`SELECT * FROM "JudgementLabel" WHERE "id" = ?`, [id]);
  return r ? labelRow(r) : undefined;
}

/** A dispute resolved: upheld (the bot was right) or overturned (it was wrong). Only an open one. */
export async function resolveLabel(sql: Sql, id: number, status: "upheld" | "overturned", by: string, now: Date): Promise<boolean> {
  return (await sql.run(`UPDATE "JudgementLabel" SET "status" = ?, "resolvedBy" = ?, "resolvedAt" = ? WHERE "id" = ? AND "status" = 'open'`, [status, by, now, id])) === 1;
}

export async function sessionLabels(sql: Sql, sessionId: string): Promise<LabelRow[]> {
  return (await sql.all<Record<string, unknown>>(`SELECT * FROM "JudgementLabel" WHERE "sessionId" = ? ORDER BY "id"`, [sessionId])).map(labelRow);
}

/** Every label (for eval -- feedback and the Rules page). */
export async function allLabels(sql: Sql, since?: Date): Promise<LabelRow[]> {
  return (await sql.all<Record<string, unknown>>(`SELECT * FROM "JudgementLabel" WHERE "createdAt" >= ? ORDER BY "id"`, [since ?? new Date(0)])).map(labelRow);
}

const labelRow = (r: Record<string, unknown>): LabelRow => ({ ...(r as unknown as LabelRow), id: Number(r.id), targetId: Number(r.targetId), createdAt: asDate(r.createdAt) });

/** Rule hits per kind since `since`, with up to three recent examples each. */
export async function ruleHitStats(sql: Sql, since: Date) {
  const counts = await sql.all<{ kind: string; n: number }>(`SELECT "kind", count(*) AS "n" FROM "RuleHit" WHERE "at" >= ? GROUP BY "kind" ORDER BY count(*) DESC`, [since]);
  const examples = await sql.all<{ kind: string; evidence: string; sessionId: string }>(
    `SELECT "kind", "evidence", "sessionId" FROM (SELECT "kind", "evidence", "sessionId", ROW_NUMBER() OVER (PARTITION BY "kind" ORDER BY "id" DESC) AS "rn" FROM "RuleHit" WHERE "at" >= ?) r WHERE "rn" <= 3`,
    [since],
  );
  return counts.map((c) => ({ kind: c.kind, hits: Number(c.n), examples: examples.filter((e) => e.kind === c.kind).map((e) => ({ evidence: e.evidence, sessionId: e.sessionId })) }));
}

/** A console sign-in, stored by the hash of its cookie's token. */
export async function createConsoleSession(sql: Sql, s: { tokenHash: string; openId: string; name: string; csrf: string }, now: Date, expiresAt: Date): Promise<void> {
  // Expired sign-ins and used or stale sign-in states go as new ones come (indexed deletes).
  await sql.run(`DELETE FROM "ConsoleSession" WHERE "expiresAt" < ?`, [now]);
  await sql.run(`INSERT INTO "ConsoleSession" ("tokenHash", "openId", "name", "csrf", "createdAt", "expiresAt") VALUES (?, ?, ?, ?, ?, ?)`, [s.tokenHash, s.openId, s.name, s.csrf, now, expiresAt]);
}

/** The sign-in a token hash names, while it is neither expired nor revoked. */
export const activeConsoleSession = (sql: Sql, tokenHash: string, now: Date) =>
  sql.get<{ openId: string; name: string; csrf: string }>(`SELECT "openId", "name", "csrf" FROM "ConsoleSession" WHERE "tokenHash" = ? AND "revokedAt" IS NULL AND "expiresAt" > ?`, [tokenHash, now]);

export const revokeConsoleSession = (sql: Sql, tokenHash: string, now: Date) => sql.run(`UPDATE "ConsoleSession" SET "revokedAt" = ? WHERE "tokenHash" = ? AND "revokedAt" IS NULL`, [now, tokenHash]);

/** A sign-in page's state, bound to the browser that loaded it. */
export async function createLoginState(sql: Sql, s: { stateHash: string; browserHash: string; next: string }, now: Date, staleBefore: Date): Promise<void> {
  await sql.run(`DELETE FROM "ConsoleLoginState" WHERE "createdAt" < ?`, [staleBefore]);
  await sql.run(`INSERT INTO "ConsoleLoginState" ("stateHash", "browserHash", "next", "createdAt") VALUES (?, ?, ?, ?)`, [s.stateHash, s.browserHash, s.next, now]);
}

/** Uses a state once: its `next` when it is this browser's, fresh and unused; undefined otherwise (and it stays used). */
export async function consumeLoginState(sql: Sql, stateHash: string, browserHash: string, now: Date, freshAfter: Date): Promise<string | undefined> {
  const row = await sql.get<{ next: string }>(`UPDATE "ConsoleLoginState" SET "usedAt" = ? WHERE "stateHash" = ? AND "browserHash" = ? AND "usedAt" IS NULL AND "createdAt" > ? RETURNING "next"`, [
    now,
    stateHash,
    browserHash,
    freshAfter,
  ]);
  return row?.next;
}
