import { setImmediate as yieldToIo, setTimeout as sleep } from "node:timers/promises";
import type { ProcessInboxEvent } from "../pipeline.ts";
import type { Logger } from "../shared/logger.ts";
import { createWorkerLoop } from "../shared/worker-loop.ts";
import type { InboxRepo } from "../storage/inbox-repo.ts";

const BATCH = 100;
/** An event that fails this often is parked as failed (kept, visible) instead of blocking the rest. */
export const INBOX_MAX_ATTEMPTS = 5;

/** While the edge is busy, processing takes at most this share of the event loop. */
export interface AckPriority {
  edgeBusy: () => boolean;
  share: number;
}

/**
 * Drains recorded events through the pipeline in arrival order. Sequential on purpose: it keeps
 * every session's messages in order within this instance (instances on one PostgreSQL also
 * take a per-conversation lock, see storage/session-lock.ts).
 */
export function createInboxWorker(inbox: InboxRepo, process: ProcessInboxEvent, pollMs: number, log: Logger, priority?: AckPriority) {
  let lastMs = 0;
  /**
   * SQLite calls resolve synchronously, so without a yield a long backlog would run entirely in
   * microtasks and starve the HTTP edge. Under a burst of requests we also pause in proportion to
   * the last event's cost: an ack is a durable write of a few hundred microseconds, processing
   * an event takes milliseconds, and acks are what Lark times.
   */
  async function makeRoomForAcks() {
    if (priority?.edgeBusy() && lastMs > 0) await sleep(Math.min(250, (lastMs * (1 - priority.share)) / priority.share));
    else await yieldToIo();
  }

  async function runOnce(): Promise<number> {
    const rows = await inbox.pending(BATCH);
    const busy = new Set<string>();
    let done = 0;
    for (const row of rows) {
      await makeRoomForAcks();
      const t0 = performance.now();
      try {
        if ((await process(row, busy)) !== "session_busy") done++;
        lastMs = performance.now() - t0;
      } catch (e) {
        const attempts = row.attempts ?? 0;
        log.error("processing an event failed; will retry", { inboxId: row.id, attempts: attempts + 1, error: e });
        await inbox.recordFailure(row.id, attempts + 1, String((e as Error)?.message ?? e), INBOX_MAX_ATTEMPTS).catch(() => {});
        // Stop this pass so a failing row is retried on the next poll, not in a hot loop.
        return 0;
      }
    }
    // Only rows another instance holds were left: wait for the next poll instead of spinning.
    return done;
  }
  const loop = createWorkerLoop("inbox worker", runOnce, pollMs, log);
  return { ...loop, runOnce };
}
