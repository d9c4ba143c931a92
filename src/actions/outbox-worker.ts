import { setTimeout as sleep, setImmediate as yieldToIo } from "node:timers/promises";
import { createCircuits } from "./circuit-breaker.ts";
import { classifyLarkError } from "../clients/lark-errors.ts";
import type { LarkSender } from "../clients/lark-sender.ts";
import type { WebhookPoster } from "../clients/webhook-poster.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import { createWorkerLoop } from "../shared/worker-loop.ts";
import type { OutboxItem, OutboxRepo, OutboxRow } from "../storage/outbox-repo.ts";
import type { OutboxKind } from "../clients/lark-sender.ts";
import type { RateLimiter } from "./rate-limiter.ts";

export interface OutboxWorkerOptions {
  repo: OutboxRepo;
  sender: LarkSender;
  /** Channel webhooks (hints and alerts for other platforms); absent when none is configured. */
  webhooks?: WebhookPoster;
  limiter: RateLimiter;
  clock: Clock;
  log: Logger;
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  pollMs: number;
  random?: () => number;
  /** The uuid Lark sees for a row's uuid (stable across retries); the row's own by default. */
  idempotencyKey?: (uuid: string) => string;
  /** While this names a reason (Lark refused our credentials), nothing is sent: rows wait, attempts are not spent. */
  paused?: () => string | undefined;
}

const BATCH = 20;
/** Sends in flight to one channel webhook at once: a destination that hangs holds only these. */
const MAX_PER_WEBHOOK = 2;
/** A webhook failing this many times in a row is left alone for 30 s, then probed (doubling to 10 min). */
const CIRCUIT = { failures: 3, baseMs: 30_000, maxMs: 10 * 60_000 };
/** How long a pass waits for its webhook sends before leaving the slow ones to finish alone. */
const DETACH_MS = 250;
const LEASE_MS = 60_000;
/** A row waiting on a card that is not sent yet looks again this soon. */
const DEPENDENCY_WAIT_MS = 250;

