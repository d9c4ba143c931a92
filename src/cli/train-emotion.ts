import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HASH_BITS, zhFeatures } from "../scoring/emotion/features.ts";
import { polarityOf, scoreEmotion } from "../scoring/emotion/score-emotion.ts";
import { CLASSES, MODEL_PATH, modelFromWeights, softmax, type Polarity, type ZhModelFile } from "../scoring/emotion/zh-model.ts";
import { classification } from "../eval/metrics.ts";
import { feelingIn } from "../scoring/emotion/lexicon-zh.ts";
import { normalizeText } from "../scoring/text.ts";
import { shopChat, shopQuestions } from "./training/shop-chat.ts";

/**
 * npm run train:emotion — trains the Chinese three-class emotion model from ../shared/data and
 * writes src/scoring/emotion/zh-model.json (DRY=1: report only).
 *
 * - negative / positive: the review training files, classes balanced per source so neither the
 *   2:1 negative delivery reviews nor the larger product set dominates;
 * - neutral: real customer-service questions (unlabelled; 96 % neutral in their labelled sample),
 *   four in five for training, every fifth held back to check the neutral rate on unseen ones.
 * Softmax regression with Adagrad over the hashed features the scorer uses, int8-quantised.
 *
 * Calibration: the scorer calls a message plain when nothing in it marks a feeling and the
 * model's P(feeling) is below `plainBelow` (`questionPlainBelow` for a message that asks). The
 * pair is chosen on the labelled live-chat development set: among pairs that keep negative
 * recall ≥ 0.8 and the neutral-scored-negative rate ≤ 5 % (or, failing that, recall ≥ 0.8
 * alone), the plainest within 0.005 of the best objective: the mean of the live-chat macro-F1
 * and the review development sets' mean macro-F1.
 */
const DATA = join(import.meta.dirname, "..", "..", "..", "shared", "data");
const REVIEWS = ["emotion-zh-waimai-train.jsonl", "emotion-zh-shopping-train.jsonl"];
const QUESTIONS = "customer-questions-zh-unlabelled.jsonl";
const LIVECHAT = "emotion-zh-livechat-dev.jsonl";
const REPORT = ["emotion-zh-waimai-dev.jsonl", "emotion-zh-shopping-dev.jsonl", LIVECHAT];
/** --dry: train and report without writing the model; --half=0|1: see agentSentences. */
const DRY = process.argv.includes("--dry");
const halfArg = process.argv.find((a) => a.startsWith("--half="));
const HALF = halfArg ? Number(halfArg.slice(7)) : undefined;
const EPOCHS = 4;
const LR = 0.2;
const L2 = 1e-5;
/** The neutral examples' total weight, as a share of the reviews' total weight. */
const NEUTRAL_SHARE = 0.5;

type Row = { y: number; w: number; feats: Map<number, number> };
type Labelled = { text: string; label: Polarity };

