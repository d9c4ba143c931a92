import { z } from "zod";
import type { KbIndex } from "../coaching/kb-index.ts";
import { readJsonl } from "./read-jsonl.ts";

const row = z.object({ question: z.string().min(1), answer_ids: z.array(z.string()).min(1), lang: z.enum(["zh", "en"]) });

/** Retrieval quality: recall@1, recall@3 and MRR (first relevant article within the top 10), per language, and latency. */
export function evalKb(path: string, index: KbIndex) {
  const rows = readJsonl(path, row);
  const lat: number[] = [];
  const per = new Map<string, { n: number; r1: number; r3: number; mrr: number }>();
  const misses: Array<{ question: string; expected: string[]; got: string[] }> = [];
  for (const r of rows) {
    const t = performance.now();
    const hits = index.search(r.question, r.lang, 10);
    lat.push(performance.now() - t);
    const rank = hits.findIndex((h) => r.answer_ids.includes(h.articleId));
    const s = per.get(r.lang) ?? { n: 0, r1: 0, r3: 0, mrr: 0 };
    s.n++;
    if (rank === 0) s.r1++;
    if (rank >= 0 && rank < 3) s.r3++;
    else misses.push({ question: r.question, expected: r.answer_ids, got: hits.slice(0, 3).map((h) => h.articleId) });
    if (rank >= 0) s.mrr += 1 / (rank + 1);
    per.set(r.lang, s);
  }
  const sorted = [...lat].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const total = [...per.values()].reduce((a, s) => ({ n: a.n + s.n, r1: a.r1 + s.r1, r3: a.r3 + s.r3, mrr: a.mrr + s.mrr }), { n: 0, r1: 0, r3: 0, mrr: 0 });
  const frac = (s: typeof total) => ({ n: s.n, recall_at_1: s.r1 / (s.n || 1), recall_at_3: s.r3 / (s.n || 1), mrr: s.mrr / (s.n || 1) });
  return { ...frac(total), byLang: Object.fromEntries([...per].map(([l, s]) => [l, frac(s)])), latencyMs: { p50: q(0.5), p99: q(0.99) }, misses };
}

export function printKb(r: ReturnType<typeof evalKb>): string {
  const line = (name: string, s: { n: number; recall_at_1: number; recall_at_3: number; mrr: number }) =>
    `${name.padEnd(6)} n ${String(s.n).padStart(5)}   recall@1 ${s.recall_at_1.toFixed(3)}   recall@3 ${s.recall_at_3.toFixed(3)}   MRR ${s.mrr.toFixed(3)}`;
  return [
    line("all", r),
    ...Object.entries(r.byLang).map(([l, s]) => line(l, s)),
    `latency p50 ${r.latencyMs.p50.toFixed(3)} ms   p99 ${r.latencyMs.p99.toFixed(3)} ms`,
    ...(r.misses.length ? ["", "not in the top 3:", ...r.misses.slice(0, 15).map((m) => `  ${m.question}  → expected ${m.expected.join(",")}, got ${m.got.join(",")}`)] : []),
  ].join("\n");
}
