import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HASH_BITS, zhFeatures } from "./features.ts";

/**
 * The Chinese polarity model: logistic regression over hashed features, trained by
 * `npm run train:emotion` from the labelled review sets in ../shared/data and committed as
 * int8-quantised weights (zh-model.json). Returns P(positive).
 */
export interface ZhModel {
  predict(text: string): number;
}

export interface ZhModelFile {
  version: number;
  hashBits: number;
  bias: number;
  scale: number;
  /** base64 of Int8Array(2^hashBits): weight = int8 * scale */
  weights: string;
  trainedOn: string[];
}

export const MODEL_PATH = join(import.meta.dirname, "zh-model.json");

export function modelFromWeights(weights: Float32Array | Int8Array, bias: number, scale = 1): ZhModel {
  return {
    predict(text: string): number {
      let z = bias;
      for (const [k, v] of zhFeatures(text)) z += weights[k]! * scale * v;
      return 1 / (1 + Math.exp(-z));
    },
  };
}

export function loadZhModel(path = MODEL_PATH): ZhModel {
  const file = JSON.parse(readFileSync(path, "utf8")) as ZhModelFile;
  if (file.hashBits !== HASH_BITS) throw new Error(`zh-model.json was trained with ${file.hashBits} hash bits, code expects ${HASH_BITS}: run npm run train:emotion`);
  const buf = Buffer.from(file.weights, "base64");
  return modelFromWeights(new Int8Array(buf.buffer, buf.byteOffset, buf.byteLength), file.bias, file.scale);
}
