import type { Scorers } from "../scoring/assess.ts";
import type { RuleHit } from "../scoring/compliance/engine.ts";
import { detectLang } from "../scoring/text.ts";
import { ALERTING, type Finding } from "../detection/types.ts";
import { judgeClose, judgeTurn, type Window } from "./turn-engine.ts";

export interface ReplayedSession {
  /** Findings in the order they first appeared, with the turn after which each was raised. */
  findings: Array<Finding & { raisedAt: number }>;
  /** First turn after which a supervisor would have been alerted (a warning or critical finding); -1 when never. */
  firstAlert: number;
  /** Every rule hit, in order, and the session's QA score at the end. */
  hits: RuleHit[];
  qa: number;
}

const key = (f: Finding) => (f.once ? f.detector : `${f.detector}@${f.index}`);

/**
 * Runs a finished conversation through the turn engine turn by turn, as the live pipeline
 * does, then closes it. Pure (no I/O): used by `eval sessions`, the shadow test and tests.
 */
export function replaySession(s: Scorers, messages: Array<{ role: "agent" | "customer"; text: string; ts?: number }>, lang?: "zh" | "en"): ReplayedSession {
  const w: Window = { lang: lang ?? detectLang(messages.map((m) => m.text).join(" ")), turns: [], hits: [] };
  const hits: RuleHit[] = [];
  const seen = new Set<string>();
  const findings: ReplayedSession["findings"] = [];
  const record = (fs: Finding[], at: number) => {
    for (const f of fs)
      if (!seen.has(key(f))) {
        seen.add(key(f));
        findings.push({ ...f, raisedAt: at });
      }
  };
  messages.forEach((m, i) => {
    w.turns.push({ role: m.role, text: m.text, ts: m.ts });
    const d = judgeTurn(s, w, i);
    w.turns = d.turns;
    w.hits.push(...d.hits);
    hits.push(...d.hits);
    record(d.findings, i);
  });
  const end = judgeClose(s, w);
  hits.push(...end.hits);
  record(end.findings, messages.length - 1);
  const alerts = findings.filter((f) => ALERTING.has(f.severity));
  return { findings, firstAlert: alerts.length ? Math.min(...alerts.map((f) => f.raisedAt)) : -1, hits, qa: end.aggregates.qaScore };
}
