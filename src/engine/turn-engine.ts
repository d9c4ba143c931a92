import { detect } from "../detection/detectors.ts";
import type { DetTurn, Finding } from "../detection/types.ts";
import { aggregateSession, assessTurn, firstResponseSecs, turnSignals, type Scorers, type SessionAggregates } from "../scoring/assess.ts";
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
  /** The conversation so far (its latest WINDOW_TURNS turns), oldest first; earlier turns carry their stored signals. */
  turns: EngineTurn[];
  /** Every rule hit on those turns (offline and LLM), by turn. */
  hits: EngineHit[];
  /** Turns of the session before turns[0] (0 until a long session outgrows the window). */
  offset?: number;
  /** What the turns before the window settled for good. */
  earlier?: { firstResponseSecs: number | null };
}

/**
 * A message is judged on the latest this many turns of its session. Conversations are far
 * shorter; a busy group chat stays one session all day, and its 1,500th message must cost what
 * its 150th does — so its numbers (QA, valence) describe its recent hours, not the whole day.
 */
export const WINDOW_TURNS = 200;

/** The window without the turns beyond WINDOW_TURNS (and their hits); turn i keeps its place as i - dropped. */
function bounded(w: Window, i: number): { w: Window; i: number } {
  const drop = w.turns.length - WINDOW_TURNS;
  if (drop <= 0) return { w, i };
  const first = w.earlier ? w.earlier.firstResponseSecs : firstResponseSecs(w.turns);
  return {
    w: {
      lang: w.lang,
      turns: w.turns.slice(drop),
      hits: w.hits.filter((h) => h.index >= drop).map((h) => ({ ...h, index: h.index - drop })),
      offset: (w.offset ?? 0) + drop,
      earlier: { firstResponseSecs: first },
    },
    i: i - drop,
  };
}

export interface TurnDecision {
  emotion: EmotionScore;
  /** The rule hits the new turn makes visible. */
  hits: RuleHit[];
  /** The session's numbers with this turn. */
  aggregates: SessionAggregates;
  /** Every finding the window now shows (callers keep the ones they have not seen). */
  findings: Finding[];
  /** The window's turns with the new one scored (indices in hits and findings point here). */
  turns: EngineTurn[];
  /** The window judged (bounded): what the caller keeps for the next turn. */
  window: Window;
}

/** turns[i] is the new turn, not yet scored. */
export function judgeTurn(s: Scorers, input: Window, at: number): TurnDecision {
  const { w, i } = bounded(input, at);
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
  const aggregates = withEarlier(aggregateSession(policy, turns, all), w);
  const findings = detect({ lang: w.lang, turns, hits: all, qaScore: aggregates.qaScore, closed: false, before: w.offset }, policy.policy.detection);
  return { emotion, hits, aggregates, findings, turns, window: { ...w, turns, hits: all } };
}

const withEarlier = (a: SessionAggregates, w: Window): SessionAggregates => (w.earlier ? { ...a, firstResponseSecs: w.earlier.firstResponseSecs ?? a.firstResponseSecs } : a);

/** The conversation is over: the end-of-session checks (closing question) and detectors. */
export function judgeClose(s: Scorers, input: Window): { hits: RuleHit[]; aggregates: SessionAggregates; findings: Finding[]; window: Window } {
  const { w } = bounded(input, 0);
  const policy = s.policy();
  const hits = checkSessionEnd(policy, w.turns);
  const all = [...w.hits, ...hits];
  const aggregates = withEarlier(aggregateSession(policy, w.turns, all), w);
  const findings = detect({ lang: w.lang, turns: w.turns, hits: all, qaScore: aggregates.qaScore, closed: true, before: w.offset }, policy.policy.detection);
  return { hits, aggregates, findings, window: { ...w, hits: all } };
}

/**
 * A turn judged again after the fact (the LLM refined its emotion, or found rubric hits): the
 * session's numbers with `turn` in place of turns[i] and the new hits added.
 */
export function judgeRefinement(s: Scorers, input: Window, i: number, turn: Partial<EngineTurn>, hits: EngineHit[]): { aggregates: SessionAggregates; window: Window } {
  const turns = input.turns.map((t, j) => (j === i ? { ...t, ...turn } : t));
  const { w } = bounded({ ...input, turns, hits: [...input.hits, ...hits] }, i);
  return { aggregates: withEarlier(aggregateSession(s.policy(), w.turns, w.hits), w), window: w };
}

/** Between messages (the timer): what the window shows at `nowSeconds` (a customer left waiting). */
export function judgeWait(s: Scorers, input: Window, nowSeconds: number, qaScore?: number): { findings: Finding[]; window: Window } {
  const { w } = bounded(input, 0);
  return { findings: detect({ lang: w.lang, turns: w.turns, hits: w.hits, qaScore, closed: false, now: nowSeconds, before: w.offset }, s.policy().policy.detection), window: w };
}
