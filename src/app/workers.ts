import { hostname } from "node:os";
import { createHintDrafter } from "../actions/hint-drafter.ts";
import { createOutboxWorker } from "../actions/outbox-worker.ts";
import { createRateLimiter } from "../actions/rate-limiter.ts";
import { createWebhookPoster } from "../clients/webhook-poster.ts";
import { DEFAULTS } from "../config/defaults.ts";
import { createInboxWorker } from "../processing/inbox-worker.ts";
import { createLlmWorker } from "../processing/llm-worker.ts";
import { createPipeline } from "../processing/pipeline.ts";
import { createStandupJob, standupConfig } from "../reports/standup-job.ts";
import { createLlmJudge } from "../scoring/llm-judge.ts";
import { createWorkerLoop, type WorkerLoop } from "../shared/worker-loop.ts";
import type { Core, StartOverrides } from "./core.ts";

/** Every background worker by name: started, stopped and (in tests) run one pass at a time from this list. */
export type WorkerName = "inbox" | "outbox" | "llm" | "hint drafter" | "waiting timer" | "idle sweeper" | "stand-up";

/**
 * The workers: the inbox worker (recorded events → pipeline), the outbox (cards and hints to
 * Lark), the timers (waiting customers, idle sessions, the stand-up) and, with an LLM, its
 * refinement and hint drafting. `edgeBusy` lets processing give way to acks under a burst.
 */
export function buildWorkers(core: Core, o: StartOverrides, edgeBusy: () => boolean) {
  const { env, log, clock, db, llm } = core;
  const list = new Map<WorkerName, WorkerLoop>();
  const kick = (name: WorkerName) => list.get(name)?.kick();
  const onQueued = () => kick("outbox");

  const pipeline = createPipeline({
    db,
    inbox: core.inbox,
    roster: { agentOpenIds: new Set(env.AGENT_OPEN_IDS), ownChatIds: new Set([env.SUPERVISOR_CHAT_ID, env.STANDUP_CHAT_ID].filter((x): x is string => Boolean(x))) },
    scorers: core.scorers,
    llmEnabled: Boolean(llm),
    sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
    alerts: core.alerts,
    coaching: {
      kb: core.kb,
      lessons: core.lessons,
      hints: { perMinute: env.HINTS_PER_MINUTE, draftWithLlm: Boolean(llm), webhookFor: core.webhookFor },
      minKbScore: env.KB_MIN_SCORE,
    },
    onQueued,
    onSessionsChanged: (ids) => core.live.publish(ids),
    log,
  });
  const standup = createStandupJob({
    db,
    cfg: standupConfig(
      env,
      () => core.scorers.policy().policy,
      (id, lang) => core.lessons.get(id, lang)?.title,
    ),
    installedAt: core.installedAt,
    llm,
    clock,
    instance: `${hostname()}:${process.pid}`,
    log: log.child({ component: "standup" }),
    onQueued,
  });

  list.set(
    "inbox",
    createInboxWorker(core.inbox, pipeline.processBatch, o.pollMs?.inbox ?? DEFAULTS.inboxPollMs, log.child({ component: "inbox" }), { edgeBusy, share: DEFAULTS.processingShareUnderLoad }),
  );
  list.set(
    "outbox",
    createOutboxWorker({
      idempotencyKey: core.idempotencyKey,
      paused: () => (core.lark.state === "rejected" ? core.lark.detail : undefined),
      repo: core.outboxRepo,
      sender: core.sender,
      webhooks: env.CHANNEL_WEBHOOK_SECRET ? createWebhookPoster({ secret: env.CHANNEL_WEBHOOK_SECRET, now: () => clock.now() }) : undefined,
      limiter: createRateLimiter(env.LARK_PER_TARGET_QPS, env.LARK_PER_APP_QPS),
      clock,
      log: log.child({ component: "outbox" }),
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      baseBackoffMs: o.outboxBackoffMs?.base ?? DEFAULTS.outboxBaseBackoffMs,
      maxBackoffMs: o.outboxBackoffMs?.max ?? DEFAULTS.outboxMaxBackoffMs,
      pollMs: o.pollMs?.outbox ?? DEFAULTS.outboxPollMs,
    }),
  );
  if (llm) {
    list.set("llm", createLlmWorker(db, createLlmJudge(llm), core.scorers, o.pollMs?.llm ?? DEFAULTS.llmPollMs, log.child({ component: "llm" })));
    list.set("hint drafter", createHintDrafter(db, llm, o.pollMs?.llm ?? DEFAULTS.llmPollMs, log.child({ component: "hints" }), core.webhookFor));
  }
  list.set(
    "waiting timer",
    createWorkerLoop(
      "waiting timer",
      async () => {
        const { found, more } = await pipeline.checkWaiting(clock.now());
        if (found) {
          log.info("customers waiting too long", { count: found });
          onQueued();
        }
        // Again at once while the walk over waiting customers is not finished.
        return found + (more ? 1 : 0);
      },
      o.pollMs?.waiting ?? DEFAULTS.waitingCheckMs,
      log,
    ),
  );
  list.set(
    "idle sweeper",
    createWorkerLoop(
      "idle sweeper",
      async () => {
        // A batch at a time, yielding between sessions; again at once while there are more.
        const n = await pipeline.closeIdleSessions(clock.now());
        if (n) log.info("idle sessions closed", { count: n });
        return n;
      },
      60_000,
      log,
    ),
  );
  list.set("stand-up", createWorkerLoop("stand-up scheduler", standup.tick, o.pollMs?.standup ?? DEFAULTS.standupCheckMs, log));

  const get = (name: WorkerName) => {
    const w = list.get(name);
    if (!w) throw new Error(`no ${name} worker in this configuration`);
    return w;
  };
  return {
    standup,
    kick,
    onQueued,
    /** One pass of one worker, at the clock's time: how tests and the replay CLI drive them. */
    runOnce: (name: WorkerName) => get(name).runOnce(),
    start: (name?: WorkerName) => {
      for (const [n, w] of list) if (!name || n === name) w.start();
    },
    /** Waits for each worker's current pass: how shutdown drains in-flight work. */
    stop: async (name?: WorkerName) => {
      await Promise.all([...list].filter(([n]) => !name || n === name).map(([, w]) => w.stop()));
    },
  };
}

export type Workers = ReturnType<typeof buildWorkers>;
