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

/** As the live pipeline keys them: by the turn's place in the whole session. */
const key = (f: Finding, offset = 0) => (f.once ? f.detector : `${f.detector}@${offset + f.index}`);

/**
 * Runs a finished conversation through the turn engine turn by turn, as the live pipeline
 * does, then closes it. Pure (no I/O): used by `eval sessions`, the shadow test and tests.
 */
export function replaySession(s: Scorers, messages: Array<{ role: "agent" | "customer"; text: string; ts?: number }>, lang?: "zh" | "en"): ReplayedSession {
  let w: Window = { lang: lang ?? detectLang(messages.map((m) => m.text).join(" ")), turns: [], hits: [] };
  const hits: RuleHit[] = [];
  const seen = new Set<string>();
  const findings: ReplayedSession["findings"] = [];
  const record = (fs: Finding[], at: number, offset = 0) => {
    for (const f of fs)
      if (!seen.has(key(f, offset))) {
        seen.add(key(f, offset));
        findings.push({ ...f, index: offset + f.index, raisedAt: at });
      }
  };
  for (const [i, m] of messages.entries()) {
    const d = judgeTurn(s, { ...w, turns: [...w.turns, { role: m.role, text: m.text, ts: m.ts }] }, w.turns.length);
    w = d.window;
    hits.push(...d.hits.map((h) => ({ ...h, index: (w.offset ?? 0) + h.index })));
    record(d.findings, i, w.offset);
  }
  const end = judgeClose(s, w);
  hits.push(...end.hits.map((h) => ({ ...h, index: (end.window.offset ?? 0) + h.index })));
  record(end.findings, messages.length - 1, end.window.offset);
  const alerts = findings.filter((f) => ALERTING.has(f.severity));
  return { findings, firstAlert: alerts.length ? Math.min(...alerts.map((f) => f.raisedAt)) : -1, hits, qa: end.aggregates.qaScore };
}
