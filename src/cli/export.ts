import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/env.ts";
import { exportSessions, toCsv } from "../reports/export.ts";
import { addDays, dayRange, isDay } from "../reports/time-zone.ts";
import { openDatabase } from "../storage/db.ts";
import { migrate } from "../storage/migrate.ts";

/**
 * npm run export -- --from YYYY-MM-DD --to YYYY-MM-DD --format jsonl|csv [--out file] [--include-pii]
 * Days are local (TZ), both inclusive. JSONL lines are what `npm run eval -- sessions` reads.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      from: { type: "string" },
      to: { type: "string" },
      format: { type: "string", default: "jsonl" },
      out: { type: "string" },
      "include-pii": { type: "boolean", default: false },
      db: { type: "string" },
    },
  });
  const usage = "usage: npm run export -- --from YYYY-MM-DD --to YYYY-MM-DD --format jsonl|csv [--out file] [--include-pii]";
  if (!values.from || !values.to || !isDay(values.from) || !isDay(values.to) || !["jsonl", "csv"].includes(values.format!)) throw new Error(usage);
  const config = loadConfig();
  const url = values.db ?? config.database.url;
  await migrate(url);
  const db = openDatabase(url);
  try {
    const rows = await exportSessions(db, {
      from: dayRange(values.from, config.env.TZ).start,
      to: dayRange(addDays(values.to, 0), config.env.TZ).end,
      includePii: values["include-pii"]!,
    });
    const text = values.format === "csv" ? toCsv(rows) : rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "");
    if (values.out) {
      writeFileSync(values.out, text);
      console.error(`${rows.length} sessions → ${values.out}${values["include-pii"] ? " (PII included)" : " (PII redacted)"}`);
    } else process.stdout.write(text);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : (e as Error).message);
  process.exit(2);
});
