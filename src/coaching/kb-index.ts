import { segmentZh } from "../scoring/text.ts";
import type { Article } from "./kb-load.ts";
import { EN_SYNONYMS, ZH_SYNONYMS } from "./kb-synonyms.ts";

/**
 * BM25 over knowledge-base passages. Chinese text is indexed as Intl.Segmenter words plus
 * character bigrams (robust to segmentation and typos); English as lower-cased stems without
 * stop words. Questions are expanded with the customer-to-KB vocabulary before searching.
 * Articles are ranked by their best passage, with the title and tags counted as a passage.
 */
export interface Passage {
  articleId: string;
  title: string;
  lang: "zh" | "en";
  /** What the passage says: the answer an agent can read out (no heading). */
  text: string;
  /** The section's `##` heading: indexed for ranking, never glued into a reply. */
  heading?: string;
  /** The title-and-tags passage: it helps ranking but is no answer to show. */
  head?: boolean;
}

export interface KbHit {
  articleId: string;
  title: string;
  score: number;
  passage: string;
  source?: string;
}

const STOP = new Set(
  "a an the and or but of to in on at for with is are was were be been it its this that i you we my your our me do does did can could will would how what when where why which who please pls hi hello there not no yes just still so any".split(
    " ",
  ),
);

export function stem(w: string): string {
  if (w.length <= 3) return w;
  return w.replace(/(?:ing|ed|es|s|ly)$/, "") || w;
}

export function tokens(text: string, lang: "zh" | "en"): string[] {
  const t = text.toLowerCase();
  if (lang === "zh") {
    const out = segmentZh(t);
    for (const run of t.match(/[\u4e00-\u9fff]+/g) ?? []) for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
    return out;
  }
  return (t.match(/[a-z0-9]+/g) ?? []).filter((w) => !STOP.has(w)).map(stem);
}

export function expandQuery(q: string, lang: "zh" | "en"): string {
  const extra = (lang === "zh" ? ZH_SYNONYMS : EN_SYNONYMS).filter(([re]) => re.test(q.toLowerCase())).map(([, add]) => add);
  return [q, ...extra].join(" ");
}

export function splitPassages(a: Article): Passage[] {
  const sections = a.body
    .split(/\n(?=##\s)/)
    .map((s) => s.trim())
    .filter(Boolean);
  const head = { articleId: a.id, title: a.title, lang: a.lang, text: `${a.title} ${a.tags.join(" ")}`, head: true };
  return [
    head,
    ...sections.map((s) => {
      if (!s.startsWith("##")) return { articleId: a.id, title: a.title, lang: a.lang, text: s };
      const nl = s.indexOf("\n");
      const heading = (nl < 0 ? s : s.slice(0, nl)).replace(/^##\s*/, "").trim();
      const text = nl < 0 ? "" : s.slice(nl + 1).trim();
      return { articleId: a.id, title: a.title, lang: a.lang, heading, text: text || heading };
    }),
  ];
}

export function buildKbIndex(articles: Article[], k1 = 1.2, b = 0.75) {
  const passages = articles.flatMap(splitPassages);
  const docs = passages.map((p) => {
    const tf = new Map<string, number>();
    for (const t of tokens(p.heading ? `${p.heading} ${p.text}` : p.text, p.lang)) tf.set(t, (tf.get(t) ?? 0) + 1);
    return { p, tf, len: [...tf.values()].reduce((x, y) => x + y, 0) };
  });
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const avg = docs.reduce((s, d) => s + d.len, 0) / (docs.length || 1);
  const N = docs.length;
  const postings = new Map<string, number[]>();
  docs.forEach((d, i) => {
    for (const t of d.tf.keys()) {
      const list = postings.get(t) ?? [];
      list.push(i);
      postings.set(t, list);
    }
  });
  const sources = new Map(articles.map((a) => [a.id, a.source]));
  const firstSection = new Map<string, string>();
  for (const p of passages) if (!p.head && !firstSection.has(p.articleId)) firstSection.set(p.articleId, p.text);

  return {
    size: articles.length,
    passages: passages.length,
    search(question: string, lang: "zh" | "en", k = 3): KbHit[] {
      // A question is a sentence or two: a pasted page is looked up by its start.
      const q = [...new Set(tokens(expandQuery(question.slice(0, 500), lang), lang))];
      const scores = new Map<number, number>();
      for (const t of q) {
        const list = postings.get(t);
        if (!list) continue;
        const idf = Math.log(1 + (N - list.length + 0.5) / (list.length + 0.5));
        for (const i of list) {
          const d = docs[i]!;
          if (d.p.lang !== lang) continue;
          const f = d.tf.get(t)!;
          scores.set(i, (scores.get(i) ?? 0) + (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * d.len) / avg)));
        }
      }
      // An article's score: its best passage, plus a little for every other passage that matched.
      const best = new Map<string, { hit: KbHit; top: number; answer?: { text: string; score: number } }>();
      for (const [i, score] of [...scores].sort((a, b) => b[1] - a[1])) {
        const p = docs[i]!.p;
        const cur = best.get(p.articleId);
        if (!cur) best.set(p.articleId, { hit: { articleId: p.articleId, title: p.title, score, passage: "", source: sources.get(p.articleId) }, top: score });
        else cur.hit.score += score * 0.2;
        const entry = best.get(p.articleId)!;
        if (!p.head && !entry.answer) entry.answer = { text: p.text, score };
      }
      return [...best.values()]
        .map((e) => ({ ...e.hit, passage: e.answer?.text ?? firstSection.get(e.hit.articleId) ?? e.hit.title }))
        .sort((x, y) => y.score - x.score)
        .slice(0, k);
    },
  };
}

export type KbIndex = ReturnType<typeof buildKbIndex>;
