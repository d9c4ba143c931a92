import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { createOutboxWorker } from "./actions/outbox-worker.ts";
import { hostname } from "node:os";
import { createHash } from "node:crypto";
import { reportsRoute } from "./edge/reports-route.ts";
import { createStandupJob, standupConfig } from "./reports/standup-job.ts";
import { createCardActionHandler } from "./actions/card-actions.ts";
import type { AlertConfig } from "./actions/alerts.ts";
import { ruleNamer } from "./scoring/compliance/rule-names.ts";
import { createWebhookPoster } from "./clients/webhook-poster.ts";
import { createRateLimiter } from "./actions/rate-limiter.ts";
import { createDryRunSender, createLarkSender, type LarkSender } from "./clients/lark-sender.ts";
import { StartupError, type Config } from "./config/env.ts";
import { DEFAULTS } from "./config/defaults.ts";
import { createHttpApp } from "./edge/app.ts";
import { bearerAuth } from "./edge/bearer-auth.ts";
import { ingestRoute } from "./edge/ingest-route.ts";
import { larkRoute } from "./edge/lark-route.ts";
import { startLarkWs } from "./edge/lark-ws.ts";
import { createRecorder } from "./edge/record-event.ts";
import { createEdgeLoad } from "./edge/edge-load.ts";
import { sessionsRoute } from "./edge/sessions-route.ts";
import { createInboxWorker } from "./ingest/inbox-worker.ts";
import { createPipeline } from "./pipeline.ts";
import { buildKbIndex } from "./coaching/kb-index.ts";
import { DEFAULT_KB_PATH, loadKb } from "./coaching/kb-load.ts";
import { LESSONS_DIR, loadLessons } from "./coaching/lessons.ts";
import { createHintDrafter } from "./coaching/hint-drafter.ts";
import type { Scorers } from "./scoring/assess.ts";
import { loadScorers } from "./scoring/load-scorers.ts";
import { createLlmJudge } from "./scoring/llm-judge.ts";
import { createLlmWorker } from "./scoring/llm-worker.ts";
import { createOpenAiClient, type LlmClient } from "./clients/llm.ts";
import { systemClock, type Clock } from "./shared/clock.ts";
import { createLogger, type Logger } from "./shared/logger.ts";
import { createWorkerLoop } from "./shared/worker-loop.ts";
import { openDatabase } from "./storage/db.ts";
import { createInboxRepo } from "./storage/inbox-repo.ts";
import { migrate } from "./storage/migrate.ts";
import { createOutboxRepo } from "./storage/outbox-repo.ts";
import { recordFirstStart } from "./storage/app-state.ts";
import { createSessionQueries } from "./storage/session-queries.ts";

/** Runs one start-up step; a failure becomes one line naming the variable that configures it. */
async function step<T>(variable: string, fn: () => T | Promise<T>, explain: (e: unknown) => string = (e) => (e as Error).message): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new StartupError(variable, explain(e));
  }
}

/** What went wrong opening the database, without the URL's password. */
function dbProblem(e: unknown): string {
  const err = e as { code?: string; message?: string; address?: string; port?: number };
  if (err.code === "ECONNREFUSED" || err.code === "ENOTFOUND" || err.code === "ETIMEDOUT" || err.code === "EHOSTUNREACH") return `${err.code}: nothing answers at ${err.address ?? "the host"}${err.port ? `:${err.port}` : ""}`;
  return String(err.message ?? e).replace(/\/\/[^@/\s]*@/g, "//***@").split("\n")[0]!;
}

/** Capabilities a test (or another host) may replace. */
export interface StartOverrides {
  log?: Logger;
  clock?: Clock;
  sender?: LarkSender;
  /** Tests run the workers by hand to observe states in between. */
  startWorkers?: boolean;
  outboxBackoffMs?: { base: number; max: number };
  scorers?: Scorers;
  llm?: LlmClient;
  pollMs?: { inbox: number; outbox: number; llm?: number; waiting?: number; standup?: number };
}

/**
 * The composition root: config → database (migrated) → repositories → sender → workers → edge.
 * Returns a handle whose stop() drains in-flight work before closing the database.
 */
