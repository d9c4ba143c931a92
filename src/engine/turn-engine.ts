import { detect } from "../detection/detectors.ts";
import type { DetTurn, Finding } from "../detection/types.ts";
import { aggregateSession, assessTurn, turnSignals, type Scorers, type SessionAggregates } from "../scoring/assess.ts";
import { checkSessionEnd, type HitRef, type RuleHit, type Turn } from "../scoring/compliance/engine.ts";
import type { EmotionScore } from "../scoring/emotion/score-emotion.ts";

/**
 * The turn engine: one pure judgement of what a turn causes, used by the live pipeline, replay,
 * every evaluation and the shadow test, so what is measured is what runs. Window in, decisions
 * out; the callers load the window and store the decisions.
 */
export type EngineTurn = Turn & DetTurn;
export type EngineHit = HitRef & { index: number; evidence?: string };

export interface Window {
  lang: "zh" | "en";
  /** The conversation so far, oldest first; earlier turns carry their stored signals. */
  turns: EngineTurn[];
  /** Every rule hit so far (offline and LLM), by turn. */
  hits: EngineHit[];
}

export interface TurnDecision {
  emotion: EmotionScore;
  /** The rule hits the new turn makes visible. */
  hits: RuleHit[];
  /** The session's numbers with this turn. */
  aggregates: SessionAggregates;
  /** Every finding the window now shows (callers keep the ones they have not seen). */
  findings: Finding[];
  /** The window's turns with the new one scored. */
  turns: EngineTurn[];
}

/** turns[i] is the new turn, not yet scored. */
export function judgeTurn(s: Scorers, w: Window, i: number): TurnDecision {
  const { emotion, hits } = assessTurn(s, w.turns, i);
  const t = w.turns[i]!;
  const turns = w.turns.slice();
  turns[i] = {
    ...t,
    ...turnSignals(t.role, emotion),
    category: emotion.category,
    intensity: emotion.intensity,
    escalation: t.role === "customer" ? emotion.escalation.kinds : [],
  };
  const all = [...w.hits, ...hits];
  const policy = s.policy();
  const aggregates = aggregateSession(policy, turns, all);
  const findings = detect({ lang: w.lang, turns, hits: all, qaScore: aggregates.qaScore, closed: false }, policy.policy.detection);
  return { emotion, hits, aggregates, findings, turns };
}

/** The conversation is over: the end-of-session checks (closing question) and detectors. */
export function judgeClose(s: Scorers, w: Window): { hits: RuleHit[]; aggregates: SessionAggregates; findings: Finding[] } {
  const policy = s.policy();
  const hits = checkSessionEnd(policy, w.turns);
  const all = [...w.hits, ...hits];
  const aggregates = aggregateSession(policy, w.turns, all);
  const findings = detect({ lang: w.lang, turns: w.turns, hits: all, qaScore: aggregates.qaScore, closed: true }, policy.policy.detection);
  return { hits, aggregates, findings };
}

/** Between messages (the timer): what the window shows at `nowSeconds` (a customer left waiting). */
export function judgeWait(s: Scorers, w: Window, nowSeconds: number, qaScore?: number): Finding[] {
  return detect({ lang: w.lang, turns: w.turns, hits: w.hits, qaScore, closed: false, now: nowSeconds }, s.policy().policy.detection);
}
