import { redactText } from "../shared/redact.ts";

export type UiLang = "zh" | "en";

export interface AlertView {
  alertId: number;
  kind: "session" | "wellbeing";
  status: string;
  severity: string;
  summary: string;
  actedBy?: string | null;
  actedAt?: Date | null;
  snoozedUntil?: Date | null;
  session?: { channel: string; externalKey: string; agent?: string | null; customer?: string | null; qaScore?: number | null };
  findings: Array<{ detector: string; severity: string; summary: string; evidence: string[] }>;
  /** Customer valence per turn, oldest first. */
  trajectory: number[];
  lastMessages: Array<{ role: string; text: string }>;
  lang: UiLang;
}

const T = {
  zh: {
    title: { critical: "紧急：会话需要主管介入", warning: "会话需要关注", wellbeing: "客服状态提醒" },
    who: "会话", agent: "客服", customer: "顾客", channel: "渠道", qa: "质检分", why: "原因", trajectory: "情绪走势", last: "最近消息",
    takeOver: "接管", ack: "已知悉", falseAlarm: "误报", snooze: "稍后提醒",
    status: { open: "待处理", acknowledged: "已知悉", taken_over: "已接管", false_alarm: "已标记误报", snoozed: "已暂缓" } as Record<string, string>,
    by: "处理人", roles: { customer: "顾客", agent: "客服" } as Record<string, string>,
  },
  en: {
    title: { critical: "Urgent: a session needs a supervisor", warning: "A session needs attention", wellbeing: "Agent wellbeing" },
    who: "Session", agent: "Agent", customer: "Customer", channel: "Channel", qa: "QA", why: "Why", trajectory: "Emotion", last: "Last messages",
    takeOver: "Take over", ack: "Acknowledge", falseAlarm: "False alarm", snooze: "Snooze",
    status: { open: "open", acknowledged: "acknowledged", taken_over: "taken over", false_alarm: "marked false alarm", snoozed: "snoozed" } as Record<string, string>,
    by: "by", roles: { customer: "Customer", agent: "Agent" } as Record<string, string>,
  },
};

const SPARK = "▁▂▃▄▅▆▇█";
/** Valence −1..1 as a text sparkline (low = negative), readable in any client. */
export function sparkline(values: number[]): string {
  return values.map((v) => SPARK[Math.max(0, Math.min(7, Math.round(((v + 1) / 2) * 7)))]).join("");
}

const esc = (s: string) => s.replace(/[<>*_~`]/g, (c) => `\\${c}`);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

export type AlertAction = "take_over" | "acknowledge" | "false_alarm" | "snooze";

/** The supervisor's alert card, card JSON 2.0. Quotes are redacted; buttons only while actionable. */
export function alertCard(v: AlertView): Record<string, unknown> {
  const t = T[v.lang];
  const actionable = v.status === "open" || v.status === "snoozed";
  const template = v.kind === "wellbeing" ? "orange" : v.severity === "critical" ? "red" : "orange";
  const title = v.kind === "wellbeing" ? t.title.wellbeing : v.severity === "critical" ? t.title.critical : t.title.warning;
  const lines: string[] = [];
  if (v.session) {
    const s = v.session;
    lines.push(`**${t.who}** ${esc(s.externalKey)}　**${t.channel}** ${s.channel}` + (s.qaScore !== null && s.qaScore !== undefined ? `　**${t.qa}** ${s.qaScore}` : ""));
    lines.push(`**${t.agent}** ${esc(s.agent ?? "—")}　**${t.customer}** ${esc(s.customer ?? "—")}`);
  }
  const why = v.findings.map((f) => `- ${f.severity === "critical" ? "🔴" : "🟠"} ${esc(redactText(f.summary))}${f.evidence.length ? `：“${esc(clip(redactText(f.evidence[f.evidence.length - 1]!), 60))}”` : ""}`);
  const elements: Array<Record<string, unknown>> = [
    { tag: "markdown", content: lines.join("\n") || esc(v.summary) },
    { tag: "markdown", content: `**${t.why}**\n${why.join("\n") || esc(v.summary)}` },
  ];
  if (v.trajectory.length) elements.push({ tag: "markdown", content: `**${t.trajectory}** ${sparkline(v.trajectory)}  (${v.trajectory.map((x) => x.toFixed(1)).join(" → ")})` });
  if (v.lastMessages.length) {
    elements.push({ tag: "markdown", content: `**${t.last}**\n${v.lastMessages.map((m) => `> ${t.roles[m.role] ?? m.role}：${esc(clip(redactText(m.text), 80))}`).join("\n")}` });
  }
  if (actionable) {
    const button = (label: string, action: AlertAction, type: string) => ({
      tag: "column",
      width: "auto",
      elements: [{ tag: "button", text: { tag: "plain_text", content: label }, type, behaviors: [{ type: "callback", value: { cs_coach: "alert", alertId: v.alertId, action } }] }],
    });
    elements.push({
      tag: "column_set",
      flex_mode: "flow",
      columns: [button(t.takeOver, "take_over", "danger"), button(t.ack, "acknowledge", "primary"), button(t.falseAlarm, "false_alarm", "default"), button(t.snooze, "snooze", "default")],
    });
  }
  const statusLine = `${t.status[v.status] ?? v.status}${v.actedBy ? `（${t.by} <at id=${v.actedBy}></at>）` : ""}`;
  elements.push({ tag: "markdown", content: `<font color='grey'>#${v.alertId} · ${statusLine}</font>` });
  return {
    schema: "2.0",
    config: { update_multi: true },
    header: { title: { tag: "plain_text", content: title }, subtitle: { tag: "plain_text", content: clip(redactText(v.summary), 60) }, template },
    body: { elements },
  };
}
