import { findPii } from "../../shared/pii.ts";
import { redactClip } from "../../shared/redact.ts";
import { compileLinearSet } from "../../shared/linear-regex.ts";
import { EVIDENCE } from "./hit-evidence.ts";
import { phrasePattern, type Policy, type Rule, type Severity } from "./policy-schema.ts";

/** One turn as the compliance engine sees it. `ts` is seconds (any origin) when known. */
export interface Turn {
  role: "agent" | "customer";
  text: string;
  ts?: number;
  /** Customer turns: the emotion scorer's valence, for "apologise after a negative turn". */
  valence?: number;
  /** Customer turns: 0..1, how clearly the turn reports something wrong (whatever its tone). */
  problem?: number;
  /** Customer turns: the feeling is shown in the message itself (see EmotionScore.marked). */
  marked?: boolean;
}

export interface RuleHit {
  ruleId: string;
  kind: string;
  severity: Severity;
  /** The turn at which the violation is visible. */
  index: number;
  evidence: string;
  lesson?: string;
}

type PhraseSet = { zh: string[]; en: string[] };

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Compiled once per policy: Chinese phrases as substrings, English ones on word boundaries,
 * "/…/" families as patterns (over a bounded prefix, like every team pattern).
 */
export function compilePhrases(set: PhraseSet): (text: string) => string | undefined {
  const plainZh = set.zh.filter((p) => phrasePattern(p) === undefined).map((p) => p.toLowerCase());
  const plainEn = set.en.filter((p) => phrasePattern(p) === undefined);
  const patterns = compileLinearSet([...set.zh, ...set.en].map(phrasePattern).filter((p): p is string => p !== undefined));
  const en = plainEn.length ? new RegExp(`(?<![a-z0-9])(?:${plainEn.map((p) => escapeRegex(p.toLowerCase().trim())).join("|")})(?![a-z0-9])`, "i") : undefined;
  return (text: string) => {
    const t = text.toLowerCase();
    for (const p of plainZh) if (t.includes(p)) return p;
    const hit = en?.exec(t)?.[0];
    if (hit) return hit;
    return patterns.find(t);
  };
}

export interface CompiledPolicy {
  policy: Policy;
  greeting: ReturnType<typeof compilePhrases>;
  apology: ReturnType<typeof compilePhrases>;
  empathy: ReturnType<typeof compilePhrases>;
  closing: ReturnType<typeof compilePhrases>;
  warm: ReturnType<typeof compilePhrases>;
  rules: Array<{ rule: Rule; match?: (text: string) => string | undefined }>;
  /** An enabled first-response timing rule exists (the every-reply rule then leaves the first reply to it). */
  timesFirstReply: boolean;
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  return {
    policy,
    greeting: compilePhrases(policy.phrases.greeting),
    apology: compilePhrases(policy.phrases.apology),
    empathy: compilePhrases(policy.phrases.empathy),
    closing: compilePhrases(policy.phrases.closing),
    warm: compilePhrases(policy.phrases.warmAddress),
    timesFirstReply: policy.rules.some((r) => r.enabled && r.check.type === "timing" && r.check.what === "first_response"),
    rules: policy.rules
      .filter((r) => r.enabled)
      .map((rule) => {
        if (rule.check.type === "phrases") return { rule, match: compilePhrases(rule.check.phrases) };
        if (rule.check.type === "regex") {
          // Linear-time patterns over a bounded prefix: whatever they are, one message costs a bounded time.
          const patterns = compileLinearSet(rule.check.patterns);
          const ignore = compileLinearSet(rule.check.ignore);
          return { rule, match: (text: string) => (ignore.test(text) ? undefined : patterns.find(text)) };
        }
        if (rule.check.type === "pii") {
          const kinds = new Set<string>(rule.check.kinds);
          return {
            rule,
            match: (text: string) => {
              const found = findPii(text).find((sp) => kinds.has(sp.kind));
              // The evidence names what leaked, never the value itself.
              return found ? `[${found.kind.toUpperCase()}]` : undefined;
            },
          };
        }
        return { rule };
      }),
  };
}

