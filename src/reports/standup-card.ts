import { COMPLAINT_LABEL } from "../scoring/complaint-types.ts";
import { starAndCoach, type DayStats } from "./standup-data.ts";

type Lang = "zh" | "en";

const L = {
  zh: {
    title: (d: string) => `客服晨会 · ${d} 复盘`,
    empty: (d: string, y: boolean) => (y ? "昨日没有会话记录。" : `${d} 没有会话记录。`),
    vs: "较前一日",
    volume: "会话 / 消息",
    fr: "首响",
    sla: "达标率",
    emotion: "顾客情绪均值",
    negative: "负面会话占比",
    qa: "质检均分",
    rules: "最常违反",
    alerts: "告警",
    judged: (a: DayStats["alerts"]) => `接管 ${a.takenOver} · 知悉 ${a.acknowledged} · 误报 ${a.falseAlarm} · 暂缓 ${a.snoozed} · 未处理 ${a.unjudged}`,
    complaints: "投诉类型",
    star: "客服之星",
    coach: "需辅导",
    lesson: "复习微课",
    wellbeing: "关怀提醒",
    hints: "提示有用率",
    none: "无",
    chart: "分时会话量与情绪",
    narrative: "摘要",
  },
  en: {
    title: (d: string) => `Team stand-up · review of ${d}`,
    empty: (d: string, y: boolean) => (y ? "No conversations yesterday." : `No conversations on ${d}.`),
    vs: "vs the day before",
    volume: "Sessions / messages",
    fr: "First response",
    sla: "SLA met",
    emotion: "Avg customer emotion",
    negative: "Negative sessions",
    qa: "QA average",
    rules: "Most-broken rules",
    alerts: "Alerts",
    judged: (a: DayStats["alerts"]) => `taken over ${a.takenOver} · acknowledged ${a.acknowledged} · false alarm ${a.falseAlarm} · snoozed ${a.snoozed} · no action ${a.unjudged}`,
    complaints: "Complaint types",
    star: "Agent of the day",
    coach: "To coach",
    lesson: "lesson",
    wellbeing: "Wellbeing",
    hints: "Hints useful",
    none: "none",
    chart: "Hourly volume and emotion",
    narrative: "Summary",
  },
};

const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10}%`);
const num = (v: number | null, unit = "") => (v === null ? "—" : `${v}${unit}`);
function delta(now: number | null, before: number | null, asPct = false): string {
  if (now === null || before === null) return "";
  const d = now - before;
  if (Math.abs(d) < 1e-9) return " (=)";
  const shown = asPct ? `${Math.round(Math.abs(d) * 1000) / 10}pt` : `${Math.round(Math.abs(d) * 100) / 100}`;
  return ` (${d > 0 ? "↑" : "↓"}${shown})`;
}

/** The stand-up card, JSON 2.0: numbers for the day with the day before for comparison, a chart, a narrative. */
export interface CardWording {
  /** The day reported on is yesterday (the scheduled post), so "yesterday" may be said. */
  isYesterday: boolean;
  names: { rule: (kind: string) => string; lesson: (id: string) => string };
  /** Where the console is (PUBLIC_URL): a button opens its Team today page. */
  consoleUrl?: string;
}

export function standupCard(today: DayStats, before: DayStats, narrative: string[], lang: Lang, w: CardWording): Record<string, unknown> {
  const t = L[lang];
  const sep = lang === "zh" ? "，" : ", ";
  const header = { title: { tag: "plain_text", content: t.title(today.day) }, template: "blue" };
  if (!today.sessions) {
    return { schema: "2.0", config: { update_multi: true }, header, body: { elements: [{ tag: "markdown", content: t.empty(today.day, w.isYesterday) }] } };
  }
  const { star, coach } = starAndCoach(today.agents);
  const fr = today.firstResponse;
  const lines = [
    `**${t.volume}** ${today.sessions} / ${today.messages}${delta(today.sessions, before.sessions)}`,
    `**${t.fr}** p50 ${num(fr.p50, "s")} · p90 ${num(fr.p90, "s")} · **${t.sla}**（≤${fr.slaSeconds}s）${pct(fr.slaAttainment)}${delta(fr.slaAttainment, before.firstResponse.slaAttainment, true)}`,
    `**${t.emotion}** ${num(today.avgCustomerValence)}${delta(today.avgCustomerValence, before.avgCustomerValence)} · **${t.negative}** ${pct(today.negativeSessionShare)}${delta(today.negativeSessionShare, before.negativeSessionShare, true)}`,
    `**${t.qa}** ${num(today.qaAverage)}${delta(today.qaAverage, before.qaAverage)} · **${t.rules}** ${today.topRules.map((r) => `${w.names.rule(r.kind)} ×${r.count}`).join(sep) || t.none}`,
    `**${t.alerts}** ${today.alerts.raised}${delta(today.alerts.raised, before.alerts.raised)}：${t.judged(today.alerts)}`,
    `**${t.complaints}** ${today.complaintTypes.map((c) => `${COMPLAINT_LABEL[c.type][lang]} ×${c.count}`).join(sep) || t.none}`,
    `**${t.star}** ${star ? `${star.name}（${t.qa} ${star.qaAverage}，${star.sessions}）` : t.none} · **${t.coach}** ${coach ? `${coach.name}（${coach.topKind ? w.names.rule(coach.topKind) : ""}${coach.lesson ? `${sep}${t.lesson}${lang === "zh" ? "：" : ": "}${w.names.lesson(coach.lesson)}` : ""}）` : t.none}`,
    `**${t.wellbeing}** ${today.wellbeing.length ? today.wellbeing.join("；") : t.none} · **${t.hints}** ${pct(today.hints.usefulShare)}（${today.hints.useful}/${today.hints.judged}）`,
  ];
  const hours = today.hourly.filter((h) => h.messages > 0);
  const chart = {
    tag: "chart",
    aspect_ratio: "16:9",
    chart_spec: {
      type: "common",
      title: { text: t.chart },
      data: [
        { id: "volume", values: hours.map((h) => ({ hour: String(h.hour).padStart(2, "0"), messages: h.messages })) },
        { id: "emotion", values: hours.filter((h) => h.avgValence !== null).map((h) => ({ hour: String(h.hour).padStart(2, "0"), valence: h.avgValence })) },
      ],
      series: [
        { type: "bar", dataId: "volume", xField: "hour", yField: "messages" },
        { type: "line", dataId: "emotion", xField: "hour", yField: "valence" },
      ],
      axes: [
        { orient: "left", seriesIndex: [0] },
        { orient: "right", seriesIndex: [1], min: -1, max: 1 },
        { orient: "bottom", type: "band" },
      ],
    },
  };
  return {
    schema: "2.0",
    config: { update_multi: true },
    header,
    body: {
      elements: [
        { tag: "markdown", content: `**${t.narrative}**\n${narrative.join(" ")}` },
        { tag: "hr" },
        { tag: "markdown", content: lines.join("\n") },
        chart,
        ...(w.consoleUrl
          ? [
              {
                tag: "button",
                text: { tag: "plain_text", content: lang === "zh" ? "在控制台查看今日团队" : "Team today in the console" },
                type: "default",
                behaviors: [{ type: "open_url", default_url: `${w.consoleUrl}/console/team` }],
              },
            ]
          : []),
      ],
    },
  };
}
