import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/env.ts";
import { createLogger } from "../shared/logger.ts";
import { systemClock } from "../shared/clock.ts";
import { createStandupJob, standupConfig } from "../reports/standup-job.ts";
import { addDays, isDay, localDay } from "../reports/time-zone.ts";
import { loadPolicy } from "../scoring/compliance/policy-schema.ts";
import { openDatabase } from "../storage/db.ts";
import { migrate } from "../storage/migrate.ts";
import { hostname } from "node:os";
import { LESSONS_DIR, loadLessons } from "../coaching/lessons.ts";

/**
 * npm run report -- standup [--date YYYY-MM-DD] [--dry-run]
 * Builds the stand-up for a day (default yesterday, local) from DATABASE_URL and prints it.
 * Without --dry-run it claims the day and queues the card in the outbox: the running bot
 * delivers it (or the next one to start). A day is posted once.
 */
async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { date: { type: "string" }, "dry-run": { type: "boolean", default: false } } });
  if (positionals[0] !== "standup" || (values.date && !isDay(values.date))) throw new Error("usage: npm run report -- standup [--date YYYY-MM-DD] [--dry-run]");
  const config = loadConfig();
  const { env } = config;
  await migrate(config.database.url);
  const db = openDatabase(config.database.url);
  try {
    const policy = loadPolicy(env.POLICY_FILE);
    const lessons = loadLessons([LESSONS_DIR, ...(env.LESSONS_DIR ? [env.LESSONS_DIR] : [])]);
    const job = createStandupJob({
      db,
      cfg: standupConfig(
        env,
        () => policy,
        (id, lang) => lessons.get(id, lang)?.title,
      ),
      clock: systemClock,
      installedAt: new Date(0), // run by hand: any day may be asked for
      instance: `${hostname()}:${process.pid} (cli)`,
      log: createLogger("warn"),
    });
    const day = values.date ?? addDays(localDay(new Date(), env.TZ), -1);
    const r = await job.run(day, { dryRun: values["dry-run"]! });
    console.log(r.narrative.sentences.join("\n"));
    console.log("");
    console.log(JSON.stringify(r.card, null, 2));
    console.error(`\n${day}: ${r.posted ? "queued for STANDUP_CHAT_ID" : `not posted (${r.reason})`}`);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : (e as Error).message);
  process.exit(2);
});
