import type { Database } from "../storage/db.ts";
import { feedbackRows } from "../storage/report-queries.ts";
import { allLabels } from "../storage/console-queries.ts";

/**
 * How supervisors judged the alerts: precision = alerts they acted on as real (taken over or
 * acknowledged) over all alerts they judged (those plus false alarms). Snoozed and unjudged
 * alerts are counted but not judged. Per detector too, from the findings behind each alert.
 */
export async function evalFeedback(db: Database, since?: Date) {
  const { alerts, findings } = await feedbackRows(db, since);
  const verdict = (a: (typeof alerts)[number]) => a.feedback[0]?.action;
  const count = { take_over: 0, acknowledge: 0, false_alarm: 0, snooze: 0, none: 0 };
  const perDetector = new Map<string, { real: number; falseAlarm: number }>();
  for (const a of alerts) {
    const v = verdict(a) ?? "none";
    count[v as keyof typeof count]++;
    for (const d of new Set(findings.filter((f) => f.alertId === a.id).map((f) => f.detector))) {
      const e = perDetector.get(d) ?? { real: 0, falseAlarm: 0 };
      if (v === "take_over" || v === "acknowledge") e.real++;
      if (v === "false_alarm") e.falseAlarm++;
      perDetector.set(d, e);
    }
  }
  const real = count.take_over + count.acknowledge;
  const judged = real + count.false_alarm;
  // The console's labels: a rule hit or finding marked wrong, or disputed by its agent and resolved.
  const labels = new Map<string, { wrong: number; upheld: number; open: number }>();
  for (const l of await allLabels(db.sql, since)) {
    const key = `${l.target}:${l.kind}`;
    const e = labels.get(key) ?? { wrong: 0, upheld: 0, open: 0 };
    if (l.status === "final" || l.status === "overturned") e.wrong++;
    else if (l.status === "upheld") e.upheld++;
    else e.open++;
    labels.set(key, e);
  }
  return {
    labels: Object.fromEntries(labels),
    alerts: alerts.length,
    judged,
    precision: judged ? real / judged : null,
    ...count,
    byDetector: Object.fromEntries([...perDetector].map(([d, e]) => [d, { ...e, precision: e.real + e.falseAlarm ? e.real / (e.real + e.falseAlarm) : null }])),
  };
}

export function printFeedback(r: Awaited<ReturnType<typeof evalFeedback>>): string {
  return [
    `alerts ${r.alerts}   judged by supervisors ${r.judged}   precision ${r.precision === null ? "n/a" : `${(r.precision * 100).toFixed(1)}%`}`,
    `taken over ${r.take_over}   acknowledged ${r.acknowledge}   false alarm ${r.false_alarm}   snoozed ${r.snooze}   no action ${r.none}`,
    "",
    "detector               real   false alarm   precision",
    ...Object.entries(r.byDetector).map(
      ([d, e]) => `${d.padEnd(22)} ${String(e.real).padStart(4)}   ${String(e.falseAlarm).padStart(11)}   ${e.precision === null ? "n/a" : `${(e.precision * 100).toFixed(1)}%`}`,
    ),
    "",
    "labelled in the console (hit:rule / finding:detector)   wrong   upheld   open disputes",
    ...Object.entries(r.labels).map(([k, e]) => `${k.padEnd(48)} ${String(e.wrong).padStart(7)}   ${String(e.upheld).padStart(6)}   ${String(e.open).padStart(13)}`),
  ].join("\n");
}
