import { esc } from "../shared/card-markdown.ts";
import { own } from "../shared/own.ts";
import { describeFinding, findingsForCard } from "../detection/describe-finding.ts";
import { redactClip, redactText } from "../shared/redact.ts";

export type UiLang = "zh" | "en";

/** A person on the card: Lark renders a name and avatar from an open_id; others show their name. */
export interface CardPerson {
  name?: string | null;
  openId?: string | null;
}

export interface AlertView {
  alertId: number;
  kind: "session" | "wellbeing";
  status: string;
  severity: string;
  summary: string;
  actedBy?: string | null;
  actedAt?: Date | null;
  snoozedUntil?: Date | null;
  session?: {
    channel: string;
    /** The channel as the platform sent it (an ingest `channel`), when there is one. */
    sentChannel?: string;
    /** The platform's own session, chat or ticket id. */
    externalKey: string;
    agent?: CardPerson;
    customer?: CardPerson;
    qaScore?: number | null;
    /** Scalars the channel sent in `meta` (orderId first), shown as they are. */
    meta: Array<[string, string]>;
    /** Where to open the conversation: a Lark chat link, or a URL the channel passed. */
    link?: string;
    /** The session's page in the console (when PUBLIC_URL is set). */
    consoleLink?: string;
    assignedTo?: string | null;
  };
  /** A wellbeing alert's link to the board, filtered to the agent's sessions (when PUBLIC_URL is set). */
  agentBoardLink?: string;
  findings: Array<{ detector: string; severity: string; summary: string; evidence: string[]; facts?: Record<string, unknown> }>;
  /** Customer valence per turn, oldest first. */
  trajectory: number[];
  lastMessages: Array<{ role: string; text: string }>;
  lang: UiLang;
  /** The team's time zone: a snooze's end is on its clock. */
  tz: string;
  /** Rule kind → the name people use (the policy's words). */
  ruleName: (kind: string) => string;
}

const T = {
  zh: {
    title: { critical: "紧急：会话需要主管介入", warning: "会话需要关注", wellbeing: "客服状态提醒" },
    who: "会话",
    agent: "客服",
    customer: "顾客",
    channel: "渠道",
    qa: "质检分",
    why: "原因",
    trajectory: "情绪走势",
    last: "最近消息",
    takeOver: "接管",
    ack: "已知悉",
    falseAlarm: "误报",
    snooze: "稍后提醒",
    open: "打开会话",
    console: "在控制台查看",
    board: "打开实时看板",
    assigned: "已由主管接管",
    status: { open: "待处理", acknowledged: "已知悉", taken_over: "已接管", false_alarm: "已标记误报", snoozed: "已暂缓" } as Record<string, string>,
    by: "处理人",
    until: "至",
    roles: { customer: "顾客", agent: "客服" } as Record<string, string>,
    channels: { lark_group: "飞书群聊", lark_p2p: "飞书单聊", helpdesk: "飞书服务台", api: "接入渠道" } as Record<string, string>,
    metaNames: { orderId: "订单号" } as Record<string, string>,
    colon: "：",
  },
  en: {
    title: { critical: "Urgent: a session needs a supervisor", warning: "A session needs attention", wellbeing: "Agent wellbeing" },
    who: "Session",
    agent: "Agent",
    customer: "Customer",
    channel: "Channel",
    qa: "QA",
    why: "Why",
    trajectory: "Emotion",
    last: "Last messages",
    takeOver: "Take over",
    ack: "Acknowledge",
    falseAlarm: "False alarm",
    snooze: "Snooze",
    open: "Open conversation",
    console: "View in console",
    board: "Open the live board",
    assigned: "Taken over by a supervisor",
    status: { open: "open", acknowledged: "acknowledged", taken_over: "taken over", false_alarm: "marked false alarm", snoozed: "snoozed" } as Record<string, string>,
    by: "by",
    until: "until",
    roles: { customer: "Customer", agent: "Agent" } as Record<string, string>,
    channels: { lark_group: "Lark group chat", lark_p2p: "Lark direct chat", helpdesk: "Lark Service Desk", api: "API" } as Record<string, string>,
    metaNames: { orderId: "Order" } as Record<string, string>,
    colon: ": ",
  },
};