function read(file: string): Labelled[] {
  return readFileSync(join(DATA, file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The BQ export keeps stray control characters and quotes at the start of some questions. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const clean = (t: string) => t.replace(/^[\u0000-\u001f'"\s]+/, "");

function reviews(file: string): Row[] {
  const rows = read(file).filter((r) => r.label !== "neutral");
  const pos = rows.filter((r) => r.label === "positive").length;
  const neg = rows.length - pos;
  return rows.map((r) => ({ y: CLASSES.indexOf(r.label), w: r.label === "positive" ? rows.length / (2 * pos) : rows.length / (2 * neg), feats: zhFeatures(r.text) }));
}

let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

function train(rows: Row[]) {
  const size = 1 << HASH_BITS;
  const w = new Float32Array(3 * size);
  const g2 = new Float32Array(3 * size).fill(1e-8);
  const bias = [0, 0, 0];
  const gb = [1e-8, 1e-8, 1e-8];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    let loss = 0;
    for (const r of rows) {
      const z = [bias[0]!, bias[1]!, bias[2]!];
      for (const [k, v] of r.feats) for (let c = 0; c < 3; c++) z[c]! += w[c * size + k]! * v;
      const p = softmax(z);
      const pc = [p.negative, p.neutral, p.positive];
      loss -= r.w * Math.log(pc[r.y]! + 1e-12);
      for (let c = 0; c < 3; c++) {
        const g = r.w * (pc[c]! - (c === r.y ? 1 : 0));
        for (const [k, v] of r.feats) {
          const i = c * size + k;
          const gk = g * v + L2 * w[i]!;
          g2[i]! += gk * gk;
          w[i]! -= (LR * gk) / Math.sqrt(g2[i]!);
        }
        gb[c]! += g * g;
        bias[c]! -= (LR * g) / Math.sqrt(gb[c]!);
      }
    }
    console.log(`epoch ${epoch + 1}: loss ${(loss / rows.length).toFixed(4)}`);
  }
  // One scale for all three classes, around the largest weight: the file stays about a megabyte.
  let max = 0;
  for (const v of w) max = Math.max(max, Math.abs(v));
  const scale = max / 127;
  const q = new Int8Array(3 * size);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(w[i]! / scale);
  return { q, bias, scale };
}

/**
 * Helpdesk agents' sentences from the STC-3 threads: neutral, chat-shaped text about the same
 * products and faults customers report (phones, broadband, bills). They teach the model that a
 * fault's vocabulary is not a feeling. Sentences with thanks, apology or any feeling word are
 * left out (an apology is not neutral text, and thanks are not).
 */
const SESSIONS = "sessions-zh-stc3-dev.jsonl";
function agentSentences(): string[] {
  const out = new Set<string>();
  const lines = readFileSync(join(DATA, SESSIONS), "utf8").split("\n").filter(Boolean);
  // --half=0|1: only every other thread (for a check on threads the model never saw).
  for (const line of lines.filter((_, i) => HALF === undefined || i % 2 === HALF)) {
    const s = JSON.parse(line) as { messages: Array<{ role: string; text: string }> };
    for (const m of s.messages) {
      if (m.role !== "agent") continue;
      for (const part of m.text.split(/[。！？!?；;\n]+/)) {
        const t = part.trim();
        if (t.length >= 6 && !feelingIn(normalizeText(t)) && !/抱歉|歉意|不便|不愉快|谢|感谢|亲爱|喜欢|祝/.test(t)) out.add(t);
      }
    }
  }
  return [...out];
}

const questions = [
  ...new Set(
    read(QUESTIONS)
      .map((r) => clean(r.text))
      .filter(Boolean),
  ),
];
const heldBack = questions.filter((_, i) => i % 5 === 0);
const neutralTrain = [...questions.filter((_, i) => i % 5 !== 0), ...agentSentences(), ...shopChat(3000), ...shopQuestions(4000)];
console.log(`neutral examples: ${neutralTrain.length}`);
const reviewRows = REVIEWS.flatMap(reviews);
const reviewWeight = reviewRows.reduce((s, r) => s + r.w, 0);
const rows: Row[] = [...reviewRows, ...neutralTrain.map((text) => ({ y: 1, w: (NEUTRAL_SHARE * reviewWeight) / neutralTrain.length, feats: zhFeatures(text) }))];
const { q, bias, scale } = train(rows);

function measure([plainBelow, questionPlainBelow]: readonly [number, number], file: string) {
  const model = modelFromWeights(q, bias, scale, plainBelow, questionPlainBelow);
  const data = read(file);
  const pred = data.map((r) => polarityOf(scoreEmotion(r.text, model, "zh")));
  const gold = data.map((r) => r.label);
  const c = classification(gold, pred, [...CLASSES]);
  const neutral = gold.filter((g) => g === "neutral").length;
  const neutralAsNegative = neutral ? gold.filter((g, i) => g === "neutral" && pred[i] === "negative").length / neutral : 0;
  return { macroF1: c.macroF1, negativeRecall: c.perClass.negative?.recall ?? 0, neutralAsNegative };
}

const grid = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
const candidates = grid.flatMap((p) => grid.filter((qp) => qp >= p).map((qp) => [p, qp] as const));
// The objective: live chat and the reviews alike (the mean of live-chat macro-F1 and the reviews'
// mean macro-F1), so a threshold that helps chat by silencing reviews is not chosen.
const REVIEW_DEV = REPORT.filter((f) => f !== LIVECHAT);
const measured = candidates.map((t) => {
  const chat = measure(t, LIVECHAT);
  const reviews = REVIEW_DEV.map((f) => measure(t, f).macroF1);
  return { t, ...chat, objective: (chat.macroF1 + reviews.reduce((a, b) => a + b, 0) / reviews.length) / 2 };
});
for (const m of measured)
  console.log(
    `plainBelow ${m.t[0]} (questions ${m.t[1]}): live-chat macro-F1 ${m.macroF1.toFixed(3)}, negative recall ${m.negativeRecall.toFixed(3)}, neutral scored negative ${(m.neutralAsNegative * 100).toFixed(1)} %, objective ${m.objective.toFixed(4)}`,
  );
// Within 0.005 of the best objective, the plainer pair wins (higher thresholds, questions first):
// the rubric's "when torn between neutral and another label, choose neutral", and a margin
// against fitting the development sets.
const best = (list: typeof measured) => {
  const top = Math.max(...list.map((m) => m.objective));
  return list.filter((m) => m.objective >= top - 0.005).sort((a, b) => b.t[1] - a.t[1] || b.t[0] - a.t[0])[0];
};
const chosen = best(measured.filter((m) => m.negativeRecall >= 0.8 && m.neutralAsNegative <= 0.05)) ?? best(measured.filter((m) => m.negativeRecall >= 0.8)) ?? best(measured)!;
console.log(`plainBelow chosen: ${chosen.t[0]}, for questions ${chosen.t[1]}`);

const model = modelFromWeights(q, bias, scale, ...chosen.t);
const heldBackNegative = heldBack.filter((t) => polarityOf(scoreEmotion(t, model, "zh")) === "negative").length / heldBack.length;
console.log(`held-back customer questions (${heldBack.length}) scored negative: ${(heldBackNegative * 100).toFixed(1)} %`);
const calibration: Record<string, number> = { heldBackQuestionsNegative: heldBackNegative };
for (const file of REPORT) {
  const m = measure(chosen.t, file);
  console.log(
    `${file}: macro-F1 ${m.macroF1.toFixed(4)}, negative recall ${m.negativeRecall.toFixed(3)}${file === LIVECHAT ? `, neutral scored negative ${(m.neutralAsNegative * 100).toFixed(1)} %` : ""}`,
  );
  calibration[file.replace(/^emotion-zh-|\.jsonl$/g, "")] = Math.round(m.macroF1 * 1e4) / 1e4;
}
const out: ZhModelFile = {
  version: 2,
  hashBits: HASH_BITS,
  classes: CLASSES,
  bias,
  scale,
  weights: Buffer.from(q.buffer).toString("base64"),
  plainBelow: chosen.t[0],
  questionPlainBelow: chosen.t[1],
  trainedOn: [...REVIEWS, QUESTIONS, `${SESSIONS} (agents' sentences)`, "src/cli/training/shop-chat.ts"],
  calibration,
};
if (!DRY) {
  writeFileSync(MODEL_PATH, JSON.stringify(out));
  console.log(`wrote ${MODEL_PATH}`);
}
