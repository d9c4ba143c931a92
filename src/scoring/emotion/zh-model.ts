import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HASH_BITS, zhFeatures } from "./features.ts";

/**
 * The Chinese emotion model: three-class (negative / neutral / positive) logistic regression
 * over hashed features, trained by `npm run train:emotion` from ../shared/data and committed as
 * int8-quantised weights (zh-model.json). Reviews teach which way a feeling points; customers'
 * questions teach what a message without one looks like.
 */
export const CLASSES = ["negative", "neutral", "positive"] as const;
export type Polarity = (typeof CLASSES)[number];
export type ClassProbabilities = Record<Polarity, number>;

export interface ZhModel {
  predict(text: string): ClassProbabilities;
  /**
   * Calibrated from data at training time: a message whose P(some feeling) = 1 − P(neutral)
   * is below this, and which no word or rule marks as emotional, is plain (a question, a
   * request, a factual report).
   */
  plainBelow: number;
  /** The same for a message that asks (a question is weaker evidence of feeling than a statement). */
  questionPlainBelow: number;
}

export interface ZhModelFile {
  version: 2;
  hashBits: number;
  classes: readonly Polarity[];
  bias: number[];
  scale: number;
  /** base64 of Int8Array(3 × 2^hashBits), class-major: weight = int8 × scale */
  weights: string;
  plainBelow: number;
  questionPlainBelow: number;
  trainedOn: string[];
  /** What the calibration measured, for the record (printed by the trainer too). */
  calibration?: Record<string, number>;
}

export const MODEL_PATH = join(import.meta.dirname, "zh-model.json");

export function modelFromWeights(weights: Float32Array | Int8Array, bias: readonly number[], scale: number, plainBelow: number, questionPlainBelow = plainBelow): ZhModel {
  const size = 1 << HASH_BITS;
  return {
    plainBelow,
    questionPlainBelow,
    predict(text: string): ClassProbabilities {
      const z = [bias[0]!, bias[1]!, bias[2]!];
      for (const [k, v] of zhFeatures(text)) {
        z[0]! += weights[k]! * scale * v;
        z[1]! += weights[size + k]! * scale * v;
        z[2]! += weights[2 * size + k]! * scale * v;
      }
      return softmax(z);
    },
  };
}

export function softmax(z: number[]): ClassProbabilities {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e[0]! + e[1]! + e[2]!;
  return { negative: e[0]! / s, neutral: e[1]! / s, positive: e[2]! / s };
}

export function loadZhModel(path = MODEL_PATH): ZhModel {
  const file = JSON.parse(readFileSync(path, "utf8")) as ZhModelFile;
  if (file.version !== 2 || file.hashBits !== HASH_BITS) throw new Error(`${path} is not a three-class model with ${HASH_BITS} hash bits: run npm run train:emotion`);
  const buf = Buffer.from(file.weights, "base64");
  return modelFromWeights(new Int8Array(buf.buffer, buf.byteOffset, buf.byteLength), file.bias, file.scale, file.plainBelow, file.questionPlainBelow);
}