/** "09:30" on the team's clock. */
const clockTime = (at: Date, tz: string) => new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);

/** A channel as people call it (the console shows the same names as the card). */
export const channelName = (channel: string, lang: UiLang) => own(T[lang].channels, channel) ?? channel;

/** A button in a flow of columns (Card JSON 2.0). */
const button = (label: string, type: string, behavior: Record<string, unknown>) => ({
  tag: "column",
  width: "auto",
  elements: [{ tag: "button", text: { tag: "plain_text", content: label }, type, behaviors: [behavior] }],
});

/** The storm digest's button to the console's live board, in `lang`. */
export const boardButton = (consoleUrl: string, lang: UiLang) => button(T[lang].board, "primary", { type: "open_url", default_url: `${consoleUrl}/console` });

const SPARK = "▁▂▃▄▅▆▇█";
/** Valence −1..1 as a text sparkline (low = negative), readable in any client. */
export function sparkline(values: number[]): string {
  return values.map((v) => SPARK[Math.max(0, Math.min(7, Math.round(((v + 1) / 2) * 7)))]).join("");
}

export const quoteText = redactClip;

export type AlertAction = "take_over" | "acknowledge" | "false_alarm" | "snooze";

const person = (p: CardPerson | undefined) => (p?.openId ? undefined : esc(quoteText(p?.name ?? "—", 40)));

/** A label over a person, rendered by Lark from the open_id when there is one. */
function personColumn(label: string, p: CardPerson | undefined) {
  const plain = person(p);
  const who = plain === undefined ? { tag: "person", user_id: p!.openId, show_name: true, show_avatar: true, size: "small" } : { tag: "markdown", content: plain };
  return { tag: "column", width: "weighted", weight: 1, elements: [{ tag: "markdown", content: `**${label}**` }, who] };
}

/**
 * The alert card, or — should drawing it fail on a value nobody foresaw — a plain one with
 * the title, the alert's own summary and the same buttons: an alert is never held back by how
 * it looks. `onError` hears of the failure (the log).
 */
export function renderAlertCard(v: AlertView, onError?: (e: unknown) => void): Record<string, unknown> {
  try {
    return alertCard(v);
  } catch (e) {
    onError?.(e);
    const t = T[v.lang];
    const title = v.severity === "critical" ? t.title.critical : t.title.warning;
    const act = (action: AlertAction) => ({ type: "callback", value: { cs_coach: "alert", alertId: v.alertId, action } });
    const buttons = [
      button(t.takeOver, "danger", act("take_over")),
      button(t.ack, "primary", act("acknowledge")),
      button(t.falseAlarm, "default", act("false_alarm")),
      button(t.snooze, "default", act("snooze")),
    ];
    return {
      schema: "2.0",
      config: { update_multi: true },
      header: { title: { tag: "plain_text", content: title }, template: v.severity === "critical" ? "red" : "orange" },
      body: {
        elements: [
          { tag: "markdown", content: `#${v.alertId} ${esc(quoteText(String(v.summary), 120))}` },
          ...(v.status === "open" || v.status === "snoozed" ? [{ tag: "column_set", flex_mode: "flow", columns: buttons }] : []),
        ],
      },
    };
  }
}

