import { parseArgs } from "node:util";
import { evalEmotion, printEmotion } from "../eval/emotion-eval.ts";
import { loadZhModel } from "../scoring/emotion/zh-model.ts";

/**
 * npm run eval -- <what> --data <file.jsonl> [--json]
 *   emotion     message polarity (n, accuracy, macro-F1, per class, confusion, per language)
 *   compliance  rule hits against expected violations (precision/recall per kind)
 * With --json the last line is one JSON object with the headline numbers.
 */
const USAGE = "usage: npm run eval -- emotion|compliance --data <file.jsonl> [--json]";

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { data: { type: "string" }, json: { type: "boolean", default: false }, policy: { type: "string" } },
  });
  const what = positionals[0];
  if (!what || !values.data) throw new Error(USAGE);
  switch (what) {
    case "emotion": {
      const r = evalEmotion(values.data, loadZhModel());
      console.log(printEmotion(r));
      if (values.json) {
        console.log(JSON.stringify({ n: r.n, accuracy: r.accuracy, macro_f1: r.macroF1, per_class: r.perClass, by_lang: r.byLang, confusion: r.confusion, messages_per_second: r.messagesPerSecond }));
      }
      return;
    }
    default:
      throw new Error(`unknown evaluation "${what}"\n${USAGE}`);
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(2);
});