const hit = (rule: Rule, index: number, evidence: string): RuleHit => ({ ruleId: rule.id, kind: rule.kind, severity: rule.severity, index, evidence, lesson: rule.lesson });

/** The customer message this agent reply answers: the first customer turn since the previous agent turn. */
function waitingSince(turns: Turn[], i: number): number | undefined {
  let start: number | undefined;
  for (let j = i - 1; j >= 0 && turns[j]!.role === "customer"; j--) start = j;
  if (start === undefined) return undefined;
  // The customer's own silence is not the agent's delay: after "稍等，我去看看" / "hang on, let
  // me look" the clock starts again at their next message.
  for (let j = start; j < i - 1; j++) if (STEPPING_AWAY.test(turns[j]!.text)) start = j + 1;
  return start;
}

const STEPPING_AWAY =
  /稍等|等一下|等等我|我(?:现在|先)?去(?:看|找|查|拿|问|申请|拍|试|弄|操作)|我(?:看|找|查|试)(?:一下|看|找)|\b(?:hang on|hold on|one (?:sec|second|moment|minute)|just a (?:sec|second|moment|minute)|give me a (?:sec|second|moment|minute)|let me (?:look|check|see|find|try)|brb|be right back)\b/i;

/**
 * Rule hits visible at turn i, given the turns before it. Pure and incremental: the live
 * pipeline calls it once per new message; replays and evaluation call it for every turn.
 */
export function checkTurn(c: CompiledPolicy, turns: Turn[], i: number): RuleHit[] {
  const t = turns[i]!;
  if (t.role !== "agent") return [];
  const hits: RuleHit[] = [];
  const agentBefore = turns.slice(0, i).filter((x) => x.role === "agent").length;
  for (const { rule, match } of c.rules) {
    const ch = rule.check;
    switch (ch.type) {
      case "phrases":
      case "regex":
      case "pii": {
        const found = match!(t.text);
        if (found) hits.push(hit(rule, i, found));
        break;
      }
      case "timing": {
        if (ch.what === "first_response" && agentBefore > 0) break;
        // A slow first reply is one violation (the first-response rule's), not two.
        if (ch.what === "response" && agentBefore === 0 && c.timesFirstReply) break;
        const from = ch.what === "first_response" ? turns.findIndex((x) => x.role === "customer") : waitingSince(turns, i);
        if (from === undefined || from < 0 || from > i) break;
        const start = turns[from]!.ts;
        if (start === undefined || t.ts === undefined) break;
        const waited = t.ts - start;
        if (waited > ch.maxSeconds) hits.push(hit(rule, i, EVIDENCE.slow(waited, ch.maxSeconds)));
        break;
      }
      case "sequence":
        if (ch.what === "greeting" && agentBefore === 0 && !c.greeting(t.text)) hits.push(hit(rule, i, EVIDENCE.noGreeting));
        if (ch.what === "warm_address" && agentBefore === 0 && !c.warm(t.text)) hits.push(hit(rule, i, EVIDENCE.noWarmAddress));
        if (ch.what === "apology_after_negative") {
          const h = missingApology(c, turns, i, ch.withinAgentTurns);
          if (h) hits.push(hit(rule, i, h));
        }
        break;
      case "llm":
        break; // judged asynchronously by the LLM judge, when configured
    }
  }
  return hits;
}

/**
 * The apology's premise is an event: the customer is upset (valence at or below the policy's
 * threshold, with the feeling shown in the message rather than only in the model's lean), or
 * reports something that went wrong (the problem signal at or above `problemReport`; the scorer
 * counts a problem said in a statement, not one asked about). A calm question about a product is
 * no premise. A turn scored before these signals existed (no `marked`) is judged by its valence.
 */
