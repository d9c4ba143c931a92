import { redactClip } from "../shared/redact.ts";
import type { HitRef, RuleHit, Turn } from "../scoring/compliance/engine.ts";
import type { SessionAggregates } from "../scoring/assess.ts";
import type { Judgement } from "../scoring/llm-judge.ts";
import type { EmotionScore } from "../scoring/emotion/score-emotion.ts";
import type { EscalationKind } from "../scoring/escalation.ts";
import type { Tx } from "./db.ts";

export interface StoredTurn extends Turn {
  messageId: string;
  sentAt: Date;
  category?: string;
  intensity?: number;
  escalation?: EscalationKind[];
}

/** The conversation so far, oldest first, with each customer turn's stored valence. */
export async function loadTurns(tx: Tx, sessionId: string): Promise<StoredTurn[]> {
  const rows = await tx.message.findMany({
    where: { sessionId },
    orderBy: [{ sentAt: "asc" }, { receivedAt: "asc" }],
    select: { id: true, role: true, text: true, sentAt: true, score: { select: { valence: true, problem: true, marked: true, category: true, intensity: true, escalation: true } } },
  });
  return rows.map((r) => ({
    messageId: r.id,
    role: r.role as Turn["role"],
    text: r.text,
    sentAt: r.sentAt,
    ts: r.sentAt.getTime() / 1000,
    valence: r.role === "customer" ? r.score?.valence : undefined,
    problem: r.role === "customer" ? r.score?.problem : undefined,
    marked: r.role === "customer" ? r.score?.marked : undefined,
    category: r.score?.category,
    intensity: r.score?.intensity,
    escalation: r.score?.escalation ? (JSON.parse(r.score.escalation) as EscalationKind[]) : [],
  }));
}

export async function saveScore(tx: Tx, messageId: string, sessionId: string, e: EmotionScore, llmStatus: "skipped" | "pending") {
  await tx.messageScore.create({
    data: {
      messageId,
      sessionId,
      lang: e.lang,
      valence: e.valence,
      problem: e.problem,
      marked: e.marked,
      intensity: e.intensity,
      category: e.category,
      evidence: JSON.stringify(e.evidence),
      escalation: e.escalation.kinds.length ? JSON.stringify(e.escalation.kinds) : null,
      llmStatus,
    },
  });
}

export async function saveHits(tx: Tx, sessionId: string, hits: RuleHit[], turns: StoredTurn[], source: "rules" | "llm" = "rules") {
  if (!hits.length) return;
  await tx.ruleHit.createMany({
    data: hits.map((h) => ({
      sessionId,
      messageId: turns[h.index]?.messageId ?? null,
      ruleId: h.ruleId,
      kind: h.kind,
      severity: h.severity,
      evidence: redactClip(h.evidence, 500),
      lesson: h.lesson ?? null,
      source,
      at: turns[h.index]?.sentAt ?? new Date(),
    })),
  });
}

/** Stores the session's numbers (computed by the turn engine); escalation kinds come from the customer turns. */
export async function storeAggregates(tx: Tx, sessionId: string, a: SessionAggregates, turns: Array<Pick<StoredTurn, "role" | "escalation">>) {
  const kinds = [...new Set(turns.filter((t) => t.role === "customer").flatMap((t) => t.escalation ?? []))];
  await tx.session.update({
    where: { id: sessionId },
    data: { ...a, ...(kinds.length ? { escalationKinds: JSON.stringify(kinds) } : {}) },
  });
}

// ─── LLM refinement queue: scores waiting for the judge ───

export const pendingLlmScores = (tx: Pick<Tx, "messageScore">, limit: number) =>
  tx.messageScore.findMany({
    where: { llmStatus: "pending" },
    orderBy: { createdAt: "asc" },
    take: limit,
    select: { messageId: true, sessionId: true, llmAttempts: true, valence: true, category: true },
  });

/** The judge's emotion replaces the offline one (kept in llmResult for evaluation). */
export async function applyJudgement(tx: Tx, messageId: string, j: Judgement, offline: { valence: number; category: string }, attempts: number) {
  await tx.messageScore.update({
    where: { messageId },
    data: {
      valence: j.emotion.valence,
      intensity: j.emotion.intensity,
      category: j.emotion.category,
      source: "llm",
      llmStatus: "done",
      llmAttempts: attempts,
      llmResult: JSON.stringify({ offline, judgement: j }),
    },
  });
}

export const recordLlmFailure = (tx: Pick<Tx, "messageScore">, messageId: string, attempts: number, final: boolean, error: string) =>
  tx.messageScore.update({
    where: { messageId },
    data: { llmAttempts: attempts, ...(final ? { llmStatus: "failed" } : {}), llmResult: JSON.stringify({ error: error.slice(0, 500) }) },
  });

export type StoredHit = HitRef & { index: number; evidence: string };

/** Every hit of the session, with the turn it belongs to: for the QA score and the detectors. */
export async function loadHitsAt(tx: Tx, sessionId: string, turns: StoredTurn[]): Promise<StoredHit[]> {
  const rows = await tx.ruleHit.findMany({ where: { sessionId }, select: { ruleId: true, kind: true, severity: true, messageId: true, evidence: true } });
  return rows.map((r) => ({
    ...r,
    severity: r.severity as HitRef["severity"],
    index: Math.max(
      0,
      turns.findIndex((t) => t.messageId === r.messageId),
    ),
  }));
}
