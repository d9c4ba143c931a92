import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseJsonFile } from "../../shared/parse-json.ts";
import { MAX_POLICY_PROGRAM, patternProblem, programSize } from "../../shared/linear-regex.ts";
import { thresholdsSchema } from "../thresholds.ts";

/**
 * The team's service script as data. Teams copy default-policy.json, edit it, and point
 * POLICY_FILE at their copy; it is validated here and reloaded when the file changes.
 */
export const CANONICAL_KINDS = [
  "missing_greeting",
  "slow_first_response",
  "slow_response",
  "missing_apology",
  "rude_language",
  "arguing",
  "privacy_leak",
  "missing_closing_check",
  "jargon",
  "red_line_claim",
] as const;

const severity = z.enum(["low", "medium", "high", "critical"]);
/**
 * A phrase, or a family of wordings as a pattern written between slashes ("/您看(这样)?(可以|行)吗/"):
 * examples stay readable and a team extends a family without code. Patterns are checked like
 * `regex` rules (linear-time RE2 syntax, bounded size) and see at most the first 1,000 characters.
 */
const phrase = z
  .string()
  .min(1)
  .superRefine((s, ctx) => {
    const src = phrasePattern(s);
    if (src === undefined) return;
    const problem = patternProblem(src);
    if (problem) ctx.addIssue({ code: "custom", message: `pattern ${s} ${problem}` });
  });
const bilingual = z.object({ zh: z.array(phrase).default([]), en: z.array(phrase).default([]) });

/** The pattern inside a "/…/" phrase, or undefined for a plain phrase. */
export function phrasePattern(s: string): string | undefined {
  return s.length > 2 && s.startsWith("/") && s.endsWith("/") ? s.slice(1, -1) : undefined;
}

const check = z.discriminatedUnion("type", [
  /** Any of these phrases in an agent message is a hit (rude, arguing, red-line, jargon…). */
  z.object({ type: z.literal("phrases"), phrases: bilingual }),
  /** Any of these patterns in an agent message is a hit; `ignore` exempts masked forms. */
  z.object({ type: z.literal("regex"), patterns: z.array(z.string().min(1)).min(1), ignore: z.array(z.string()).default([]) }),
  /** Personal data in an agent message, found by the same finder that redacts logs and cards. */
  z.object({
    type: z.literal("pii"),
    kinds: z
      .array(z.enum(["phone", "id", "card", "email", "address"]))
      .min(1)
      .default(["phone", "id", "card", "email", "address"]),
  }),
  /** Reply time: the first reply, or every reply, measured from the first unanswered customer message. */
  z.object({ type: z.literal("timing"), what: z.enum(["first_response", "response"]), maxSeconds: z.number().positive() }),
  /** Order of things: greeting first, apology after a negative turn, closing check at the end. */
  z.object({
    type: z.literal("sequence"),
    what: z.enum(["greeting", "apology_after_negative", "closing_check", "warm_address"]),
    /** apology_after_negative: replies allowed before the apology; closing_check: last replies searched. */
    withinAgentTurns: z.number().int().min(1).default(1),
  }),
  /** Judged by the LLM when one is configured (plain language, listening); skipped otherwise. */
  z.object({ type: z.literal("llm"), rubric: z.string().min(1) }),
]);

export const ruleSchema = z.object({
  id: z.string().regex(/^[a-z0-9_.-]+$/, "lowercase letters, digits, _ . -"),
  kind: z.string().min(1),
  /** What people call the rule in a meeting (cards and the stand-up); defaults by kind. */
  name: z.object({ zh: z.string().min(1), en: z.string().min(1) }).optional(),
  description: z.object({ zh: z.string(), en: z.string() }),
  severity,
  enabled: z.boolean().default(true),
  check,
  /** The micro-lesson this rule triggers (prompts/lessons/<id>). */
  lesson: z.string().optional(),
});

export const policySchema = z
  .object({
    version: z.literal(1),
    name: z.string().default("default"),
    /** A customer turn at or below this valence is "negative" (expects an apology). */
    negativeValence: z.number().min(-1).max(0).default(-0.35),
    /**
     * A customer turn whose problem signal is at or above this reports something that went
     * wrong (expects an apology even when said calmly), unless it is only a question.
     */
    problemReport: z.number().min(0).max(1).default(0.7),
    phrases: z.object({ greeting: bilingual, apology: bilingual, empathy: bilingual, closing: bilingual, warmAddress: bilingual }),
    qa: z.object({
      base: z.number().default(100),
      penalty: z.record(severity, z.number().min(0)).default({ low: 4, medium: 8, high: 15, critical: 25 }),
      /** Repeats of one rule stop costing after this many (a slow afternoon is one problem). */
      maxPenalisedRepeats: z.number().int().min(1).default(3),
      empathyBonus: z.number().min(0).default(2),
      empathyBonusMax: z.number().min(0).default(6),
    }),
    rules: z.array(ruleSchema).min(1),
    /** Abnormal-session detector thresholds (alerts); every field has a default. */
    detection: thresholdsSchema,
  })
  .superRefine((p, ctx) => {
    // Every pattern is linear, and so is their sum: a policy of many large patterns still costs
    // each message a bounded time.
    const families = [...Object.values(p.phrases), ...p.rules.flatMap((r) => (r.check.type === "phrases" ? [r.check.phrases] : []))].flatMap((set) => [...set.zh, ...set.en]).map(phrasePattern);
    const regexes = p.rules.flatMap((r) => (r.check.type === "regex" ? [...r.check.patterns, ...r.check.ignore] : []));
    const sources = [...families, ...regexes].filter((x): x is string => x !== undefined && patternProblem(x) === undefined);
    const total = sources.reduce((n, x) => n + programSize(x), 0);
    if (total > MAX_POLICY_PROGRAM)
      ctx.addIssue({ code: "custom", path: ["rules"], message: `the policy's patterns together compile to ${total} steps (at most ${MAX_POLICY_PROGRAM}): use fewer or plainer patterns` });
    const seen = new Set<string>();
    p.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id ${r.id}` });
      seen.add(r.id);
      if (r.check.type === "regex") {
        for (const [j, src] of [...r.check.patterns, ...r.check.ignore].entries()) {
          const problem = patternProblem(src);
          if (problem) ctx.addIssue({ code: "custom", path: ["rules", i, "check", "patterns", j], message: `regex ${src} ${problem}` });
        }
      }
    });
  });

export type Policy = z.infer<typeof policySchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type Severity = z.infer<typeof severity>;

export const DEFAULT_POLICY_PATH = join(import.meta.dirname, "default-policy.json");

export class PolicyError extends Error {}

export function parsePolicy(json: unknown, source = "policy"): Policy {
  const r = policySchema.safeParse(json);
  if (!r.success) throw new PolicyError(`${source} is invalid: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

export function loadPolicy(path = DEFAULT_POLICY_PATH): Policy {
  let json: unknown;
  try {
    json = parseJsonFile(readFileSync(path, "utf8"), path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new PolicyError(err.code === "ENOENT" ? `${path} does not exist` : err.message);
  }
  return parsePolicy(json, path);
}
