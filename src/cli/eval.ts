import { parseArgs } from "node:util";
import { evalCompliance, printCompliance } from "../eval/compliance-eval.ts";
import { evalEmotion, printEmotion } from "../eval/emotion-eval.ts";
import { evalSessions, printSessions } from "../eval/sessions-eval.ts";
import { evalFeedback, printFeedback } from "../eval/feedback-eval.ts";
import { evalKb, printKb } from "../eval/kb-eval.ts";
import { printShadow, shadowPolicy } from "../eval/shadow-eval.ts";
import { buildKbIndex } from "../coaching/kb-index.ts";
import { DEFAULT_KB_PATH, loadKb } from "../coaching/kb-load.ts";
import { loadConfig } from "../config/env.ts";
import { openDatabase } from "../storage/db.ts";
import { migrate } from "../storage/migrate.ts";
import { compilePolicy } from "../scoring/compliance/engine.ts";
import { loadPolicy } from "../scoring/compliance/policy-schema.ts";
import { loadZhModel } from "../scoring/emotion/zh-model.ts";

/**
 * npm run eval -- <what> --data <file.jsonl> [--json]
 *   emotion     message polarity (n, accuracy, macro-F1, per class, confusion, per language)
 *   compliance  rule hits against expected violations (precision/recall per kind)
 *   sessions    "needs a supervisor": an alert at any point of a replayed session
 *   kb          knowledge-base retrieval: recall@1, recall@3, MRR, latency (--kb, default the sample KB)
 *   feedback    over the database: how supervisors judged the alerts (precision)
 *   shadow      over the database: stored sessions replayed under the policy in force
 *               (POLICY_FILE, else the shipped one) and under --policy <candidate.json>:
 *               per rule, hits added and removed with examples; alerts; hints; QA scores
 * With --json the last line is one JSON object with the headline numbers.
 */
const USAGE =
  "usage: npm run eval -- emotion|compliance|sessions|kb --data <file.jsonl> [--json] [--policy <policy.json>] [--kb <dir|csv|json>]\n       npm run eval -- feedback [--db <DATABASE_URL>] [--since <ISO date>] [--json]\n       npm run eval -- shadow --policy <candidate.json> [--db <DATABASE_URL>] [--since <ISO date>] [--json]";

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { kb: { type: "string" }, data: { type: "string" }, json: { type: "boolean", default: false }, policy: { type: "string" }, db: { type: "string" }, since: { type: "string" } },
  });
  const what = positionals[0];
  if (what === "feedback") {
    // Over the database the bot logs to (DATABASE_URL, or --db).
    const url = values.db ?? loadConfig().database.url;
    await migrate(url);
    const db = openDatabase(url);
    try {
      const r = await evalFeedback(db, values.since ? new Date(values.since) : undefined);
      console.log(printFeedback(r));
      if (values.json)
        console.log(
          JSON.stringify({
            alerts: r.alerts,
            judged: r.judged,
            precision: r.precision,
            taken_over: r.take_over,
            acknowledged: r.acknowledge,
            false_alarm: r.false_alarm,
            snoozed: r.snooze,
            by_detector: r.byDetector,
          }),
        );
    } finally {
      await db.close();
    }
    return;
  }
  if (what === "shadow") {
    if (!values.policy) throw new Error(USAGE);
    const config = loadConfig();
    const url = values.db ?? config.database.url;
    const current = compilePolicy(loadPolicy(config.env.POLICY_FILE));
    const candidate = compilePolicy(loadPolicy(values.policy));
    await migrate(url);
    const db = openDatabase(url);
    try {
      const r = await shadowPolicy(db, { current, candidate, zhModel: loadZhModel(), since: values.since ? new Date(values.since) : undefined });
      console.log(printShadow(r));
      if (values.json) console.log(JSON.stringify(r));
    } finally {
      await db.close();
    }
    return;
  }
  if (!what || !values.data) throw new Error(USAGE);
  switch (what) {
    case "emotion": {
      const r = evalEmotion(values.data, loadZhModel());
      console.log(printEmotion(r));
      if (values.json) {
        console.log(
          JSON.stringify({
            n: r.n,
            accuracy: r.accuracy,
            macro_f1: r.macroF1,
            per_class: r.perClass,
            by_lang: r.byLang,
            confusion: r.confusion,
            neutral_as_negative: r.neutralAsNegative,
            confident_errors: r.confidentErrors,
            messages_per_second: r.messagesPerSecond,
          }),
        );
      }
      return;
    }
    case "compliance": {
      const r = evalCompliance(values.data, compilePolicy(loadPolicy(values.policy)), loadZhModel());
      console.log(printCompliance(r));
      if (values.json) {
        const per_kind = Object.fromEntries(r.perKind.map((k) => [k.kind, { precision: k.precision, recall: k.recall, tp: k.tp, fp: k.fp, fn: k.fn }]));
        console.log(JSON.stringify({ n: r.n, precision: r.precision, recall: r.recall, f1: r.f1, per_kind, mean_qa: r.meanQa }));
      }
      return;
    }
    case "sessions": {
      const policy = compilePolicy(loadPolicy(values.policy));
      const r = evalSessions(values.data, { policy: () => policy, zhModel: loadZhModel() });
      console.log(printSessions(r));
      if (values.json) {
        console.log(
          JSON.stringify({
            n: r.n,
            precision: r.precision,
            recall: r.recall,
            f1: r.f1,
            mean_delay_turns: r.meanDelayTurns,
            alerts_per_100: r.alertsPer100,
            alerts_per_100_calm: r.alertsPer100Calm,
            first_alert_index_median: r.firstAlertIndexMedian,
            first_alert_share_median: r.firstAlertShareMedian,
            tp: r.tp,
            fp: r.fp,
            fn: r.fn,
            tn: r.tn,
            by_detector: r.byDetector,
          }),
        );
      }
      return;
    }
    case "kb": {
      const index = buildKbIndex(loadKb(values.kb ?? DEFAULT_KB_PATH));
      const r = evalKb(values.data, index);
      console.log(printKb(r));
      if (values.json) console.log(JSON.stringify({ n: r.n, recall_at_1: r.recall_at_1, recall_at_3: r.recall_at_3, mrr: r.mrr, by_lang: r.byLang, latency_ms: r.latencyMs }));
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
