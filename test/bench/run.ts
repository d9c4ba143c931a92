import { alertBench } from "./alert-bench.ts";
import { ingestBench } from "./ingest-bench.ts";
import { scoringBench } from "./scoring-bench.ts";
import { kbBench } from "./kb-bench.ts";
import { table } from "./stats.ts";

// npm run bench — every benchmark, bounded in time, loopback only. Numbers go to docs/benchmarks.md.
const quick = process.argv.includes("--quick");
const results: Record<string, unknown> = {};

console.log("\n# Ingest: signed + encrypted im.message.receive_v1 → durable inbox (SQLite, server in its own process)");
const rows = [];
for (const concurrency of quick ? [16, 64] : [1, 16, 64]) {
  const r = await ingestBench({ events: quick ? 1000 : 3000, concurrency, chats: 200 });
  results[`ingest_c${concurrency}`] = r;
  rows.push({
    concurrency,
    events: r.events,
    errors: r.errors,
    "acks/s": r.ackPerSecond,
    "ack p50 ms": r.ackLatencyMs.p50,
    "ack p99 ms": r.ackLatencyMs.p99,
    "ack max ms": r.ackLatencyMs.max,
    "stored/s": r.storedPerSecond,
  });
}
console.log(table(rows));

console.log("\n# Ratio to a bare express server answering the same requests (c=64), and memory with 10,000 open sessions");
const bare = await ingestBench({ events: quick ? 1000 : 3000, concurrency: 64, chats: 200, bare: true });
const ours = results.ingest_c64 as { ackPerSecond: number } | undefined;
const many = await ingestBench({ events: quick ? 2000 : 10_000, concurrency: 64, chats: quick ? 2000 : 10_000 });
results.bare_express_c64 = bare;
results.open_sessions = many;
console.log(table([
  { server: "bare express", "acks/s": bare.ackPerSecond, "ack p99 ms": bare.ackLatencyMs.p99, "ratio (ours / bare)": ours ? (ours.ackPerSecond / bare.ackPerSecond).toFixed(3) : "—", "RSS MB": bare.rssMb ?? "—" },
  { server: `CS Coach, ${many.events} sessions`, "acks/s": many.ackPerSecond, "ack p99 ms": many.ackLatencyMs.p99, "ratio (ours / bare)": (many.ackPerSecond / bare.ackPerSecond).toFixed(3), "RSS MB": many.rssMb ?? "—" },
]));
console.log("\n# Scoring: emotion + compliance per message, no LLM, one core");
const scoring = scoringBench(quick ? 1500 : 5000);
results.scoring = scoring;
console.log(table([{ messages: scoring.messages, "p50 ms": scoring.perMessageMs.p50, "p90 ms": scoring.perMessageMs.p90, "p99 ms": scoring.perMessageMs.p99, "max ms": scoring.perMessageMs.max, "messages/s": scoring.messagesPerSecond }]));

console.log("\n# Knowledge base: lookup over 5,000 articles (400 development questions)");
const kbr = kbBench(5000);
results.kb = kbr;
console.log(table([{ articles: kbr.articles, passages: kbr.passages, "index build ms": kbr.buildMs, "p50 ms": kbr.lookupMs.p50, "p99 ms": kbr.lookupMs.p99, "max ms": kbr.lookupMs.max }]));

console.log("\n# Alerts: abnormal message → card at the (fake) Lark API, concurrent sessions, server in its own process");
const alertRows = [];
const alertRuns: Array<[number, number, boolean]> = quick ? [[10, 5, true], [10, 50, false]] : [[30, 5, true], [10, 50, false], [20, 50, false], [50, 50, false], [50, 5, false]];
for (const [sessions, qps, sequential] of alertRuns) {
  const r = await alertBench({ sessions, perTargetQps: qps, sequential });
  results[`alerts_${sessions}_${sequential ? "one_at_a_time" : "concurrent"}_qps${qps}`] = r;
  alertRows.push({ sessions: r.sessions, mode: sequential ? "one at a time" : "concurrent", "chat QPS limit": r.perTargetQps, "p50 ms": r.alertLatencyMs.p50, "p90 ms": r.alertLatencyMs.p90, "p99 ms": r.alertLatencyMs.p99, "max ms": r.alertLatencyMs.max });
}
console.log(table(alertRows));

console.log(`\n${JSON.stringify({ bench: results })}`);
