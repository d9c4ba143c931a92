import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HASH_BITS, zhFeatures } from "../scoring/emotion/features.ts";
import { MODEL_PATH, modelFromWeights, type ZhModelFile } from "../scoring/emotion/zh-model.ts";

/**
 * npm run train:emotion — trains the Chinese polarity model from ../shared/data (the training
 * files only; dev files are for reporting) and writes src/scoring/emotion/zh-model.json.
 * Logistic regression, Adagrad, balanced classes per source so neither the 2:1 negative
 * delivery reviews nor the larger product set dominates.
 */
const DATA = join(import.meta.dirname, "..", "..", "..", "shared", "data");
const TRAIN = ["emotion-zh-waimai-train.jsonl", "emotion-zh-shopping-train.jsonl"];
const DEV = ["emotion-zh-waimai-dev.jsonl", "emotion-zh-shopping-dev.jsonl"];
const EPOCHS = Number(process.env.EPOCHS ?? 4);
const LR = Number(process.env.LR ?? 0.2);
const L2 = Number(process.env.L2 ?? 1e-5);

type Row = { text: string; y: number; w: number; feats: Map<number, number> };

function read(file: string): Array<{ text: string; label: string }> {
  return readFileSync(join(DATA, file), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

function load(file: string): Row[] {
  const rows = read(file).filter((r) => r.label === "positive" || r.label === "negative");
  const pos = rows.filter((r) => r.label === "positive").length;
  const neg = rows.length - pos;
  return rows.map((r) => ({ text: r.text, y: r.label === "positive" ? 1 : 0, w: r.label === "positive" ? rows.length / (2 * pos) : rows.length / (2 * neg), feats: zhFeatures(r.text) }));
}

function macroF1(pred: number[], gold: number[]): number {
  let f = 0;
  for (const c of [0, 1]) {
    const tp = pred.filter((p, i) => p === c && gold[i] === c).length;
    const fp = pred.filter((p, i) => p === c && gold[i] !== c).length;
    const fn = pred.filter((p, i) => p !== c && gold[i] === c).length;
    const pr = tp / (tp + fp || 1);
    const rc = tp / (tp + fn || 1);
    f += pr + rc ? (2 * pr * rc) / (pr + rc) : 0;
  }
  return f / 2;
}

const train = TRAIN.flatMap(load);
const size = 1 << HASH_BITS;
const w = new Float32Array(size);
const g2 = new Float32Array(size).fill(1e-8);
let bias = 0;
let gb = 1e-8;
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

for (let epoch = 0; epoch < EPOCHS; epoch++) {
  for (let i = train.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [train[i], train[j]] = [train[j]!, train[i]!];
  }
  let loss = 0;
  for (const r of train) {
    let z = bias;
    for (const [k, v] of r.feats) z += w[k]! * v;
    const p = 1 / (1 + Math.exp(-z));
    loss += -r.w * (r.y ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12));
    const g = r.w * (p - r.y);
    for (const [k, v] of r.feats) {
      const gk = g * v + L2 * w[k]!;
      g2[k]! += gk * gk;
      w[k]! -= (LR * gk) / Math.sqrt(g2[k]!);
    }
    gb += g * g;
    bias -= (LR * g) / Math.sqrt(gb);
  }
  console.log(`epoch ${epoch + 1}: loss ${(loss / train.length).toFixed(4)}`);
}

// Quantise to int8 around the largest weight; the model file stays well under a megabyte.
let max = 0;
for (const v of w) max = Math.max(max, Math.abs(v));
const scale = max / 127;
const q = new Int8Array(size);
for (let i = 0; i < size; i++) q[i] = Math.round(w[i]! / scale);
const model = modelFromWeights(q, bias, scale);
for (const file of DEV) {
  const rows = read(file);
  const pred = rows.map((r) => (model.predict(r.text) >= 0.5 ? 1 : 0));
  const gold = rows.map((r) => (r.label === "positive" ? 1 : 0));
  const acc = pred.filter((p, i) => p === gold[i]).length / rows.length;
  console.log(`${file}: accuracy ${acc.toFixed(4)}, macro-F1 ${macroF1(pred, gold).toFixed(4)} (quantised model, binary)`);
}
const out: ZhModelFile = { version: 1, hashBits: HASH_BITS, bias, scale, weights: Buffer.from(q.buffer).toString("base64"), trainedOn: TRAIN };
if (!process.env.DRY) {
  writeFileSync(MODEL_PATH, JSON.stringify(out));
  console.log(`wrote ${MODEL_PATH}`);
}