export async function startCsCoach(config: Config, o: StartOverrides = {}) {
  const { env } = config;
  const log = o.log ?? createLogger(env.LOG_LEVEL);
  log.maskValues([env.LARK_APP_SECRET, env.LARK_ENCRYPT_KEY, env.LARK_VERIFICATION_TOKEN, env.INGEST_TOKEN, env.OPENAI_API_KEY, env.CHANNEL_WEBHOOK_SECRET]);
  const clock = o.clock ?? systemClock;

  const applied = await step("DATABASE_URL", () => migrate(config.database.url), (e) => `cannot open the database (${dbProblem(e)})`);
  if (applied.length) log.info("migrations applied", { applied });
  const db = openDatabase(config.database.url);
  const inbox = createInboxRepo(db);
  const outboxRepo = createOutboxRepo(db);

  const sender =
    o.sender ??
    (config.dryRun
      ? createDryRunSender(log)
      : createLarkSender({ appId: env.LARK_APP_ID!, appSecret: env.LARK_APP_SECRET!, domain: env.LARK_DOMAIN, logger: log }));

  const scorers = o.scorers ?? (await step("POLICY_FILE", () => loadScorers(env.POLICY_FILE, log)));
  const lessons = await step("LESSONS_DIR", () => loadLessons([LESSONS_DIR, ...(env.LESSONS_DIR ? [env.LESSONS_DIR] : [])]));
  const kb = await step("KB_PATH", () => buildKbIndex(loadKb(env.KB_PATH ?? DEFAULT_KB_PATH)));
  const { installedAt, installationId } = await recordFirstStart(db, new Date(clock.now()));
  const webhookFor = (channel: string | undefined) => env.CHANNEL_WEBHOOKS[channel ?? ""] ?? env.CHANNEL_WEBHOOKS["*"];
  const alerts: AlertConfig = {
    supervisorChatId: env.SUPERVISOR_CHAT_ID,
    supervisorOpenIds: env.SUPERVISOR_OPEN_IDS,
    lang: env.UI_LANG,
    dryRun: config.dryRun,
    ruleName: (kind) => ruleNamer(scorers.policy().policy, env.UI_LANG)(kind),
    applinkHost: env.LARK_DOMAIN === "lark" ? "applink.larksuite.com" : "applink.feishu.cn",
    // Without channel webhooks an alert update costs no lookup for them.
    webhookFor: Object.keys(env.CHANNEL_WEBHOOKS).length ? webhookFor : undefined,
  };
  const onCardAction = createCardActionHandler({
    db,
    supervisorOpenIds: new Set(env.SUPERVISOR_OPEN_IDS),
    lang: env.UI_LANG,
    alerts,
    onQueued: () => outboxWorker.kick(),
    now: () => clock.now(),
    log: log.child({ component: "card-actions" }),
  });
  const llm =
    o.llm ??
    (env.OPENAI_API_KEY ? createOpenAiClient({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, embeddingModel: env.OPENAI_EMBEDDING_MODEL, timeoutMs: env.OPENAI_TIMEOUT_MS }) : undefined);
  const pipeline = createPipeline({
    db,
    inbox,
    roster: { agentOpenIds: new Set(env.AGENT_OPEN_IDS), ownChatIds: new Set([env.SUPERVISOR_CHAT_ID, env.STANDUP_CHAT_ID].filter((x): x is string => Boolean(x))) },
    scorers,
    llmEnabled: Boolean(llm),
    sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
    alerts,
    coaching: {
      kb,
      lessons,
      hints: { perMinute: env.HINTS_PER_MINUTE, draftWithLlm: Boolean(llm), webhookFor },
      minKbScore: env.KB_MIN_SCORE,
    },
    onQueued: () => outboxWorker.kick(),
    log,
  });
  // What Lark said of our credentials: checked at start (and again while unreachable).
  const lark: { state: "unknown" | "ok" | "rejected"; detail: string } = { state: config.dryRun ? "ok" : "unknown", detail: "" };
  const outboxWorker = createOutboxWorker({
    // Lark dedupes a uuid per app for an hour: two installations on one app (staging and
    // production, say) must never share one, so what Lark sees is scoped to this installation.
    idempotencyKey: (uuid) => createHash("sha256").update(`${installationId}:${uuid}`).digest("hex").slice(0, 40),
    paused: () => (lark.state === "rejected" ? lark.detail : undefined),
    repo: outboxRepo,
    sender,
    webhooks: env.CHANNEL_WEBHOOK_SECRET ? createWebhookPoster({ secret: env.CHANNEL_WEBHOOK_SECRET, now: () => clock.now() }) : undefined,
    limiter: createRateLimiter(env.LARK_PER_TARGET_QPS, env.LARK_PER_APP_QPS),
    clock,
    log: log.child({ component: "outbox" }),
    maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
    baseBackoffMs: o.outboxBackoffMs?.base ?? DEFAULTS.outboxBaseBackoffMs,
    maxBackoffMs: o.outboxBackoffMs?.max ?? DEFAULTS.outboxMaxBackoffMs,
    pollMs: o.pollMs?.outbox ?? DEFAULTS.outboxPollMs,
  });
  const edgeLoad = createEdgeLoad(env.MAX_IN_FLIGHT_REQUESTS, log.child({ component: "http" }));
  const inboxWorker = createInboxWorker(inbox, pipeline.processInboxEvent, o.pollMs?.inbox ?? DEFAULTS.inboxPollMs, log.child({ component: "inbox" }), {
    edgeBusy: edgeLoad.busy,
    share: DEFAULTS.processingShareUnderLoad,
  });
  const hintDrafter = llm ? createHintDrafter(db, llm, o.pollMs?.llm ?? DEFAULTS.llmPollMs, log.child({ component: "hints" }), webhookFor) : undefined;
  const llmWorker = llm ? createLlmWorker(db, createLlmJudge(llm), scorers, o.pollMs?.llm ?? DEFAULTS.llmPollMs, log.child({ component: "llm" })) : undefined;
  const idleSweeper = createWorkerLoop(
    "idle sweeper",
    async () => {
      // A batch at a time, yielding between sessions; again at once while there are more.
      const n = await pipeline.closeIdleSessions(clock.now());
      if (n) log.info("idle sessions closed", { count: n });
      return n;
    },
    60_000,
    log,
  );

  const waitingTimer = createWorkerLoop(
    "waiting timer",
    async () => {
      const n = await pipeline.checkWaiting(clock.now());
      if (n) {
        log.info("customers waiting too long", { count: n });
        outboxWorker.kick();
      }
      return n;
    },
    o.pollMs?.waiting ?? DEFAULTS.waitingCheckMs,
    log,
  );
  const standup = createStandupJob({
    db,
    cfg: standupConfig(env, () => scorers.policy().policy, (id, lang) => lessons.get(id, lang)?.title),
    installedAt,
    llm,
    clock,
    instance: `${hostname()}:${process.pid}`,
    log: log.child({ component: "standup" }),
    onQueued: () => outboxWorker.kick(),
  });
  const standupScheduler = createWorkerLoop("stand-up scheduler", standup.tick, o.pollMs?.standup ?? DEFAULTS.standupCheckMs, log);
  const { record, recordMany } = createRecorder(inbox, () => {
    edgeLoad.touch();
    inboxWorker.kick();
  });
  const health = async () => {
    // Ready: the database answers and Lark has not refused our credentials (a configuration error).
    const problems = lark.state === "rejected" ? [lark.detail] : [];
    try {
      // Events recorded but not processed yet: the queue a burst leaves behind (indexed count).
      const backlog = await db.prisma.inboxEvent.count({ where: { status: "pending" } });
      return { ok: true, ready: !problems.length, problems, details: { db: "ok", provider: db.provider, dryRun: config.dryRun, eventMode: env.LARK_EVENT_MODE, lark: lark.state, backlog, requests: edgeLoad.stats() } };
    } catch {
      return { ok: false, ready: false, problems: ["DATABASE_URL: the database is unreachable", ...problems], details: { db: "unreachable", provider: db.provider, lark: lark.state } };
    }
  };
  const app = createHttpApp(
    {
      public: [
        larkRoute({
          encryptKey: env.LARK_ENCRYPT_KEY,
          verificationToken: env.LARK_VERIFICATION_TOKEN,
          windowSeconds: env.SIGNATURE_WINDOW_SECONDS,
          maxBodyBytes: env.MAX_BODY_BYTES,
          clock,
          record,
          onCardAction,
          log: log.child({ component: "lark-edge" }),
        }),
      ],
      authed: [
        ingestRoute({ maxBodyBytes: env.MAX_BODY_BYTES, recordMany, now: () => clock.now() }),
        sessionsRoute(createSessionQueries(db)),
        reportsRoute({ job: standup, tz: env.TZ, now: () => clock.now(), maxBodyBytes: env.MAX_BODY_BYTES }),
      ],
    },
    bearerAuth(env.INGEST_TOKEN),
    health,
    log.child({ component: "http" }),
    edgeLoad.gate,
  );

  const server: Server = await new Promise((resolve, reject) => {
    // The whole request (headers and body) must arrive within the timeout, checked twice a
    // second: a slow sender is cut within seconds instead of holding its socket.
    const s = createServer({ requestTimeout: DEFAULTS.requestTimeoutMs, headersTimeout: DEFAULTS.requestTimeoutMs, connectionsCheckingInterval: DEFAULTS.connectionsCheckingIntervalMs }, app);
    // A socket silent this long is closed (one a client keeps open after its 408, say).
    s.timeout = DEFAULTS.socketIdleMs;
    s.once("error", (err: NodeJS.ErrnoException) => reject(new StartupError("PORT", `cannot listen on ${env.HOST}:${env.PORT} (${err.code ?? err.message})`)));
    s.listen(env.PORT, env.HOST, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;

  const ws =
    env.LARK_EVENT_MODE === "ws"
      ? startLarkWs({ appId: env.LARK_APP_ID!, appSecret: env.LARK_APP_SECRET!, domain: env.LARK_DOMAIN, pingTimeoutSeconds: env.WS_PING_TIMEOUT_SECONDS, record, onCardAction, log })
      : undefined;

  if (o.startWorkers !== false) {
    inboxWorker.start();
    outboxWorker.start();
    llmWorker?.start();
    hintDrafter?.start();
    waitingTimer.start();
    standupScheduler.start();
    idleSweeper.start();
  }
  log.info("CS Coach started", { port, dryRun: config.dryRun, eventMode: env.LARK_EVENT_MODE, db: db.provider, llm: llm ? llm.model : "off" });

  let stopping: Promise<void> | undefined;
  async function checkLark(attempt: number): Promise<void> {
    if (stopping) return;
    const r = await sender.checkCredentials();
    if (r.state === "ok") {
      lark.state = "ok";
      return;
    }
    if (r.state === "rejected") {
      lark.state = "rejected";
      lark.detail = `LARK_APP_ID / LARK_APP_SECRET: Lark refused the app's credentials (${r.detail}); copy both from the developer console (Credentials & Basic Info) and restart`;
      log.error("configuration error", { problem: lark.detail });
      return;
    }
    // Unreachable: try again later, more slowly each time (sends retry on their own meanwhile).
    const t = setTimeout(() => void checkLark(attempt + 1), Math.min(300_000, 5_000 * 2 ** attempt));
    t.unref();
  }
  if (!config.dryRun) void checkLark(0);

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    db,
    inbox,
    outboxRepo,
    inboxWorker,
    outboxWorker,
    pipeline,
    scorers,
    llmWorker,
    onCardAction,
    standup,
    sender,
    log,
    /** Graceful: stop taking requests, let in-flight requests and worker passes finish, then close. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        ws?.close();
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), DEFAULTS.shutdownGraceMs);
        await closed;
        clearTimeout(grace);
        await Promise.all([inboxWorker.stop(), outboxWorker.stop(), idleSweeper.stop(), llmWorker?.stop(), hintDrafter?.stop(), waitingTimer.stop(), standupScheduler.stop()]);
        scorers.close?.();
        await db.close();
        log.info("CS Coach stopped");
      })();
      return stopping;
    },
  };
}

export type CsCoach = Awaited<ReturnType<typeof startCsCoach>>;
