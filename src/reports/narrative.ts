import { fillTemplate } from "../shared/template.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { LlmClient } from "../clients/llm.ts";
import { COMPLAINT_LABEL } from "../scoring/complaint-types.ts";
import type { DayStats } from "./standup-data.ts";

const PROMPT = join(import.meta.dirname, "..", "..", "prompts", "standup-narrative.md");
const answer = z.object({ sentences: z.array(z.string().min(1).max(200)).length(3) });

/** Three sentences from the numbers alone, no LLM needed. */
export function templatedNarrative(s: DayStats, before: DayStats, lang: "zh" | "en"): string[] {
  if (!s.sessions) return [lang === "zh" ? "昨日没有会话。" : "There were no conversations yesterday."];
  const trend = before.sessions ? Math.round(((s.sessions - before.sessions) / before.sessions) * 100) : null;
  const topType = s.complaintTypes[0];
  const topRule = s.topRules[0];
  if (lang === "zh") {
    return [
      `昨日共 ${s.sessions} 个会话、${s.messages} 条消息${trend === null ? "" : `，较前一日${trend >= 0 ? "增加" : "减少"} ${Math.abs(trend)}%`}。`,
      `质检均分 ${s.qaAverage ?? "—"}，首响达标率 ${s.firstResponse.slaAttainment === null ? "—" : `${Math.round(s.firstResponse.slaAttainment * 100)}%`}${topRule ? `，最常见问题是 ${topRule.kind}（${topRule.count} 次）` : ""}。`,
      `共 ${s.alerts.raised} 条告警${topType ? `，投诉以${COMPLAINT_LABEL[topType.type].zh}为主` : ""}，今日请重点关注。`,
    ];
  }
  return [
    `Yesterday: ${s.sessions} sessions and ${s.messages} messages${trend === null ? "" : `, ${Math.abs(trend)}% ${trend >= 0 ? "more" : "fewer"} than the day before`}.`,
    `QA averaged ${s.qaAverage ?? "—"} and ${s.firstResponse.slaAttainment === null ? "—" : `${Math.round(s.firstResponse.slaAttainment * 100)}%`} of first replies met the SLA${topRule ? `; the most common issue was ${topRule.kind} (${topRule.count})` : ""}.`,
    `${s.alerts.raised} alerts were raised${topType ? `, complaints were mostly about ${COMPLAINT_LABEL[topType.type].en}` : ""}: today's focus.`,
  ];
}

/**
 * With an LLM, three sentences written from the same numbers (passed as JSON; the prompt forbids
 * anything not in them). Any failure falls back to the template.
 */
export async function narrative(s: DayStats, before: DayStats, lang: "zh" | "en", llm?: LlmClient): Promise<{ sentences: string[]; source: "llm" | "template" }> {
  const fallback = { sentences: templatedNarrative(s, before, lang), source: "template" as const };
  if (!llm || !s.sessions) return fallback;
  try {
    const text = readFileSync(PROMPT, "utf8").replace(/<!--[\s\S]*?-->/, "");
    const [system = "", user = ""] = text.split(/^# User\s*$/m);
    const numbers = JSON.stringify({ yesterday: { ...s, hourly: undefined }, dayBefore: { ...before, hourly: undefined, agents: undefined } });
    const r = await llm.json({
      system: system.replace(/^# System\s*$/m, "").trim(),
      user: fillTemplate(user, { lang: lang === "zh" ? "Chinese" : "English", numbers }).trim(),
      name: "standup_narrative",
      schema: answer,
    });
    return { sentences: r.sentences, source: "llm" };
  } catch {
    return fallback;
  }
}