function needsApology(c: CompiledPolicy, t: Turn): boolean {
  if (t.role !== "customer" || t.valence === undefined) return false;
  if (t.valence <= c.policy.negativeValence && t.marked !== false) return true;
  return (t.problem ?? 0) >= c.policy.problemReport;
}

/**
 * After the premise the agent has `within` replies to apologise; flagged at the last allowed
 * reply, once per episode. An apology covers the problem it answered: the customer's reply to
 * it (usually more detail: a photo, what happened) starts no new episode, only a later upset does.
 */
function missingApology(c: CompiledPolicy, turns: Turn[], i: number, within: number): string | undefined {
  let lastApology = -1;
  for (let j = 0; j < i; j++) if (turns[j]!.role === "agent" && c.apology(turns[j]!.text)) lastApology = j;
  let from = lastApology + 1;
  if (lastApology >= 0) while (from < i && turns[from]!.role === "customer") from++;
  let premise = -1;
  for (let j = from; j < i; j++) {
    if (needsApology(c, turns[j]!)) {
      premise = j; // the first turn of the episode
      break;
    }
  }
  if (premise < 0) return undefined;
  const replies = turns.slice(premise + 1, i + 1).filter((x) => x.role === "agent");
  if (replies.length !== within) return undefined;
  if (replies.some((x) => c.apology(x.text))) return undefined;
  return EVIDENCE.noApology(redactClip(turns[premise]!.text, 40));
}

/** Hits only visible once the conversation is over (the closing check). */
export function checkSessionEnd(c: CompiledPolicy, turns: Turn[]): RuleHit[] {
  const agentIdx = turns.map((t, i) => (t.role === "agent" ? i : -1)).filter((i) => i >= 0);
  if (!agentIdx.length) return [];
  const hits: RuleHit[] = [];
  for (const { rule } of c.rules) {
    if (rule.check.type !== "sequence" || rule.check.what !== "closing_check") continue;
    const last = agentIdx.slice(-rule.check.withinAgentTurns);
    if (!last.some((i) => c.closing(turns[i]!.text))) hits.push(hit(rule, agentIdx[agentIdx.length - 1]!, EVIDENCE.noClosingCheck));
  }
  return hits;
}

export interface SessionQa {
  score: number;
  empathyCount: number;
  warmAddressCount: number;
  hitsByKind: Record<string, number>;
}

/**
 * A QA score a team lead recognises: start from 100, take off a fixed amount per violation by
 * severity (repeats of one rule stop counting after a few), add a little for empathy.
 */
export type HitRef = Pick<RuleHit, "ruleId" | "kind" | "severity">;

export function sessionQa(c: CompiledPolicy, turns: Turn[], hits: HitRef[]): SessionQa {
  const qa = c.policy.qa;
  const perRule = new Map<string, number>();
  let penalty = 0;
  // Kinds are the team's words: a kind named like a prototype key ("constructor") is still just a count.
  const hitsByKind: Record<string, number> = Object.create(null);
  for (const h of hits) {
    hitsByKind[h.kind] = (hitsByKind[h.kind] ?? 0) + 1;
    const n = (perRule.get(h.ruleId) ?? 0) + 1;
    perRule.set(h.ruleId, n);
    if (n <= qa.maxPenalisedRepeats) penalty += qa.penalty[h.severity] ?? 0;
  }
  const agent = turns.filter((t) => t.role === "agent");
  const empathyCount = agent.filter((t) => c.empathy(t.text)).length;
  const warmAddressCount = agent.filter((t) => c.warm(t.text)).length;
  const bonus = Math.min(qa.empathyBonusMax, empathyCount * qa.empathyBonus);
  const score = Math.max(0, Math.min(100, qa.base - penalty + bonus));
  return { score: Math.round(score * 10) / 10, empathyCount, warmAddressCount, hitsByKind };
}
