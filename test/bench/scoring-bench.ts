import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assessTurn } from "../../src/scoring/assess.ts";
import { compilePolicy, type Turn } from "../../src/scoring/compliance/engine.ts";
import { loadPolicy } from "../../src/scoring/compliance/policy-schema.ts";
import { loadZhModel } from "../../src/scoring/emotion/zh-model.ts";
import { summarize } from "./stats.ts";

const DATA = join(import.meta.dirname, "..", "..", "..", "shared", "data");

/**
 * The scoring stage alone (no LLM, no I/O), one core: each message is scored as the live
 * pipeline does it — emotion, then the compliance checks against a running conversation.
 * Messages come from the development sets (reviews and support chats, both languages),
 * alternating customer and agent turns.
 */
export function scoringBench(limit = 4000) {
  const texts = ["emotion-zh-waimai-dev.jsonl", "emotion-zh-shopping-dev.jsonl", "emotion-en-maia-dev.jsonl"].flatMap((f) =>
    readFileSync(join(DATA, f), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { text: string }).text),
  );
  const scorers = {
    policy: (() => {
      const c = compilePolicy(loadPolicy());
      return () => c;
    })(),
    zhModel: loadZhModel(),
  };
  const sample = texts.slice(0, limit);
  const turns: Turn[] = [];
  // warm-up: JIT and the segmenter's dictionaries
  for (const t of sample.slice(0, 300)) assessTurn(scorers, [{ role: "customer", text: t }], 0);
  const lat: number[] = [];
  const t0 = performance.now();
  sample.forEach((text, i) => {
    if (turns.length >= 30) turns.length = 0; // conversations of 30 turns
    turns.push({ role: i % 2 ? "agent" : "customer", text, ts: i * 5 });
    const s = performance.now();
    assessTurn(scorers, turns, turns.length - 1);
    lat.push(performance.now() - s);
  });
  const seconds = (performance.now() - t0) / 1000;
  return { messages: sample.length, perMessageMs: summarize(lat), messagesPerSecond: Math.round(sample.length / seconds) };
}
