import { own } from "../shared/own.ts";
import { createHash } from "node:crypto";
import type { AlertConfig } from "../actions/alerts.ts";
import { createDryRunSender, createLarkSender, type LarkSender } from "../clients/lark-sender.ts";
import { createOpenAiClient, type LlmClient } from "../clients/llm.ts";
import { buildKbIndex } from "../coaching/kb-index.ts";
import { DEFAULT_KB_PATH, loadKb } from "../coaching/kb-load.ts";
import { LESSONS_DIR, loadLessons } from "../coaching/lessons.ts";
import { type Config, StartupError } from "../config/env.ts";
import type { Scorers } from "../scoring/assess.ts";
import { ruleNamer } from "../scoring/compliance/rule-names.ts";
import { loadScorers } from "../scoring/load-scorers.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import { createLiveHub } from "../shared/live-hub.ts";
import { createLarkOAuth } from "../clients/lark-oauth.ts";
import { recordFirstStart } from "../storage/app-state.ts";
import { openDatabase } from "../storage/db.ts";
import { createPgLiveRelay } from "../storage/live-relay.ts";
import { createInboxRepo } from "../storage/inbox-repo.ts";
import { migrate } from "../storage/migrate.ts";
import { createOutboxRepo } from "../storage/outbox-repo.ts";

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
  if (err.code === "ECONNREFUSED" || err.code === "ENOTFOUND" || err.code === "ETIMEDOUT" || err.code === "EHOSTUNREACH")
    return `${err.code}: nothing answers at ${err.address ?? "the host"}${err.port ? `:${err.port}` : ""}`;
  return String(err.message ?? e)
    .replace(/\/\/[^@/\s]*@/g, "//***@")
    .split("\n")[0]!;
}

/**
 * The core every part shares: configuration, the (migrated) database and its repositories, the
 * policy's scorers, lessons and knowledge base, the sender and the optional LLM. Nothing runs yet.
 */
export async function buildCore(config: Config, o: StartOverrides = {}) {
  const { env } = config;
  const log = o.log ?? createLogger(env.LOG_LEVEL);
  log.maskValues([env.LARK_APP_SECRET, env.LARK_ENCRYPT_KEY, env.LARK_VERIFICATION_TOKEN, env.INGEST_TOKEN, env.OPENAI_API_KEY, env.CHANNEL_WEBHOOK_SECRET]);
  const clock = o.clock ?? systemClock;

  const applied = await step(
    "DATABASE_URL",
    () => migrate(config.database.url),
    (e) => `cannot open the database (${dbProblem(e)})`,
  );
  if (applied.length) log.info("migrations applied", { applied });
  const db = openDatabase(config.database.url);
  const sender = o.sender ?? (config.dryRun ? createDryRunSender(log) : createLarkSender({ appId: env.LARK_APP_ID!, appSecret: env.LARK_APP_SECRET!, domain: env.LARK_DOMAIN, logger: log }));
  const scorers = o.scorers ?? (await step("POLICY_FILE", () => loadScorers(env.POLICY_FILE, log)));
  const lessons = await step("LESSONS_DIR", () => loadLessons([LESSONS_DIR, ...(env.LESSONS_DIR ? [env.LESSONS_DIR] : [])]));
  const kb = await step("KB_PATH", () => buildKbIndex(loadKb(env.KB_PATH ?? DEFAULT_KB_PATH)));
  const { installedAt, installationId } = await recordFirstStart(db, new Date(clock.now()));
  const webhookFor = (channel: string | undefined) => own(env.CHANNEL_WEBHOOKS, channel ?? "") ?? own(env.CHANNEL_WEBHOOKS, "*");
  const alerts: AlertConfig = {
    supervisorChatId: env.SUPERVISOR_CHAT_ID,
    supervisorOpenIds: env.SUPERVISOR_OPEN_IDS,
    lang: env.UI_LANG,
    dryRun: config.dryRun,
    ruleName: (kind) => ruleNamer(scorers.policy().policy, env.UI_LANG)(kind),
    applinkHost: env.LARK_DOMAIN === "lark" ? "applink.larksuite.com" : "applink.feishu.cn",
    // Without channel webhooks an alert update costs no lookup for them.
    webhookFor: Object.keys(env.CHANNEL_WEBHOOKS).length ? webhookFor : undefined,
    consoleUrl: env.PUBLIC_URL,
    tz: env.TZ,
    log: log.child({ component: "alerts" }),
  };
  const llm =
    o.llm ??
    (env.OPENAI_API_KEY
      ? createOpenAiClient({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, embeddingModel: env.OPENAI_EMBEDDING_MODEL, timeoutMs: env.OPENAI_TIMEOUT_MS })
      : undefined);
  // What Lark said of our credentials: checked at start (and again while unreachable).
  const lark: { state: "unknown" | "ok" | "rejected"; detail: string } = { state: config.dryRun ? "ok" : "unknown", detail: "" };
  const live = createLiveHub();
  // Instances sharing PostgreSQL hear each other's changes (one SQLite file has one instance).
  if (db.provider === "postgresql") {
    const relay = createPgLiveRelay(config.database.url, log.child({ component: "live" }), (ids) => live.deliver(ids));
    await relay.ready(); // listening before the first commit (never fails start-up: it retries)
    live.useRelay(relay);
  }
  return {
    config,
    env,
    log,
    clock,
    db,
    inbox: createInboxRepo(db),
    outboxRepo: createOutboxRepo(db),
    sender,
    scorers,
    lessons,
    kb,
    installedAt,
    // Lark dedupes a uuid per app for an hour: two installations on one app (staging and
    // production, say) must never share one, so what Lark sees is scoped to this installation.
    idempotencyKey: (uuid: string) => createHash("sha256").update(`${installationId}:${uuid}`).digest("hex").slice(0, 40),
    alerts,
    webhookFor,
    llm,
    lark,
    /** Sessions changed (after each commit): the console's live board listens. */
    live,
    /** Lark sign-in for the console (none in dry-run: loopback opens it without). */
    oauth: config.dryRun ? undefined : createLarkOAuth({ appId: env.LARK_APP_ID!, appSecret: env.LARK_APP_SECRET!, domain: env.LARK_DOMAIN }),
  };
}

export type Core = Awaited<ReturnType<typeof buildCore>>;

/** Asks Lark whether it takes our credentials; unreachable → again later, more slowly each time. */
export function watchLarkCredentials(core: Core, stopped: () => boolean) {
  const { lark, sender, log } = core;
  async function check(attempt: number): Promise<void> {
    if (stopped()) return;
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
    // Sends retry on their own meanwhile.
    const t = setTimeout(() => void check(attempt + 1), Math.min(300_000, 5_000 * 2 ** attempt));
    t.unref();
  }
  if (!core.config.dryRun) void check(0);
}
