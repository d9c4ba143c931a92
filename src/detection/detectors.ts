import { redactClip } from "../shared/redact.ts";
import type { Thresholds } from "../scoring/thresholds.ts";
import type { DetTurn, Finding, SessionWindow } from "./types.ts";

/**
 * Detectors: pure functions over a session window and thresholds, each returning findings with
 * severity and evidence. They run after every scored message (live ones) and when a session
 * closes (end-of-session ones); a timer runs the waiting detector between messages.
 */
type Detector = (w: SessionWindow, t: Thresholds) => Finding[];

/** Evidence is shown and exported: redacted before it is shortened. */
const quote = (s: string, n = 40) => redactClip(s, n);
const customerTurns = (w: SessionWindow) => w.turns.map((t, i) => ({ t, i })).filter((x) => x.t.role === "customer");
const fmt = (v: number) => v.toFixed(2);
/**
 * Where the customer stands: their emotion, or the problem they keep reporting when that is
 * worse. A customer who says three times, calmly, that nothing works is not a satisfied one.
 */
const standing = (t: DetTurn) => (t.problem ? Math.min(t.valence ?? 0, -t.problem) : (t.valence ?? 0));

/**
 * Threats to take it further. Regulator, media and lawyer threats alert at once (critical).
 * A complaint or bad-review threat is often said in the heat of the first message and handled
 * by the agent: it alerts only when the customer repeats it (else it is info for the agent).
 */
export const escalationThreat: Detector = (w, t) => {
  const out: Finding[] = [];
  let warned = 0;
  for (const { t: turn, i } of customerTurns(w)) {
    const kinds = turn.escalation ?? [];
    const critical = kinds.filter((k) => t.escalationCritical.includes(k));
    const warning = kinds.filter((k) => t.escalationWarning.includes(k));
    if (!critical.length && !warning.length) continue;
    if (!critical.length) warned++;
    out.push({
      detector: "escalation",
      severity: critical.length ? "critical" : warned >= 2 ? "warning" : "info",
      index: i,
      summary: `customer threatens: ${[...critical, ...warning].join(", ")}${warned >= 2 && !critical.length ? " (again)" : ""}`,
      evidence: [quote(turn.text)],
      facts: { kinds: [...critical, ...warning], again: warned >= 2 && !critical.length },
    });
  }
  return out;
};

export const refundRepeated: Detector = (w, t) => {
  const asks = customerTurns(w).filter((x) => x.t.escalation?.includes("refund_demand"));
  if (asks.length < t.refundRepeats) return [];
  const last = asks[asks.length - 1]!;
  return [
    {
      detector: "refund_repeated",
      severity: "warning",
      index: last.i,
      summary: `refund demanded ${asks.length} times`,
      evidence: asks.slice(-2).map((a) => quote(a.t.text)),
      facts: { count: asks.length },
    },
  ];
};

/** Negativity that does not let up: the mean of the customer's last few turns. */
export const sustainedNegativity: Detector = (w, t) => {
  const scored = customerTurns(w).filter((x) => x.t.valence !== undefined);
  const limit = t.sustainedMean[w.lang];
  for (let end = 2; end <= scored.length; end++) {
    const recent = scored.slice(Math.max(0, end - t.sustainedTurns), end);
    const mean = recent.reduce((a, x) => a + standing(x.t), 0) / recent.length;
    if (mean <= limit) {
      return [
        {
          detector: "negativity",
          severity: "warning",
          index: recent[recent.length - 1]!.i,
          summary: `customer negative for ${recent.length} turns (mean ${fmt(mean)})`,
          evidence: [`standing ${recent.map((x) => fmt(standing(x.t))).join(" → ")}`, quote(recent[recent.length - 1]!.t.text)],
          facts: { turns: recent.length, mean },
        },
      ];
    }
  }
  return [];
};

/** A furious turn after the agent has already answered. */
export const angerSpike: Detector = (w, t) => {
  const firstAgent = w.turns.findIndex((x) => x.role === "agent");
  if (firstAgent < 0) return [];
  for (const { t: turn, i } of customerTurns(w)) {
    if (i > firstAgent && turn.category === "anger" && (turn.valence ?? 0) <= t.angerSpike) {
      return [{ detector: "anger_spike", severity: "warning", index: i, summary: `anger spike (valence ${fmt(turn.valence!)})`, evidence: [quote(turn.text)], facts: { valence: turn.valence } }];
    }
  }
  return [];
};

/** The agent's conduct, from the compliance hits: rude or arguing (warning), privacy (critical). */
export const agentConduct: Detector = (w) => {
  const out: Finding[] = [];
  for (const h of w.hits) {
    if (h.kind === "rude_language" || h.kind === "arguing" || h.kind === "privacy_leak") {
      out.push({
        detector: h.kind === "privacy_leak" ? "privacy_leak" : "agent_conduct",
        severity: h.kind === "privacy_leak" ? "critical" : "warning",
        index: h.index,
        summary: h.kind === "privacy_leak" ? "agent disclosed personal data" : `agent ${h.kind === "arguing" ? "argues with" : "is rude to"} the customer`,
        evidence: [quote(w.turns[h.index]?.text ?? h.evidence ?? "")],
        facts: { kind: h.kind },
      });
    }
  }
  return out;
};

