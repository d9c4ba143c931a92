import { setImmediate as yieldToIo, setTimeout as sleep } from "node:timers/promises";
import type { ProcessBatch } from "./pipeline.ts";
import type { Logger } from "../shared/logger.ts";
import { createWorkerLoop } from "../shared/worker-loop.ts";
import type { InboxRepo } from "../storage/inbox-repo.ts";

const BATCH = 100;
/**
 * Events per transaction (group commit). Bigger batches commit less often; on SQLite a batch
 * also holds the one write lock the edge's acks wait for, so it stays a few milliseconds long.
 */
const PER_COMMIT = 20;
/** While requests are in flight: shorter batches, so an ack never waits behind a long one. */
const PER_COMMIT_UNDER_LOAD = 4;
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
export function createInboxWorker(inbox: InboxRepo, process: ProcessBatch, pollMs: number, log: Logger, priority?: AckPriority, now: () => number = () => performance.now()) {
  let lastMs = 0;
  /** A row that failed waits this long before its next try (and holds its conversation back meanwhile). */
  const RETRY_AFTER_MS = 1_000;
  const retryAt = new Map<number, { at: number; key?: string }>();
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

  /**
   * One pass over pending events, in order. A failing event is retried a little later, up to
   * INBOX_MAX_ATTEMPTS times, then parked as failed; meanwhile only its own conversation waits
   * (its later events are skipped, to keep their order) — every other conversation goes on.
   */
  async function runOnce(): Promise<number> {
    const rows = await inbox.pending(BATCH);
    const busy = new Set<string>();
    let done = 0;
    const t = now();
    for (const [id, r] of retryAt) {
      if (r.at <= t) retryAt.delete(id);
      else if (r.key) busy.add(r.key);
    }
    const due = rows.filter((r) => !retryAt.has(r.id));
    for (let i = 0; i < due.length; ) {
      await makeRoomForAcks();
      const t0 = performance.now();
      const chunk = due.slice(i, i + (priority?.edgeBusy() ? PER_COMMIT_UNDER_LOAD : PER_COMMIT));
      i += chunk.length;
      const results = await process(chunk, busy);
      // The pause before the next batch (under a burst of requests) is in proportion to this one.
      lastMs = performance.now() - t0;
      for (const { row, outcome, error } of results) {
        if (!error) {
          if (outcome !== "session_busy") done++;
          continue;
        }
        const attempts = (row.attempts ?? 0) + 1;
        const key = error.sessionKey;
        const parked = attempts >= INBOX_MAX_ATTEMPTS;
        log.error(parked ? "processing an event failed for good; parked" : "processing an event failed; will retry", { inboxId: row.id, attempts, error: error.original });
        await inbox.recordFailure(row.id, attempts, String((error.original as Error)?.message ?? error.original), INBOX_MAX_ATTEMPTS).catch(() => {});
        if (!parked) {
          retryAt.set(row.id, { at: now() + RETRY_AFTER_MS, key });
          if (key) busy.add(key);
        }
      }
    }
    // Only rows held back (another instance's, or waiting to retry) were left: wait for the next poll.
    return done;
  }
  const loop = createWorkerLoop("inbox worker", runOnce, pollMs, log);
  return { ...loop, runOnce };
}
