import { esc } from "../shared/card-markdown.ts";
import { redactText } from "../shared/redact.ts";

export interface HintView {
  hintId: number;
  kind: "kb" | "lesson";
  lang: "zh" | "en";
  title: string;
  /** kb: the passage; lesson: the one-line tip */
  text: string;
  /** the reply the agent can send (or adapt) */
  reply: string;
  /** kb: where the answer comes from */
  source?: string;
  /** after the agent's click */
  verdict?: boolean;
}

const T = {
  zh: { kb: "知识库参考", lesson: "微课提示", reply: "建议回复", source: "来源", useful: "有用", notUseful: "没用", thanks: (u: boolean) => `已反馈：${u ? "有用" : "没用"}，谢谢`, only: "仅你可见" },
  en: {
    kb: "From the knowledge base",
    lesson: "Quick lesson",
    reply: "Suggested reply",
    source: "Source",
    useful: "Useful",
    notUseful: "Not useful",
    thanks: (u: boolean) => `Feedback: ${u ? "useful" : "not useful"} — thanks`,
    only: "Only you can see this",
  },
};

/** A private hint card, JSON 2.0, with Useful / Not useful buttons (the hint's own evaluation). */
export function hintCard(v: HintView): Record<string, unknown> {
  const t = T[v.lang];
  const elements: Array<Record<string, unknown>> = [
    { tag: "markdown", content: `**${v.title}**\n${redactText(v.text)}` },
    // The suggested reply may be an LLM's draft from the customer's words: plain text, never markup.
    { tag: "markdown", content: `**${t.reply}**\n> ${esc(redactText(v.reply))}` },
  ];
  if (v.source) elements.push({ tag: "markdown", content: `<font color='grey'>${t.source}: ${esc(v.source)}</font>` });
  if (v.verdict === undefined) {
    const button = (label: string, useful: boolean, type: string) => ({
      tag: "column",
      width: "auto",
      elements: [{ tag: "button", text: { tag: "plain_text", content: label }, type, behaviors: [{ type: "callback", value: { cs_coach: "hint", hintId: v.hintId, useful } }] }],
    });
    elements.push({ tag: "column_set", flex_mode: "flow", columns: [button(t.useful, true, "primary"), button(t.notUseful, false, "default")] });
  } else {
    elements.push({ tag: "markdown", content: `<font color='grey'>${t.thanks(v.verdict)}</font>` });
  }
  return {
    schema: "2.0",
    config: { update_multi: true },
    header: { title: { tag: "plain_text", content: v.kind === "kb" ? t.kb : t.lesson }, subtitle: { tag: "plain_text", content: t.only }, template: v.kind === "kb" ? "turquoise" : "violet" },
    body: { elements },
  };
}

/**
 * The same hint as card JSON 1.0, the format the ephemeral ("only you can see this") API
 * documents: div + lark_md text and an action row of buttons.
 */
export function hintCardV1(v: HintView): Record<string, unknown> {
  const t = T[v.lang];
  const md = (content: string) => ({ tag: "div", text: { tag: "lark_md", content } });
  const elements: Array<Record<string, unknown>> = [md(`**${v.title}**\n${redactText(v.text)}`), md(`**${t.reply}**\n${esc(redactText(v.reply))}`)];
  if (v.source) elements.push({ tag: "note", elements: [{ tag: "plain_text", content: `${t.source}: ${v.source}` }] });
  elements.push({
    tag: "action",
    actions: [
      { tag: "button", text: { tag: "plain_text", content: t.useful }, type: "primary", value: { cs_coach: "hint", hintId: v.hintId, useful: true } },
      { tag: "button", text: { tag: "plain_text", content: t.notUseful }, type: "default", value: { cs_coach: "hint", hintId: v.hintId, useful: false } },
    ],
  });
  return {
    config: { wide_screen_mode: true },
    header: { title: { tag: "plain_text", content: `${v.kind === "kb" ? t.kb : t.lesson} · ${t.only}` }, template: v.kind === "kb" ? "turquoise" : "violet" },
    elements,
  };
}
