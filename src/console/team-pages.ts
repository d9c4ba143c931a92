import type { DayStats } from "../reports/standup-data.ts";
import { sayEvidence } from "../scoring/compliance/hit-evidence.ts";
import { redactClip } from "../shared/redact.ts";
import { h, shell, type Shell } from "./pages.ts";

const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10}%`);
const num = (v: number | null) => (v === null ? "—" : String(Math.round(v * 10) / 10));

const falseAlarmRate = (d: DayStats) => {
  const judged = d.alerts.takenOver + d.alerts.acknowledged + d.alerts.falseAlarm;
  return judged ? d.alerts.falseAlarm / judged : null;
};

/** Team today: the stand-up's numbers live, today against yesterday; agents ranked; the hourly chart (ECharts, drawn by the page script). */
export function teamPage(s: Shell, today: DayStats, yesterday: DayStats, ruleName: (kind: string) => string): string {
  const w = s.w;
  const m = w.metrics;
  const rows: Array<[string, string, string]> = [
    [m.sessions!, String(today.sessions), String(yesterday.sessions)],
    [m.frP50!, num(today.firstResponse.p50), num(yesterday.firstResponse.p50)],
    [m.frP90!, num(today.firstResponse.p90), num(yesterday.firstResponse.p90)],
    [m.sla!, pct(today.firstResponse.slaAttainment), pct(yesterday.firstResponse.slaAttainment)],
    [m.qa!, num(today.qaAverage), num(yesterday.qaAverage)],
    [m.negative!, pct(today.negativeSessionShare), pct(yesterday.negativeSessionShare)],
    [m.alerts!, String(today.alerts.raised), String(yesterday.alerts.raised)],
    [m.falseAlarm!, pct(falseAlarmRate(today)), pct(falseAlarmRate(yesterday))],
    [m.hints!, pct(today.hints.usefulShare), pct(yesterday.hints.usefulShare)],
  ];
  const c = w.teamCols;
  const metrics = `<table id="metrics"><thead><tr><th>${h(c.metric)}</th><th>${h(c.today)} ${h(today.day)}</th><th>${h(c.yesterday)}</th></tr></thead><tbody>${rows
    .map(([k, a, b]) => `<tr><td>${h(k)}</td><td class="num">${h(a)}</td><td class="num">${h(b)}</td></tr>`)
    .join("")}</tbody></table>`;
  const ranked = [...today.agents].sort((a, b) => (b.qaAverage ?? -1) - (a.qaAverage ?? -1) || b.sessions - a.sessions);
  const agents = `<table id="agents"><thead><tr><th>${h(w.agentCols.agent)}</th><th>${h(m.sessions)}</th><th>${h(m.qa)}</th><th>${h(w.hits)}</th></tr></thead><tbody>${ranked
    .map(
      (a) =>
        `<tr><td>${h(a.name)}</td><td class="num">${a.sessions}</td><td class="num">${num(a.qaAverage)}</td><td class="num">${a.hits}${a.topKind ? ` <small title="${h(a.topKind)}">${h(ruleName(a.topKind))}</small>` : ""}</td></tr>`,
    )
    .join("")}</tbody></table>`;
  const hours = Array.from({ length: 24 }, (_, hour) => hour);
  const series = (d: DayStats, k: "messages" | "alerts") => hours.map((hour) => d.hourly.find((x) => x.hour === hour)?.[k] ?? 0);
  const chart = {
    hours: hours.map((x) => String(x).padStart(2, "0")),
    today: series(today, "messages"),
    yesterday: series(yesterday, "messages"),
    alerts: series(today, "alerts"),
    labels: { today: c.today, yesterday: c.yesterday, messages: w.messages, alerts: w.alertsToday },
  };
  // Data for the page script as JSON (not executed; "<" escaped so it can never close the tag).
  const data = `<script type="application/json" id="hourly-data">${JSON.stringify(chart).replace(/</g, "\\u003c")}</script>`;
  return shell(
    s,
    w.team,
    `<h1>${h(w.team)}</h1><div class="team"><section>${metrics}</section><section><h2>${h(w.hourly)}</h2><div id="hourly" class="chart"></div>${data}</section><section><h2>${h(w.ranked)}</h2>${agents}</section></div>`,
    ["/console/assets/echarts.min.js", "/console/assets/console.js"],
  );
}

export interface RuleStat {
  kind: string;
  name: string;
  hits: number;
  labelled: number;
  wrong: number;
  examples: Array<{ evidence: string; sessionId: string }>;
}

/** Rules: each rule's hits, how often supervisors' labels found it wrong, and examples. */
export function rulesPage(s: Shell, stats: RuleStat[]): string {
  const w = s.w;
  const c = w.ruleCols;
  const rows = stats
    .map(
      (r) =>
        `<tr id="rule-${h(r.kind)}"><td>${h(r.name)} <small>${h(r.kind)}</small></td><td class="num">${r.hits}</td><td class="num">${r.labelled}</td><td class="num">${r.wrong}</td><td class="num">${r.labelled ? `${Math.round((1 - r.wrong / r.labelled) * 1000) / 10}%` : "—"}</td><td>${r.examples
          .map((e) => `<a href="/console/sessions/${encodeURIComponent(e.sessionId)}">${h(redactClip(sayEvidence(e.evidence, s.lang), 60))}</a>`)
          .join("<br>")}</td></tr>`,
    )
    .join("");
  return shell(
    s,
    w.rules,
    `<h1>${h(w.rules)}</h1><table id="rules"><thead><tr><th>${h(c.rule)}</th><th>${h(c.hits)}</th><th>${h(c.labelled)}</th><th>${h(c.wrong)}</th><th>${h(c.precision)}</th><th>${h(c.examples)}</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}
