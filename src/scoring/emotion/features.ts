import { normalizeText, segmentZh } from "../text.ts";

/**
 * Sparse features for the Chinese polarity model, hashed into a fixed table so the weights
 * are a flat array: character 1–3-grams (robust to segmentation and typos) and word uni- and
 * bigrams (meaning). Training and scoring share this one function.
 */
export const HASH_BITS = 19;
const MASK = (1 << HASH_BITS) - 1;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Digits carry no polarity; collapsing them keeps "等了2小时" and "等了3小时" one feature. */
const prepare = (text: string) => normalizeText(text).replace(/\d+/g, "0");

export function zhFeatures(text: string): Map<number, number> {
  const t = prepare(text);
  const feats = new Map<number, number>();
  const add = (key: string) => {
    const h = fnv1a(key) & MASK;
    feats.set(h, (feats.get(h) ?? 0) + 1);
  };
  const chars = [...t.replace(/\s+/g, "")];
  for (let i = 0; i < chars.length; i++) {
    add(`c1${chars[i]}`);
    if (i + 1 < chars.length) add(`c2${chars[i]}${chars[i + 1]}`);
    if (i + 2 < chars.length) add(`c3${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  }
  const words = segmentZh(t);
  for (let i = 0; i < words.length; i++) {
    add(`w1${words[i]}`);
    if (i + 1 < words.length) add(`w2${words[i]}|${words[i + 1]}`);
  }
  // Binary presence, scaled by length so long reviews and short chats weigh alike.
  const norm = 1 / Math.sqrt(feats.size || 1);
  for (const k of feats.keys()) feats.set(k, norm);
  return feats;
}
