import { setImmediate as yieldToIo } from "node:timers/promises";
import type { ProcessInboxEvent } from "../pipeline.ts";
import type { Logger } from "../shared/logger.ts";
import { createWorkerLoop } from "../shared/worker-loop.ts";
import type { InboxRepo } from "../storage/inbox-repo.ts";

const BATCH = 100;
/** An event that fails this often is parked as failed (kept, visible) instead of blocking the rest. */
export const INBOX_MAX_ATTEMPTS = 5;

/**
 * Drains recorded events through the pipeline in arrival order. Sequential on purpose: it keeps
 * every session's messages in order with no per-session locking.
 */
export function createInboxWorker(inbox: InboxRepo, process: ProcessInboxEvent, pollMs: number, log: Logger) {
  async function runOnce(): Promise<number> {
    const rows = await inbox.pending(BATCH);
    for (const row of rows) {
      // SQLite calls resolve synchronously, so without this a long backlog would run entirely in
      // microtasks and starve the HTTP edge: let pending requests (acks) in between events.
      await yieldToIo();
      try {
        await process(row);
      } catch (e) {
        const attempts = row.attempts ?? 0;
        log.error("processing an event failed; will retry", { inboxId: row.id, attempts: attempts + 1, error: e });
        await inbox.recordFailure(row.id, attempts + 1, String((e as Error)?.message ?? e), INBOX_MAX_ATTEMPTS).catch(() => {});
        // Stop this pass so a failing row is retried on the next poll, not in a hot loop.
        return 0;
      }
    }
    return rows.length;
  }
  const loop = createWorkerLoop("inbox worker", runOnce, pollMs, log);
  return { ...loop, runOnce };
}
