import { assessTurn, turnSignals, type Scorers } from "../scoring/assess.ts";
import { checkSessionEnd, sessionQa, type RuleHit, type Turn } from "../scoring/compliance/engine.ts";
import { detectLang } from "../scoring/text.ts";
import { detect } from "./detectors.ts";
import { ALERTING, type DetTurn, type Finding } from "./types.ts";

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
 * Runs a finished conversation through scoring and detection turn by turn, as the live
 * pipeline would, then closes it. Pure (no I/O): used by `eval sessions` and tests.
 */
export function replaySession(s: Scorers, messages: Array<{ role: "agent" | "customer"; text: string; ts?: number }>, lang?: "zh" | "en"): ReplayedSession {
  const turns: Turn[] = [];
  const det: DetTurn[] = [];
  const hits: RuleHit[] = [];
  const seen = new Set<string>();
  const findings: ReplayedSession["findings"] = [];
  const language = lang ?? detectLang(messages.map((m) => m.text).join(" "));
  const policy = s.policy();
  const thresholds = policy.policy.detection;
  const record = (fs: Finding[], at: number) => {
    for (const f of fs) if (!seen.has(key(f))) {
      seen.add(key(f));
      findings.push({ ...f, raisedAt: at });
    }
  };
  messages.forEach((m, i) => {
    turns.push({ role: m.role, text: m.text, ts: m.ts });
    const { emotion, hits: h } = assessTurn(s, turns, i);
    Object.assign(turns[i]!, turnSignals(m.role, emotion));
    hits.push(...h);
    det.push({ ...m, valence: emotion.valence, problem: m.role === "customer" ? emotion.problem : undefined, category: emotion.category, intensity: emotion.intensity, escalation: m.role === "customer" ? emotion.escalation.kinds : [] });
    const qa = sessionQa(policy, turns, hits).score;
    record(detect({ lang: language, turns: det, hits, qaScore: qa, closed: false }, thresholds), i);
  });
  hits.push(...checkSessionEnd(policy, turns));
  const qa = sessionQa(policy, turns, hits).score;
  record(detect({ lang: language, turns: det, hits, qaScore: qa, closed: true }, thresholds), messages.length - 1);
  const alerts = findings.filter((f) => ALERTING.has(f.severity));
  return { findings, firstAlert: alerts.length ? Math.min(...alerts.map((f) => f.raisedAt)) : -1, hits, qa };
}
