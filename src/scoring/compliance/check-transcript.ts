import { scoreTurnEmotion, turnSignals } from "../assess.ts";
import type { ZhModel } from "../emotion/zh-model.ts";
import { checkSessionEnd, checkTurn, sessionQa, type CompiledPolicy, type RuleHit, type Turn } from "./engine.ts";

/**
 * A whole finished conversation through the same checks the live pipeline runs turn by turn:
 * customer turns get their signals from the emotion scorer, then every turn is checked, then
 * the end-of-session checks. Used by replay and evaluation.
 */
export function checkTranscript(c: CompiledPolicy, messages: Array<{ role: "agent" | "customer"; text: string; ts?: number }>, model?: ZhModel) {
  const turns: Turn[] = messages.map((m) => ({ ...m, ...turnSignals(m.role, scoreTurnEmotion(m, model)) }));
  const hits: RuleHit[] = [];
  for (let i = 0; i < turns.length; i++) hits.push(...checkTurn(c, turns, i));
  hits.push(...checkSessionEnd(c, turns));
  return { turns, hits, qa: sessionQa(c, turns, hits) };
}