/** The supervisor's alert card, card JSON 2.0, entirely in the card's language. */
export function alertCard(v: AlertView): Record<string, unknown> {
  const t = T[v.lang];
  const actionable = v.status === "open" || v.status === "snoozed";
  const template = v.kind === "wellbeing" ? "orange" : v.severity === "critical" ? "red" : "orange";
  const title = v.kind === "wellbeing" ? t.title.wellbeing : v.severity === "critical" ? t.title.critical : t.title.warning;
  const shown = findingsForCard(v.findings);
  const say = (f: AlertView["findings"][number]) => describeFinding(f, v.lang, v.ruleName);
  const elements: Array<Record<string, unknown>> = [];
  if (v.session) {
    const s = v.session;
    const where = [
      `**${t.who}** ${esc(redactText(s.externalKey))}`,
      `**${t.channel}** ${esc(s.sentChannel ?? own(t.channels, s.channel) ?? s.channel)}`,
      ...(s.qaScore !== null && s.qaScore !== undefined ? [`**${t.qa}** ${s.qaScore}`] : []),
    ];
    const meta = s.meta.map(([k, val]) => `**${esc(own(t.metaNames, k) ?? k)}** ${esc(quoteText(val, 60))}`);
    elements.push({ tag: "markdown", content: [where.join("　"), meta.join("　")].filter(Boolean).join("\n") });
    elements.push({ tag: "column_set", flex_mode: "bisect", columns: [personColumn(t.agent, s.agent), personColumn(t.customer, s.customer)] });
  }
  const why = shown.map(
    (f) =>
      `- ${f.severity === "critical" ? "🔴" : "🟠"} ${esc(redactText(say(f)))}${f.evidence.length && f.detector !== "low_qa" ? `${t.colon}“${esc(quoteText(f.evidence[f.evidence.length - 1]!, 60))}”` : ""}`,
  );
  elements.push({ tag: "markdown", content: `**${t.why}**\n${why.join("\n") || esc(quoteText(v.summary, 120))}` });
  if (v.trajectory.length) elements.push({ tag: "markdown", content: `**${t.trajectory}** ${sparkline(v.trajectory)}  (${v.trajectory.map((x) => x.toFixed(1)).join(" → ")})` });
  if (v.lastMessages.length) {
    elements.push({ tag: "markdown", content: `**${t.last}**\n${v.lastMessages.map((m) => `> ${own(t.roles, m.role) ?? m.role}${t.colon}${esc(quoteText(m.text, 80))}`).join("\n")}` });
  }
  const buttons: Array<Record<string, unknown>> = [];
  const act = (action: AlertAction) => ({ type: "callback", value: { cs_coach: "alert", alertId: v.alertId, action } });
  if (actionable) {
    buttons.push(
      button(t.takeOver, "danger", act("take_over")),
      button(t.ack, "primary", act("acknowledge")),
      button(t.falseAlarm, "default", act("false_alarm")),
      button(t.snooze, "default", act("snooze")),
    );
  }
  if (v.session?.link) buttons.push(button(t.open, "default", { type: "open_url", default_url: v.session.link }));
  if (v.session?.consoleLink) buttons.push(button(t.console, "default", { type: "open_url", default_url: v.session.consoleLink }));
  if (v.agentBoardLink) buttons.push(button(t.console, "default", { type: "open_url", default_url: v.agentBoardLink }));
  if (buttons.length) elements.push({ tag: "column_set", flex_mode: "flow", columns: buttons });
  const until = v.status === "snoozed" && v.snoozedUntil ? ` ${t.until} ${clockTime(v.snoozedUntil, v.tz)}` : "";
  const statusLine = `${own(t.status, v.status) ?? v.status}${until}${v.actedBy ? `（${t.by} <at id=${v.actedBy}></at>）` : ""}`;
  elements.push({ tag: "markdown", content: `<font color='grey'>#${v.alertId} · ${statusLine}</font>` });
  const subtitle = shown[0] ? say(shown[0]) : v.summary;
  return {
    schema: "2.0",
    config: { update_multi: true },
    header: { title: { tag: "plain_text", content: title }, subtitle: { tag: "plain_text", content: quoteText(subtitle, 60) }, template },
    body: { elements },
  };
}
