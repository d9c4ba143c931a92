import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildKbIndex } from "../../src/coaching/kb-index.ts";
import { DEFAULT_KB_PATH, loadKb, type Article } from "../../src/coaching/kb-load.ts";
import { summarize } from "./stats.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "kb");

/**
 * KB lookup latency over a knowledge base of `size` articles: the sample articles plus
 * generated variants (each a product-specific copy, as real KBs repeat policies per product),
 * queried with the development questions.
 */
export function kbBench(size = 5000) {
  const base = loadKb(DEFAULT_KB_PATH);
  const products = ["手机", "耳机", "外套", "冰箱", "咖啡机", "跑鞋", "台灯", "背包", "phone", "headphones", "jacket", "fridge", "coffee maker", "running shoes", "lamp", "backpack"];
  const articles: Article[] = [...base];
  for (let i = 0; articles.length < size; i++) {
    const a = base[i % base.length]!;
    const p = products[i % products.length]!;
    articles.push({ ...a, id: `${a.id}-v${i}`, title: `${a.title}（${p} #${i}）`, body: `${a.body}\n\n## ${p}\n${p} ${i} ${a.lang === "zh" ? "专属说明" : "specific notes"}` });
  }
  const t0 = performance.now();
  const index = buildKbIndex(articles);
  const buildMs = performance.now() - t0;
  const questions = ["zh", "en"].flatMap((l) =>
    readFileSync(join(FIXTURES, `questions-${l}.jsonl`), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((x) => JSON.parse(x) as { question: string; lang: "zh" | "en" }),
  );
  for (const q of questions.slice(0, 50)) index.search(q.question, q.lang, 3); // warm-up
  const lat = questions.map((q) => {
    const s = performance.now();
    index.search(q.question, q.lang, 3);
    return performance.now() - s;
  });
  return { articles: articles.length, passages: index.passages, buildMs: Math.round(buildMs), lookupMs: summarize(lat) };
}
