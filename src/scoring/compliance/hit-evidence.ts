/**
 * What a rule hit's evidence says when the engine writes it (English, stored with the hit and
 * read by evaluations), and the same in the reader's language for people. The engine builds
 * every template here, so the two cannot drift. Matched text (a phrase, a PII kind, an LLM's
 * words) is kept as it came.
 */
export const EVIDENCE = {
  slow: (waited: number, max: number) => `${Math.round(waited)} s > ${max} s`,
  noGreeting: "first reply without a greeting",
  noWarmAddress: "no warm address",
  noApology: (quote: string) => `no apology after: "${quote}"`,
  noClosingCheck: "no satisfaction check before the end",
};

// Anchored, no nested repeats: linear on any input.
const SLOW = /^(\d+) s > (\d+) s$/;
const APOLOGY = EVIDENCE.noApology("");

export function sayEvidence(evidence: string, lang: "zh" | "en"): string {
  if (lang === "en") return evidence;
  const slow = SLOW.exec(evidence);
  if (slow) return `等了 ${slow[1]} 秒（上限 ${slow[2]} 秒）`;
  if (evidence === EVIDENCE.noGreeting) return "首次回复没有问候";
  if (evidence === EVIDENCE.noWarmAddress) return "没有使用亲切称呼";
  if (evidence === EVIDENCE.noClosingCheck) return "结束前没有确认顾客是否满意";
  const [head, tail] = [APOLOGY.slice(0, -1), APOLOGY.slice(-1)];
  if (evidence.length >= APOLOGY.length && evidence.startsWith(head) && evidence.endsWith(tail)) return `顾客说“${evidence.slice(head.length, -1)}”后没有致歉`;
  return evidence;
}
