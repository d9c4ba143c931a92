import { redactClip } from "../shared/redact.ts";
import type { HitRef, RuleHit, Turn } from "../scoring/compliance/engine.ts";
import type { SessionAggregates } from "../scoring/assess.ts";
import type { Judgement } from "../scoring/llm-judge.ts";
import type { EmotionScore } from "../scoring/emotion/score-emotion.ts";
import type { EscalationKind } from "../scoring/escalation.ts";
import { asDate, type Sql } from "./sql.ts";

export interface StoredTurn extends Turn {
  messageId: string;
  sentAt: Date;
  category?: string;
  intensity?: number;
  escalation?: EscalationKind[];
}

/** The conversation so far, oldest first, with each customer turn's stored valence. */
export async function loadTurns(q: Sql, sessionId: string): Promise<StoredTurn[]> {
  const rows = await q.all<{
    id: string;
    role: string;
    text: string;
    sentAt: unknown;
    valence: number | null;
    problem: number | null;
    marked: unknown;
    category: string | null;
    intensity: number | null;
    escalation: string | null;
  }>(
    `SELECT m."id", m."role", m."text", m."sentAt", s."valence", s."problem", s."marked", s."category", s."intensity", s."escalation"
     FROM "Message" m LEFT JOIN "MessageScore" s ON s."messageId" = m."id" WHERE m."sessionId" = ? ORDER BY m."sentAt" ASC, m."receivedAt" ASC`,
    [sessionId],
  );
  return rows.map((r) => {
    const sentAt = asDate(r.sentAt);
    const customer = r.role === "customer";
    const scored = r.category !== null;
    return {
      messageId: r.id,
      role: r.role as Turn["role"],
      text: r.text,
      sentAt,
      ts: sentAt.getTime() / 1000,
      valence: customer && scored ? r.valence! : undefined,
      problem: customer && scored ? r.problem! : undefined,
      marked: customer && scored ? Boolean(r.marked) : undefined,
      category: scored ? r.category! : undefined,
      intensity: scored ? r.intensity! : undefined,
      escalation: r.escalation ? (JSON.parse(r.escalation) as EscalationKind[]) : [],
    };
  });
}

export async function saveScore(tx: Sql, messageId: string, sessionId: string, e: EmotionScore, llmStatus: "skipped" | "pending") {
  await tx.run(
    `INSERT INTO "MessageScore" ("messageId", "sessionId", "lang", "valence", "problem", "marked", "intensity", "category", "evidence", "escalation", "llmStatus", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      messageId,
      sessionId,
      e.lang,
      e.valence,
      e.problem,
      e.marked,
      e.intensity,
      e.category,
      JSON.stringify(e.evidence),
      e.escalation.kinds.length ? JSON.stringify(e.escalation.kinds) : null,
      llmStatus,
      new Date(),
    ],
  );
}

/** Stores the hits; returns them as a window holds them (what loadHitsAt would read back). */
export async function saveHits(tx: Sql, sessionId: string, hits: RuleHit[], turns: StoredTurn[], source: "rules" | "llm" = "rules"): Promise<StoredHit[]> {
  if (!hits.length) return [];
  const now = new Date();
  const rows = hits.map((h) => ({
    messageId: turns[h.index]?.messageId ?? null,
    ruleId: h.ruleId,
    kind: h.kind,
    severity: h.severity,
    evidence: redactClip(h.evidence, 500),
    lesson: h.lesson ?? null,
    at: turns[h.index]?.sentAt ?? now,
  }));
  await tx.run(
    `INSERT INTO "RuleHit" ("sessionId", "messageId", "ruleId", "kind", "severity", "evidence", "lesson", "source", "at", "createdAt") VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
    rows.flatMap((r) => [sessionId, r.messageId, r.ruleId, r.kind, r.severity, r.evidence, r.lesson, source, r.at, now]),
  );
  return rows.map((r, k) => ({ ruleId: r.ruleId, kind: r.kind, severity: r.severity, messageId: r.messageId, evidence: r.evidence, index: r.messageId ? hits[k]!.index : 0 }));
}

