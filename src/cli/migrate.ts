import { ConfigError, loadConfig } from "../config/env.ts";
import { migrate } from "../storage/migrate.ts";

// npm run db:migrate — apply pending migrations to DATABASE_URL (start-up does the same).
try {
  const config = loadConfig();
  const applied = await migrate(config.database.url);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `migration failed: ${(e as Error).message}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
}