function bigrams(s: string): Set<string> {
  const t = s.replace(/[\s\p{P}]/gu, "").toLowerCase();
  const out = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}
const jaccard = (a: Set<string>, b: Set<string>) => {
  if (!a.size || !b.size) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
};

/** The customer asks the same thing again: not understood, or not answered. */
export const repeatedQuestion: Detector = (w, t) => {
  const cust = customerTurns(w).filter((x) => x.t.text.length >= 6);
  let repeats = 0;
  for (let j = 1; j < cust.length; j++) {
    const b = bigrams(cust[j]!.t.text);
    if (cust.slice(0, j).some((p) => jaccard(bigrams(p.t.text), b) >= t.repeatSimilarity)) {
      repeats++;
      if (repeats >= t.repeatCount)
        return [
          {
            detector: "repeated_question",
            severity: "warning",
            index: cust[j]!.i,
            summary: `customer repeated the same question ${repeats} times`,
            evidence: [quote(cust[j]!.t.text)],
            facts: { count: repeats },
          },
        ];
    }
  }
  return [];
};

/** Once per session, at the turn that crossed the limit (counted over the whole session, not just the window). */
export const longSession: Detector = (w, t) => {
  const count = (w.before ?? 0) + w.turns.length;
  if (count <= t.longSessionTurns) return [];
  return [
    {
      detector: "long_session",
      severity: "warning",
      index: Math.max(0, t.longSessionTurns - (w.before ?? 0)),
      once: true,
      summary: `session longer than ${t.longSessionTurns} messages`,
      evidence: [`${count} messages`],
      facts: { limit: t.longSessionTurns, count },
    },
  ];
};

/** Once per session: the turn it first dropped below is where it is recorded; the kinds say why. */
export const lowQa: Detector = (w, t) => {
  if (w.qaScore === undefined || w.qaScore >= t.qaBelow) return [];
  const kinds = [...new Set(w.hits.map((h) => h.kind))];
  return [
    {
      detector: "low_qa",
      severity: "warning",
      index: w.turns.length - 1,
      once: true,
      summary: `QA score ${w.qaScore} below ${t.qaBelow}`,
      evidence: [`QA ${w.qaScore}`],
      facts: { score: w.qaScore, below: t.qaBelow, kinds },
    },
  ];
};

/** Timer: a customer message unanswered for too long (first reply, or a later one). */
export const waiting: Detector = (w, t) => {
  if (w.now === undefined || w.closed) return [];
  let start = -1;
  for (let i = w.turns.length - 1; i >= 0 && w.turns[i]!.role === "customer"; i--) start = i;
  if (start < 0 || w.turns[start]!.ts === undefined) return [];
  const first = !w.turns.slice(0, start).some((x) => x.role === "agent");
  const limit = first ? t.firstReplyWaitSeconds : t.replyWaitSeconds;
  const waited = w.now - w.turns[start]!.ts!;
  return waited > limit
    ? [
        {
          detector: "waiting",
          severity: "warning",
          index: start,
          summary: `customer waiting ${Math.round(waited)} s for ${first ? "a first reply" : "a reply"}`,
          evidence: [quote(w.turns[start]!.text)],
          facts: { seconds: waited, first },
        },
      ]
    : [];
};

/** At close: the customer leaves unhappy; a supervisor should follow up. */
export const unresolvedAtClose: Detector = (w, t) => {
  if (!w.closed) return [];
  const v = customerTurns(w)
    .filter((x) => x.t.valence !== undefined)
    .map((x) => standing(x.t));
  if (!v.length) return [];
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const last = v[v.length - 1]!;
  if (mean > t.endMean[w.lang] && last > t.endLast[w.lang]) return [];
  const lastCustomer = customerTurns(w).at(-1)!;
  return [
    {
      detector: "unresolved",
      severity: "warning",
      index: lastCustomer.i,
      summary: `customer left unhappy (mean ${fmt(mean)}, last ${fmt(last)}): follow up`,
      evidence: [quote(lastCustomer.t.text)],
      facts: { mean, last },
    },
  ];
};

export const LIVE_DETECTORS: Detector[] = [escalationThreat, refundRepeated, sustainedNegativity, angerSpike, agentConduct, repeatedQuestion, longSession, lowQa, waiting];
export const END_DETECTORS: Detector[] = [unresolvedAtClose];

/** Every detector that applies to this window. */
export function detect(w: SessionWindow, t: Thresholds): Finding[] {
  return [...LIVE_DETECTORS, ...(w.closed ? END_DETECTORS : [])].flatMap((d) => d(w, t));
}

export type { DetTurn };
