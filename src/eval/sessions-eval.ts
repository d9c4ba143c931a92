import { z } from "zod";
import { replaySession } from "../engine/replay-session.ts";
import type { Scorers } from "../scoring/assess.ts";
import { pct } from "./metrics.ts";
import { progress, readJsonl } from "./read-jsonl.ts";

const session = z.object({
  id: z.string(),
  lang: z.enum(["zh", "en"]).optional(),
  messages: z.array(z.object({ role: z.enum(["customer", "agent"]), text: z.string(), ts: z.number().optional() })),
  label: z.object({ abnormal: z.boolean(), first_abnormal_index: z.number().int().min(0).optional() }),
});

/** "Does this conversation need a supervisor?" — an alert raised at any point of the replay. */
export function evalSessions(path: string, scorers: Scorers) {
  const sessions = readJsonl(path, session);
  const bar = progress(sessions.length, "replaying");
  let tp = 0,
    fp = 0,
    fn = 0,
    tn = 0;
  const delays: number[] = [];
  // How early: the message index of the first alert, and that index as a share of the session.
  const alertAt: number[] = [];
  const alertShare: number[] = [];
  const byDetector = new Map<string, { tp: number; fp: number }>();
  const t0 = performance.now();
  sessions.forEach((s, n) => {
    const r = replaySession(scorers, s.messages, s.lang);
    const alerted = r.firstAlert >= 0;
    if (alerted && s.label.abnormal) tp++;
    else if (alerted) fp++;
    else if (s.label.abnormal) fn++;
    else tn++;
    if (alerted && s.label.abnormal) {
      alertAt.push(r.firstAlert);
      alertShare.push((r.firstAlert + 1) / s.messages.length);
    }
    if (alerted && s.label.abnormal && s.label.first_abnormal_index !== undefined) delays.push(r.firstAlert - s.label.first_abnormal_index);
    for (const d of new Set(r.findings.filter((f) => f.severity !== "info").map((f) => f.detector))) {
      const e = byDetector.get(d) ?? { tp: 0, fp: 0 };
      if (s.label.abnormal) e.tp++;
      else e.fp++;
      byDetector.set(d, e);
    }
    bar.tick(n + 1);
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    n: sessions.length,
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    meanDelayTurns: delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length : null,
    delaySamples: delays.length,
    alertsPer100: sessions.length ? ((tp + fp) / sessions.length) * 100 : 0,
    /** False alarms per 100 sessions that needed no supervisor: the number a supervisor feels. */
    alertsPer100Calm: fp + tn ? (fp / (fp + tn)) * 100 : 0,
    /** On abnormal sessions: median message index of the first alert, and median share of the session seen by then. */
    firstAlertIndexMedian: median(alertAt),
    firstAlertShareMedian: median(alertShare),
    byDetector: Object.fromEntries([...byDetector].sort((a, b) => b[1].tp + b[1].fp - (a[1].tp + a[1].fp))),
    seconds: (performance.now() - t0) / 1000,
  };
}

function median(v: number[]): number | null {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function printSessions(r: ReturnType<typeof evalSessions>): string {
  return [
    `n ${r.n} sessions   precision ${pct(r.precision)}%   recall ${pct(r.recall)}%   F1 ${r.f1.toFixed(3)}   alerts per 100 sessions ${r.alertsPer100.toFixed(1)}`,
    `alerts per 100 calm sessions ${r.alertsPer100Calm.toFixed(1)}   first alert on abnormal sessions: message ${r.firstAlertIndexMedian ?? "n/a"} (median), ${r.firstAlertShareMedian === null ? "n/a" : `${Math.round(r.firstAlertShareMedian * 100)} %`} of the session seen`,
    `detection delay: ${r.meanDelayTurns === null ? "n/a (no first_abnormal_index in the data)" : `${r.meanDelayTurns.toFixed(2)} turns after the first abnormal turn (mean of ${r.delaySamples})`}`,
    `confusion: tp ${r.tp}  fp ${r.fp}  fn ${r.fn}  tn ${r.tn}     ${(r.n / r.seconds).toFixed(0)} sessions/s`,
    "",
    "detector               sessions flagged   of which abnormal",
    ...Object.entries(r.byDetector).map(([d, e]) => `${d.padEnd(22)} ${String(e.tp + e.fp).padStart(16)}   ${String(e.tp).padStart(17)}`),
  ].join("\n");
}
