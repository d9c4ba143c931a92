import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createCardActionHandler } from "../actions/card-actions.ts";
import { DEFAULTS } from "../config/defaults.ts";
import { StartupError } from "../config/env.ts";
import { createHttpApp } from "../edge/app.ts";
import { bearerAuth } from "../edge/bearer-auth.ts";
import type { EdgeLoad } from "../edge/edge-load.ts";
import { ingestRoute } from "../edge/ingest-route.ts";
import { larkRoute } from "../edge/lark-route.ts";
import { startLarkWs } from "../edge/lark-ws.ts";
import { createRecorder } from "../edge/record-event.ts";
import { reportsRoute } from "../edge/reports-route.ts";
import { sessionsRoute } from "../edge/sessions-route.ts";
import { createSessionQueries } from "../storage/session-queries.ts";
import { consoleRoutes } from "../console/console-routes.ts";
import { standupConfig } from "../reports/standup-job.ts";
import type { Core } from "./core.ts";
import type { Workers } from "./workers.ts";

/**
 * The HTTP side: Lark's webhook and card callbacks, the signed ingest API, the read API and
 * health, listening on HOST:PORT; and Lark's long connection when LARK_EVENT_MODE=ws. Every
 * request is only recorded (or, for a card click, answered) here: the workers do the rest.
 */
export async function startHttp(core: Core, workers: Workers, edgeLoad: EdgeLoad) {
  const { env, log, clock, db } = core;
  const actions = {
    db,
    supervisorOpenIds: new Set(env.SUPERVISOR_OPEN_IDS),
    lang: env.UI_LANG,
    alerts: core.alerts,
    onQueued: workers.onQueued,
    onSessionChanged: (id: string) => core.live.publish([id]),
    now: () => clock.now(),
    log: log.child({ component: "card-actions" }),
  };
  const onCardAction = createCardActionHandler(actions);
  const console = consoleRoutes({
    db,
    lang: env.UI_LANG,
    tz: env.TZ,
    supervisors: new Set(env.SUPERVISOR_OPEN_IDS),
    teamLeads: new Set(env.TEAM_LEAD_OPEN_IDS),
    agents: new Set(env.AGENT_OPEN_IDS),
    oauth: core.oauth,
    publicUrl: env.PUBLIC_URL,
    live: core.live,
    actions,
    dayOptions: standupConfig(
      env,
      () => core.scorers.policy().policy,
      () => undefined,
    ).dayOptions,
    ruleName: core.alerts.ruleName,
    now: () => clock.now(),
    log: log.child({ component: "console" }),
  });
  const { record, recordMany } = createRecorder(core.inbox, () => {
    edgeLoad.touch();
    workers.kick("inbox");
  });
  const health = async () => {
    // Ready: the database answers and Lark has not refused our credentials (a configuration error).
    const problems = core.lark.state === "rejected" ? [core.lark.detail] : [];
    try {
      // Events recorded but not processed yet: the queue a burst leaves behind (indexed count).
      const backlog = await core.inbox.backlog();
      return {
        ok: true,
        ready: !problems.length,
        problems,
        details: { db: "ok", provider: db.provider, dryRun: core.config.dryRun, eventMode: env.LARK_EVENT_MODE, lark: core.lark.state, backlog, requests: edgeLoad.stats() },
      };
    } catch {
      return { ok: false, ready: false, problems: ["DATABASE_URL: the database is unreachable", ...problems], details: { db: "unreachable", provider: db.provider, lark: core.lark.state } };
    }
  };
  const app = createHttpApp(
    {
      ungated: [console.router],
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
        reportsRoute({ job: workers.standup, tz: env.TZ, now: () => clock.now(), maxBodyBytes: env.MAX_BODY_BYTES }),
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
  const ws =
    env.LARK_EVENT_MODE === "ws"
      ? startLarkWs({ appId: env.LARK_APP_ID!, appSecret: env.LARK_APP_SECRET!, domain: env.LARK_DOMAIN, pingTimeoutSeconds: env.WS_PING_TIMEOUT_SECONDS, record, onCardAction, log })
      : undefined;

  return {
    port: (server.address() as AddressInfo).port,
    /** Stops taking requests and lets in-flight ones finish (cut after the grace period). */
    async close() {
      ws?.close();
      console.closeStreams();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), DEFAULTS.shutdownGraceMs);
      await closed;
      clearTimeout(grace);
    },
  };
}
