import { checkSessionEnd, checkTurn, sessionQa, type CompiledPolicy, type HitRef, type RuleHit, type Turn } from "./compliance/engine.ts";
import { scoreEmotion, type EmotionScore } from "./emotion/score-emotion.ts";
import type { ZhModel } from "./emotion/zh-model.ts";

/** What the scoring stage needs: the team's current policy and the Chinese model. */
export interface Scorers {
  policy(): CompiledPolicy;
  zhModel?: ZhModel;
  close?(): void;
  /** Re-read the policy file; false (and the old policy kept) when the edit is invalid. */
  reload?(): boolean;
}

/**
 * Scores the newest turn of a conversation: its emotion, then the rule hits visible now.
 * Pure: the caller loads the earlier turns (with their stored valence) and stores the result.
 */
export function assessTurn(s: Scorers, turns: Turn[], i: number): { emotion: EmotionScore; hits: RuleHit[] } {
  const emotion = scoreTurnEmotion(turns[i]!, s.zhModel);
  const withSignals = turns.map((t, j) => (j === i ? { ...t, ...turnSignals(t.role, emotion) } : t));
  return { emotion, hits: checkTurn(s.policy(), withSignals, i) };
}

/** What the rules read from a scored turn: for customers, valence, problem and whether the feeling is shown. */
export function turnSignals(role: Turn["role"], e: EmotionScore): Pick<Turn, "valence" | "problem" | "marked"> {
  return role === "customer" ? { valence: e.valence, problem: e.problem, marked: e.marked } : {};
}

/**
 * Emotion reads a message's opening and its end (a few thousand characters say how someone
 * feels as well as twenty thousand do), so one pasted novel costs what a long message costs.
 */
const EMOTION_HEAD = 3_000;
const EMOTION_TAIL = 1_000;
const forEmotion = (text: string) => (text.length > EMOTION_HEAD + EMOTION_TAIL ? `${text.slice(0, EMOTION_HEAD)}\n${text.slice(-EMOTION_TAIL)}` : text);

/**
 * Service phrasing that is not the agent's mood: apologies and empathy ("sorry for the
 * trouble", "很抱歉给您带来不便") and promises of speed ("尽快处理") carry negative or urgent
 * words but are the script working. Removed before the agent's tone is scored, so what is left
 * is how the agent sounds (curt, hostile).
 */
const SERVICE_PHRASES =
  /(?:i'?m |we'?re |i am |we are )?(?:so |very |really |truly |terribly )?(?:sorry|apolog\w*)\b[^.!?]{0,60}|\b(?:i|we) (?:completely |totally )?understand\b[^.!?]{0,60}|(?:非常|十分|真的|实在)?(?:抱歉|不好意思|对不起|歉意|致歉)[^。！？!?，,]{0,24}|给您(?:带来)?(?:了)?(?:不便|麻烦|困扰|不好的体验)|(?:理解|明白)您的(?:心情|感受|着急)|让您久等了|(?:会|一定|将)?(?:尽快|马上|立即|第一时间)(?:为您|帮您|给您)?(?:处理|解决|安排|核实|查询|回复|跟进)|\b(?:as soon as possible|right away|straight away)\b/gi;

/**
 * Customers get the full scorer. Agents get their tone: lexicon and rules without the model
 * (it learned from customers' reviews), service phrases removed, no problem or escalation (an
 * agent mentioning a refund or a complaint is not the customer threatening one).
 */
export function scoreTurnEmotion(t: Pick<Turn, "role" | "text">, zhModel?: ZhModel): EmotionScore {
  if (t.role === "customer") return scoreEmotion(forEmotion(t.text), zhModel);
  const e = scoreEmotion(forEmotion(t.text).replace(SERVICE_PHRASES, " "));
  return { ...e, problem: 0, marked: false, escalation: { kinds: [], evidence: [] } };
}

export interface SessionAggregates {
  qaScore: number;
  valenceAvg: number | null;
  valenceMin: number | null;
  valenceLast: number | null;
  negativeTurns: number;
  empathyCount: number;
  warmAddressCount: number;
  ruleHitCount: number;
  firstResponseSecs: number | null;
}

/** Session numbers a team lead reads, recomputed from the turns and every hit so far. */
export function aggregateSession(c: CompiledPolicy, turns: Turn[], hits: HitRef[]): SessionAggregates {
  const qa = sessionQa(c, turns, hits);
  const valences = turns.filter((t) => t.role === "customer" && t.valence !== undefined).map((t) => t.valence!);
  return {
    qaScore: qa.score,
    valenceAvg: valences.length ? round(valences.reduce((a, b) => a + b, 0) / valences.length) : null,
    valenceMin: valences.length ? Math.min(...valences) : null,
    valenceLast: valences.length ? valences[valences.length - 1]! : null,
    negativeTurns: valences.filter((v) => v <= c.policy.negativeValence).length,
    empathyCount: qa.empathyCount,
    warmAddressCount: qa.warmAddressCount,
    ruleHitCount: hits.length,
    firstResponseSecs: firstResponseSecs(turns),
  };
}

export { checkSessionEnd };
/** Seconds from the first customer turn to the first agent turn after it (null until both exist). */
export function firstResponseSecs(turns: Turn[]): number | null {
  const c = turns.findIndex((t) => t.role === "customer");
  const a = c < 0 ? -1 : turns.findIndex((t, j) => j > c && t.role === "agent");
  const from = turns[c]?.ts;
  const to = turns[a]?.ts;
  return from !== undefined && to !== undefined ? round(to - from) : null;
}

const round = (v: number) => Math.round(v * 1000) / 1000;
