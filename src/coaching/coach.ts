import type { Finding } from "../detection/types.ts";
import type { RuleHit } from "../scoring/compliance/engine.ts";
import type { KbIndex } from "./kb-index.ts";
import type { Lessons } from "./lessons.ts";

export interface HintCandidate {
  kind: "kb" | "lesson";
  refId: string;
  title: string;
  text: string;
  reply: string;
  source?: string;
  trigger: string;
  /** kb: the best passages, for an LLM to ground a drafted reply in */
  passages?: Array<{ articleId: string; title: string; text: string; score: number }>;
  question?: string;
}

/** A customer turn that asks something (the knowledge base may answer it). */
export function isQuestion(text: string): boolean {
  return /[?？]|吗|呢|怎么|如何|什么|多久|几天|多少|哪|能不能|可不可以|有没有|\b(?:how|what|when|where|why|which|can|could|do|does|is|are|will|wheres?)\b/i.test(text);
}

const firstSentences = (text: string, max = 140) => {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const end = Math.max(cut.lastIndexOf("。"), cut.lastIndexOf(". "), cut.lastIndexOf("；"));
  return end > 40 ? cut.slice(0, end + 1) : `${cut}…`;
};

/**
 * What to whisper to the agent after this turn (pure): the knowledge-base answer to a customer
 * question, and the micro-lesson for each new rule hit or finding.
 */
export function hintCandidates(o: {
  turn: { role: "agent" | "customer"; text: string };
  lang: "zh" | "en";
  hits: RuleHit[];
  findings: Finding[];
  kb?: KbIndex;
  lessons: Lessons;
  minKbScore: number;
}): HintCandidate[] {
  const out: HintCandidate[] = [];
  if (o.turn.role === "customer" && o.kb && isQuestion(o.turn.text)) {
    const found = o.kb.search(o.turn.text, o.lang, 3);
    const top = found[0];
    if (top && top.score >= o.minKbScore) {
      const answer = firstSentences(top.passage);
      out.push({
        kind: "kb",
        refId: top.articleId,
        title: top.title,
        text: top.passage,
        reply: o.lang === "zh" ? `亲，${answer}` : `Sure — ${answer}`,
        source: `${top.title} (${top.articleId})`,
        trigger: "question",
        passages: found.map((h) => ({ articleId: h.articleId, title: h.title, text: h.passage, score: h.score })),
        question: o.turn.text,
      });
    }
  }
  const seen = new Set<string>();
  const triggers = [...o.hits.map((h) => ({ id: h.lesson, trigger: h.kind })), ...o.findings.map((f) => ({ id: undefined, trigger: f.detector }))];
  for (const t of triggers) {
    const lesson = (t.id ? o.lessons.get(t.id, o.lang) : undefined) ?? o.lessons.forTrigger(t.trigger, o.lang);
    if (!lesson || seen.has(lesson.id)) continue;
    seen.add(lesson.id);
    out.push({ kind: "lesson", refId: lesson.id, title: lesson.title, text: lesson.tip, reply: lesson.reply, trigger: t.trigger });
  }
  return out;
}
