type Lang = "zh" | "en";
type Facts = Record<string, unknown>;

const ESCALATION: Record<string, Record<Lang, string>> = {
  regulator: { zh: "向监管投诉（12315/消协）", en: "a regulator complaint" },
  media: { zh: "媒体曝光", en: "going to the media" },
  legal: { zh: "法律途径", en: "legal action" },
  complaint: { zh: "投诉", en: "a complaint" },
  bad_review: { zh: "差评", en: "a bad review" },
  refund_demand: { zh: "退款", en: "a refund" },
};

const num = (v: unknown, d = 2) => (typeof v === "number" ? v.toFixed(d) : "?");
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/**
 * One line saying what a detector saw, in the reader's language, from the finding's facts.
 * Rule kinds are named by `ruleName` (the policy's words, never ids).
 */
export function describeFinding(f: { detector: string; summary: string; facts?: Facts }, lang: Lang, ruleName: (kind: string) => string): string {
  const x = f.facts ?? {};
  const zh = lang === "zh";
  const sep = zh ? "、" : ", ";
  switch (f.detector) {
    case "escalation": {
      const kinds = list(x.kinds)
        .map((k) => ESCALATION[k]?.[lang] ?? k)
        .join(sep);
      return zh ? `顾客扬言${kinds}${x.again ? "（再次）" : ""}` : `Customer threatens ${kinds}${x.again ? " (again)" : ""}`;
    }
    case "refund_repeated":
      return zh ? `顾客已 ${x.count} 次要求退款` : `Refund demanded ${x.count} times`;
    case "negativity":
      return zh ? `顾客连续 ${x.turns} 条消息情绪负面（均值 ${num(x.mean)}）` : `Customer negative for ${x.turns} turns (mean ${num(x.mean)})`;
    case "anger_spike":
      return zh ? `客服回复后顾客情绪激化（${num(x.valence)}）` : `Anger spike after the agent replied (${num(x.valence)})`;
    case "agent_conduct":
      return zh ? `客服${x.kind === "arguing" ? "与顾客争辩" : "用语不当"}` : `Agent ${x.kind === "arguing" ? "argues with" : "is rude to"} the customer`;
    case "privacy_leak":
      return zh ? "客服泄露了顾客个人信息" : "Agent disclosed personal data";
    case "repeated_question":
      return zh ? `顾客重复提问 ${x.count} 次` : `Customer repeated the question ${x.count} times`;
    case "long_session":
      return zh ? `会话超过 ${x.limit} 条消息` : `Session longer than ${x.limit} messages`;
    case "low_qa": {
      const kinds = list(x.kinds).map(ruleName).join(sep);
      return zh ? `质检分 ${x.score}，低于 ${x.below}${kinds ? `：${kinds}` : ""}` : `QA ${x.score}, below ${x.below}${kinds ? `: ${kinds}` : ""}`;
    }
    case "waiting": {
      const s = Math.round(Number(x.seconds));
      return zh ? `顾客已等待 ${s} 秒${x.first ? "未获首次回复" : "未获回复"}` : `Customer waiting ${s} s for ${x.first ? "a first reply" : "a reply"}`;
    }
    case "unresolved":
      return zh ? `顾客带着不满离开（均值 ${num(x.mean)}，最后 ${num(x.last)}），请跟进` : `Customer left unhappy (mean ${num(x.mean)}, last ${num(x.last)}): follow up`;
    default:
      return f.summary;
  }
}

const RANK: Record<string, number> = { info: 0, warning: 1, critical: 2 };

/**
 * What a card lists: each detector once (its latest finding, at its worst severity), the
 * worst first, then the most recent. A QA score that stays low is one problem, not one a turn.
 */
export function findingsForCard<T extends { detector: string; severity: string }>(fs: T[]): T[] {
  const byDetector = new Map<string, { f: T; order: number; severity: string }>();
  fs.forEach((f, order) => {
    const cur = byDetector.get(f.detector);
    const severity = cur && RANK[cur.severity]! > RANK[f.severity]! ? cur.severity : f.severity;
    byDetector.set(f.detector, { f, order, severity });
  });
  return [...byDetector.values()].sort((a, b) => RANK[b.severity]! - RANK[a.severity]! || b.order - a.order).map((e) => ({ ...e.f, severity: e.severity }));
}
