import { fillTemplate } from "../shared/template.ts";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { LlmClient } from "../clients/llm.ts";
import { redactText } from "../shared/redact.ts";
import type { CompiledPolicy, RuleHit, Turn } from "./compliance/engine.ts";

const PROMPT_PATH = join(import.meta.dirname, "..", "..", "prompts", "judge-message.md");

export const judgementSchema = z.object({
  emotion: z.object({
    valence: z.number().min(-1).max(1),
    intensity: z.number().min(0).max(1),
    category: z.enum(["anger", "frustration", "anxiety", "neutral", "satisfaction"]),
    rationale: z.string().max(400),
  }),
  rubric: z.array(z.object({ ruleId: z.string(), violated: z.boolean(), evidence: z.string().max(300) })),
});
export type Judgement = z.infer<typeof judgementSchema>;

interface Prompt {
  version: string;
  system: string;
  user: string;
}

/** prompts/judge-message.md: a version comment, then "# System" (with the rubric) and "# User". */
function loadPrompt(path = PROMPT_PATH): Prompt {
  const text = readFileSync(path, "utf8");
  const version = /<!--\s*([\w-]+ v\d+)/.exec(text)?.[1] ?? "unversioned";
  const body = text.replace(/<!--[\s\S]*?-->/, "");
  const at = body.search(/^# User\s*$/m);
  if (at < 0) throw new Error(`${path}: needs a "# User" section`);
  return {
    version,
    system: body
      .slice(0, at)
      .replace(/^# System\s*$/m, "")
      .trim(),
    user: body
      .slice(at)
      .replace(/^# User\s*$/m, "")
      .trim(),
  };
}

/**
 * The optional LLM judge. Everything it sends passes through redactText first, so no phone,
 * ID, card number or address leaves the process. Answers are cached by prompt version and
 * input, so replays and repeats cost nothing.
 */
export function createLlmJudge(llm: LlmClient, maxCache = 5_000) {
  const prompt = loadPrompt();
  const cache = new Map<string, Judgement>();

  return {
    promptVersion: prompt.version,
    async judge(c: CompiledPolicy, turns: Turn[], i: number): Promise<{ judgement: Judgement; hits: RuleHit[]; cached: boolean }> {
      const t = turns[i]!;
      const llmRules = t.role === "agent" ? c.rules.filter((r) => r.rule.check.type === "llm").map((r) => r.rule) : [];
      const rubric = llmRules.length ? llmRules.map((r) => `- ${r.id}: ${r.check.type === "llm" ? r.check.rubric : ""}`).join("\n") : "(none: judge emotion only)";
      const context =
        turns
          .slice(Math.max(0, i - 6), i)
          .map((x) => `${x.role}: ${redactText(x.text)}`)
          .join("\n") || "(start of conversation)";
      const user = fillTemplate(prompt.user, { rubric, context, role: t.role, message: redactText(t.text) });
      const system = fillTemplate(prompt.system, { rubric });
      const key = createHash("sha256").update(`${prompt.version}\n${system}\n${user}`).digest("hex");
      let judgement = cache.get(key);
      const cached = Boolean(judgement);
      if (!judgement) {
        judgement = await llm.json({ system, user, name: "message_judgement", schema: judgementSchema });
        if (cache.size >= maxCache) cache.delete(cache.keys().next().value!);
        cache.set(key, judgement);
      }
      const hits: RuleHit[] = [];
      for (const r of judgement.rubric) {
        const rule = llmRules.find((x) => x.id === r.ruleId);
        if (rule && r.violated) hits.push({ ruleId: rule.id, kind: rule.kind, severity: rule.severity, index: i, evidence: r.evidence || "(LLM)", lesson: rule.lesson });
      }
      return { judgement, hits, cached };
    },
  };
}

export type LlmJudge = ReturnType<typeof createLlmJudge>;