/**
 * Stores the session's numbers (computed by the turn engine); escalation kinds come from the
 * customer turns. Every change to what the engine reads ends here, so this is where the
 * session's revision moves on (cached windows of the old one are stale); returns the new one.
 */
export async function storeAggregates(tx: Sql, sessionId: string, a: SessionAggregates, turns: Array<Pick<StoredTurn, "role" | "escalation">>): Promise<number> {
  const kinds = [...new Set(turns.filter((t) => t.role === "customer").flatMap((t) => t.escalation ?? []))];
  const row = await tx.get<{ revision: number }>(
    `UPDATE "Session" SET "qaScore" = ?, "valenceAvg" = ?, "valenceMin" = ?, "valenceLast" = ?, "negativeTurns" = ?, "empathyCount" = ?, "warmAddressCount" = ?, "ruleHitCount" = ?, "firstResponseSecs" = ?,
       "escalationKinds" = COALESCE(?, "escalationKinds"), "revision" = "revision" + 1 WHERE "id" = ? RETURNING "revision"`,
    [
      a.qaScore,
      a.valenceAvg,
      a.valenceMin,
      a.valenceLast,
      a.negativeTurns,
      a.empathyCount,
      a.warmAddressCount,
      a.ruleHitCount,
      a.firstResponseSecs,
      kinds.length ? JSON.stringify(kinds) : null,
      sessionId,
    ],
  );
  return Number(row!.revision);
}

// ─── LLM refinement queue: scores waiting for the judge ───

export const pendingLlmScores = (q: Sql, limit: number) =>
  q.all<{ messageId: string; sessionId: string; llmAttempts: number; valence: number; category: string }>(
    `SELECT "messageId", "sessionId", "llmAttempts", "valence", "category" FROM "MessageScore" WHERE "llmStatus" = 'pending' ORDER BY "createdAt" ASC LIMIT ?`,
    [limit],
  );

/** The judge's emotion replaces the offline one (kept in llmResult for evaluation). */
export async function applyJudgement(tx: Sql, messageId: string, j: Judgement, offline: { valence: number; category: string }, attempts: number) {
  await tx.run(`UPDATE "MessageScore" SET "valence" = ?, "intensity" = ?, "category" = ?, "source" = 'llm', "llmStatus" = 'done', "llmAttempts" = ?, "llmResult" = ? WHERE "messageId" = ?`, [
    j.emotion.valence,
    j.emotion.intensity,
    j.emotion.category,
    attempts,
    JSON.stringify({ offline, judgement: j }),
    messageId,
  ]);
}

export const recordLlmFailure = (q: Sql, messageId: string, attempts: number, final: boolean, error: string) =>
  q.run(`UPDATE "MessageScore" SET "llmAttempts" = ?, "llmStatus" = CASE WHEN ? THEN 'failed' ELSE "llmStatus" END, "llmResult" = ? WHERE "messageId" = ?`, [
    attempts,
    final,
    JSON.stringify({ error: error.slice(0, 500) }),
    messageId,
  ]);

export type StoredHit = HitRef & { index: number; evidence: string };

/** Every hit of the session, with the turn it belongs to: for the QA score and the detectors. */
export async function loadHitsAt(q: Sql, sessionId: string, turns: StoredTurn[]): Promise<StoredHit[]> {
  const rows = await q.all<{ ruleId: string; kind: string; severity: string; messageId: string | null; evidence: string }>(
    `SELECT "ruleId", "kind", "severity", "messageId", "evidence" FROM "RuleHit" WHERE "sessionId" = ? ORDER BY "id" ASC`,
    [sessionId],
  );
  const at = new Map(turns.map((t, i) => [t.messageId, i]));
  return rows.map((r) => ({ ...r, severity: r.severity as HitRef["severity"], index: (r.messageId && at.get(r.messageId)) || 0 }));
}
