import { ingestBench } from "./ingest-bench.ts";
import { scoringBench } from "./scoring-bench.ts";
import { table } from "./stats.ts";

// npm run bench — every benchmark, bounded in time, loopback only. Numbers go to docs/benchmarks.md.
const quick = process.argv.includes("--quick");
const results: Record<string, unknown> = {};

console.log("\n# Ingest: signed + encrypted im.message.receive_v1 → durable inbox (SQLite, server in its own process)");
const rows = [];
for (const concurrency of quick ? [16] : [1, 16, 64]) {
  const r = await ingestBench({ events: quick ? 1000 : 5000, concurrency, chats: 200 });
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
console.log("\n# Scoring: emotion + compliance per message, no LLM, one core");
const scoring = scoringBench(quick ? 1500 : 5000);
results.scoring = scoring;
console.log(table([{ messages: scoring.messages, "p50 ms": scoring.perMessageMs.p50, "p90 ms": scoring.perMessageMs.p90, "p99 ms": scoring.perMessageMs.p99, "max ms": scoring.perMessageMs.max, "messages/s": scoring.messagesPerSecond }]));

console.log(`\n${JSON.stringify({ bench: results })}`);
