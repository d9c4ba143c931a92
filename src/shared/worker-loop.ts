import type { Logger } from "./logger.ts";

/**
 * Runs `runOnce` again and again: straight away while it finds work, then every pollMs, or as
 * soon as kick() says new work arrived. Never two runs at once; stop() waits for the current one,
 * which is how shutdown drains in-flight work.
 */
export type WorkerLoop = ReturnType<typeof createWorkerLoop>;

export function createWorkerLoop(name: string, runOnce: () => Promise<number>, pollMs: number, log: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  function schedule(ms: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref?.();
  }

  function tick() {
    if (stopped) return;
    if (current) {
      again = true;
      return;
    }
    current = (async () => {
      let busy = false;
      try {
        busy = (await runOnce()) > 0;
      } catch (e) {
        log.error(`${name} run failed`, { error: e });
      } finally {
        current = undefined;
      }
      const next = busy || again;
      again = false;
      schedule(next ? 0 : pollMs);
    })();
  }

  return {
    name,
    /** One pass by hand (tests, the replay CLI): what the loop runs, without the loop. */
    runOnce,
    start() {
      stopped = false;
      schedule(0);
    },
    kick() {
      if (!stopped) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
