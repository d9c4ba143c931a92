import type { Config } from "../config/env.ts";
import { createEdgeLoad } from "../edge/edge-load.ts";
import { buildCore, type StartOverrides, watchLarkCredentials } from "./core.ts";
import { startHttp } from "./http.ts";
import { buildWorkers } from "./workers.ts";

export type { StartOverrides };

/**
 * The composition root: the core (config, database, repositories, policy, senders), then the
 * workers, then the HTTP edge. Returns a handle whose stop() drains in-flight work before
 * closing the database.
 */
export async function startCsCoach(config: Config, o: StartOverrides = {}) {
  const core = await buildCore(config, o);
  const { env, log, db } = core;
  // The edge's load, shared: under a burst of requests processing gives way to acks.
  const edgeLoad = createEdgeLoad(env.MAX_IN_FLIGHT_REQUESTS, log.child({ component: "http" }));
  const workers = buildWorkers(core, o, edgeLoad.busy);
  const http = await startHttp(core, workers, edgeLoad);
  if (o.startWorkers !== false) workers.start();
  log.info("CS Coach started", {
    port: http.port,
    dryRun: config.dryRun,
    eventMode: env.LARK_EVENT_MODE,
    db: db.provider,
    llm: core.llm ? core.llm.model : "off",
    // Where people open the console (in dry-run: from this machine, without Lark).
    console: `${env.PUBLIC_URL ?? `http://localhost:${http.port}`}/console`,
  });

  let stopping: Promise<void> | undefined;
  watchLarkCredentials(core, () => stopping !== undefined);
  return {
    port: http.port,
    url: `http://127.0.0.1:${http.port}`,
    /** The database, for reading what the bot stored (tests assert on it; nothing else writes through here). */
    db,
    workers: { runOnce: workers.runOnce, kick: workers.kick, start: workers.start, stop: workers.stop },
    log,
    /** Graceful: stop taking requests, let in-flight requests and worker passes finish, then close. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        await http.close();
        await workers.stop();
        core.scorers.close?.();
        await core.live.close();
        await db.close();
        log.info("CS Coach stopped");
      })();
      return stopping;
    },
  };
}

export type CsCoach = Awaited<ReturnType<typeof startCsCoach>>;