/** Exponential backoff with jitter (half to full), so retries from many rows do not arrive together. */
export function backoffMs(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

export function createOutboxWorker(o: OutboxWorkerOptions) {
  const random = o.random ?? Math.random;
  const circuits = createCircuits(CIRCUIT);

  async function deliver(row: OutboxRow): Promise<void> {
    const now = o.clock.now();
    const log = o.log.child({ outboxId: row.id, kind: row.kind });
    let target = row.target;
    if (row.dependsOnId) {
      const dep = await o.repo.dependency(row.dependsOnId);
      if (!dep || dep.status === "failed") {
        await o.repo.markFailed(row.id, row.attempts, `dependency ${row.dependsOnId} failed`);
        return;
      }
      if (dep.status === "pending") {
        await o.repo.reschedule(row.id, new Date(now + DEPENDENCY_WAIT_MS), row.attempts);
        return;
      }
      target ||= dep.resultMessageId ?? "";
    }
    const wait = o.limiter.take(row.rateKey, now);
    if (wait > 0) {
      await o.repo.reschedule(row.id, new Date(now + wait), row.attempts);
      return;
    }
    const attempts = row.attempts + 1;
    try {
      const payload = JSON.parse(row.payload) as Record<string, unknown>;
      const isWebhook = row.kind === "webhook.post";
      if (isWebhook && !o.webhooks) throw new Error("no channel webhooks are configured");
      const uuid = o.idempotencyKey?.(row.uuid) ?? row.uuid;
      const res = isWebhook ? await o.webhooks!.post(target, payload, uuid) : await o.sender.send({ kind: row.kind as OutboxKind, target, payload, uuid });
      if (isWebhook) circuits.success(row.rateKey);
      const dry = !isWebhook && o.sender.dryRun;
      await o.repo.markSent(row.id, dry ? "dry_run" : "sent", res.messageId, attempts);
      log.info("sent", { attempts, dryRun: dry });
    } catch (e) {
      const err = classifyLarkError(e);
      if (!err.retryable || attempts >= o.maxAttempts) {
        await o.repo.markFailed(row.id, attempts, err.message);
        log.error("send failed for good", { attempts, error: err.message, class: err.cls });
        await fallBack(row, log);
        return;
      }
      let delay = backoffMs(attempts, o.baseBackoffMs, o.maxBackoffMs, random);
      if (row.kind === "webhook.post" && circuits.failure(row.rateKey, now)) {
        const until = circuits.openUntil(row.rateKey)!;
        delay = Math.max(delay, until - now);
        log.warn("channel webhook failing; left alone until its circuit closes", { until: new Date(until).toISOString() });
      }
      if (err.cls === "token_invalid") {
        // A fresh token at once, the first time; after that, back off (the credentials may be wrong).
        o.sender.invalidateToken();
        if (attempts === 1) delay = 0;
      }
      if (err.cls === "rate_limited") {
        o.limiter.drain(row.rateKey, now);
        delay = Math.max(delay, err.retryAfterMs ?? 0);
      }
      await o.repo.reschedule(row.id, new Date(now + delay), attempts, err.message);
      log.warn("send failed; will retry", { attempts, delayMs: delay, error: err.message, class: err.cls });
    }
  }

  /** A refused ephemeral hint is not dropped: it goes to the agent by DM instead. */
  async function fallBack(row: OutboxRow, log: Logger) {
    if (row.kind !== "ephemeral.send") return;
    const fallback = (JSON.parse(row.payload) as { fallback?: OutboxItem }).fallback;
    if (!fallback) return;
    await o.repo.enqueue(fallback);
    log.warn("ephemeral card refused; sending the hint by DM instead", { uuid: fallback.uuid });
  }

  // Webhook sends run beside the pass, so a destination that never answers delays nobody else.
  const inFlight = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const busy = () => [...inFlight].filter(([, n]) => n >= MAX_PER_WEBHOOK).map(([k]) => k);

  function startWebhook(row: OutboxRow) {
    const dest = row.rateKey;
    inFlight.set(dest, (inFlight.get(dest) ?? 0) + 1);
    const p: Promise<void> = deliver(row)
      .catch((e) => o.log.error("webhook send failed unexpectedly", { outboxId: row.id, error: e }))
      .finally(() => {
        const n = (inFlight.get(dest) ?? 1) - 1;
        if (n > 0) inFlight.set(dest, n);
        else inFlight.delete(dest);
        running.delete(p);
        loop.kick(); // its destination has a free slot again
      });
    running.add(p);
    return p;
  }

  let pausedFor: string | undefined;
  async function runOnce(): Promise<number> {
    const reason = o.paused?.();
    if (reason !== pausedFor) {
      if (reason) o.log.error("sending paused", { reason });
      else if (pausedFor) o.log.info("sending resumed");
      pausedFor = reason;
    }
    if (reason) return 0;
    const now = o.clock.now();
    // Destinations at their limit of sends in flight, or whose circuit is open, are not claimed.
    const rows = await o.repo.claimDue(new Date(now), BATCH, LEASE_MS, [...new Set([...busy(), ...circuits.open(now)])]);
    const started: Array<Promise<void>> = [];
    for (const row of rows) {
      if (row.kind !== "webhook.post") continue;
      if ((inFlight.get(row.rateKey) ?? 0) >= MAX_PER_WEBHOOK || !circuits.allows(row.rateKey, now)) {
        // Its destination filled up within this batch: back in line, no attempt spent.
        await o.repo.reschedule(row.id, new Date(Math.max(now + DEPENDENCY_WAIT_MS, circuits.openUntil(row.rateKey) ?? 0)), row.attempts);
        continue;
      }
      started.push(startWebhook(row));
    }
    for (const row of rows) {
      if (row.kind === "webhook.post") continue;
      await yieldToIo(); // see the inbox worker: keep the edge responsive during a backlog
      await deliver(row);
    }
    // Healthy webhooks answer within the pass; a slow one carries on alone, holding its own slots.
    if (started.length) await Promise.race([Promise.all(started), sleep(DETACH_MS, undefined, { ref: false })]);
    return rows.length;
  }

  const loop = createWorkerLoop("outbox worker", runOnce, o.pollMs, o.log);
  return {
    ...loop,
    runOnce,
    /** Stops the loop, then waits for webhook sends still in flight (each ends by its own timeout). */
    async stop() {
      await loop.stop();
      await Promise.all([...running]);
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
