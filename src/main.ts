import { existsSync } from "node:fs";
import { ConfigError, loadConfig, StartupError } from "./config/env.ts";
import { startCsCoach } from "./app/start.ts";

// Entry point for `npm start`: read the configuration once, start, and stop cleanly on signals.
// A .env file is optional; values already in the environment win over it.
if (existsSync(".env")) process.loadEnvFile(".env");
try {
  const coach = await startCsCoach(loadConfig());
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1); // a second Ctrl-C means "now"
    coach.log.info("shutting down", { signal });
    coach.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
} catch (e) {
  // Start-up problems are the operator's to fix: say which, in a line, never a stack trace.
  if (e instanceof ConfigError || e instanceof StartupError) {
    console.error(e.message);
    process.exit(2);
  }
  console.error(`start-up failed: ${String((e as Error)?.message ?? e).split("\n")[0]}`);
  process.exit(1);
}
