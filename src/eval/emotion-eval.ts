import { z } from "zod";
import { polarityOf, scoreEmotion, type EmotionScore } from "../scoring/emotion/score-emotion.ts";
import { redactClip } from "../shared/redact.ts";
import type { ZhModel } from "../scoring/emotion/zh-model.ts";
import { classification, pct } from "./metrics.ts";
import { progress, readJsonl } from "./read-jsonl.ts";

const row = z.object({
  text: z.string(),
  label: z.enum(["negative", "neutral", "positive"]),
  lang: z.enum(["zh", "en"]).optional(),
});
const LABELS: string[] = ["negative", "neutral", "positive"];

/** Message-level evaluation of the offline emotion scorer against labelled polarity. */
export function evalEmotion(path: string, model: ZhModel) {
  const rows = readJsonl(path, row);
  const bar = progress(rows.length, "scoring");
  const pred: string[] = [];
  const scores: EmotionScore[] = [];
  const t0 = performance.now();
  rows.forEach((r, i) => {
    const s = scoreEmotion(r.text, model, r.lang);
    scores.push(s);
    pred.push(polarityOf(s));
    bar.tick(i + 1);
  });
  const seconds = (performance.now() - t0) / 1000;
  const gold = rows.map((r) => r.label);
  const overall = classification(gold, pred, LABELS);
  const byLang = Object.fromEntries(
    [...new Set(rows.map((r) => r.lang ?? "?"))].map((lang) => {
      const idx = rows.map((r, i) => ((r.lang ?? "?") === lang ? i : -1)).filter((i) => i >= 0);
      const c = classification(
        idx.map((i) => gold[i]!),
        idx.map((i) => pred[i]!),
        LABELS,
      );
      return [lang, { n: c.n, accuracy: c.accuracy, macro_f1: c.macroF1 }];
    }),
  );
  const neutral = gold.filter((g) => g === "neutral").length;
  const neutralAsNegative = neutral ? gold.filter((g, i) => g === "neutral" && pred[i] === "negative").length / neutral : null;
  // The errors a team would notice first: per gold class, the wrong answers given most strongly.
  const confidentErrors = Object.fromEntries(
    LABELS.filter((l) => (gold as string[]).includes(l)).map((l) => [
      l,
      rows
        .map((r, i) => ({ text: redactClip(r.text, 80), predicted: pred[i]!, valence: scores[i]!.valence, evidence: scores[i]!.evidence, gold: gold[i] }))
        .filter((e) => e.gold === l && e.predicted !== l)
        .sort((a, b) => Math.abs(b.valence) - Math.abs(a.valence))
        .slice(0, ERRORS_SHOWN)
        .map(({ gold: _g, ...e }) => e),
    ]),
  );
  return { ...overall, byLang, neutralAsNegative, confidentErrors, messagesPerSecond: rows.length / seconds };
}

const ERRORS_SHOWN = 5;

export function printEmotion(r: ReturnType<typeof evalEmotion>): string {
  const lines = [
    `n ${r.n}   accuracy ${pct(r.accuracy)}%   macro-F1 ${r.macroF1.toFixed(4)}   ${Math.round(r.messagesPerSecond)} messages/s`,
    "",
    "class       precision  recall     F1   support",
    ...Object.entries(r.perClass).map(([c, s]) => `${c.padEnd(10)}  ${pct(s.precision)}%   ${pct(s.recall)}%  ${s.f1.toFixed(3)}  ${String(s.support).padStart(7)}`),
    "",
    "confusion (rows: gold, columns: predicted)",
    `${"".padEnd(10)}${LABELS.map((l) => l.padStart(10)).join("")}`,
    ...LABELS.map((g) => `${g.padEnd(10)}${LABELS.map((p) => String(r.confusion[g]![p]).padStart(10)).join("")}`),
    "",
    ...(r.neutralAsNegative === null ? [] : ["", `neutral scored negative: ${pct(r.neutralAsNegative)}%`]),
    "",
    "by language",
    ...Object.entries(r.byLang).map(([l, s]) => `${l.padEnd(4)} n ${String(s.n).padStart(6)}   accuracy ${pct(s.accuracy)}%   macro-F1 ${s.macro_f1.toFixed(4)}`),
    "",
    "most confident errors (gold → predicted, valence, evidence)",
    ...Object.entries(r.confidentErrors).flatMap(([g, errs]) => errs.map((e) => `  ${g} → ${e.predicted} ${e.valence.toFixed(2)}  ${e.text}   [${e.evidence.join(" ")}]`)),
  ];
  return lines.join("\n");
}
