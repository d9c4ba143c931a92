import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import { HOSTILE_DETECTORS } from "../actions/alerts.ts";
import { actOnAlert, type CardActionDeps } from "../actions/card-actions.ts";
import type { LarkOAuth } from "../clients/lark-oauth.ts";
import { type DayOptions, type DayStats, dayStats } from "../reports/standup-data.ts";
import { addDays, localDay } from "../reports/time-zone.ts";
import type { Logger } from "../shared/logger.ts";
import type { LiveHub } from "../shared/live-hub.ts";
import {
  agentActivity,
  activeConsoleSession,
  agentParticipantIds,
  allLabels,
  consumeLoginState,
  createConsoleSession,
  createLoginState,
  boardRows,
  getLabel,
  insertLabel,
  judgementOf,
  namesOf,
  rememberConsoleUser,
  resolveLabel,
  revokeConsoleSession,
  ruleHitStats,
  sessionLabels,
  sessionOwner,
} from "../storage/console-queries.ts";
import type { Database } from "../storage/db.ts";
import { createSessionQueries } from "../storage/session-queries.ts";
import { BOARD_LIMIT, type BoardFilter, matchesFilter, rankBoard } from "./board.ts";
import { WORDS } from "./i18n.ts";
import { createLiveFeed, type FeedClient } from "./live-feed.ts";
import { type AgentLoad, type BoardView, boardPage, boardRowHtml, h, type Shell } from "./pages.ts";
import { COOKIE, type ConsoleRole, type ConsoleUser, hashToken, LOGIN_COOKIE, LOGIN_STATE_MS, newToken, readCookie, SIGN_IN_MS, sameSecret, tokenShape } from "./console-session.ts";
import { directLoopback } from "../shared/loopback.ts";
import { sessionPage } from "./session-page.ts";
import { rulesPage, teamPage } from "./team-pages.ts";

export interface ConsoleDeps {
  db: Database;
  lang: "zh" | "en";
  tz: string;
  supervisors: ReadonlySet<string>;
  teamLeads: ReadonlySet<string>;
  agents: ReadonlySet<string>;
  /** Lark sign-in; undefined in dry-run, where only loopback requests get in (as a demo supervisor). */
  oauth?: LarkOAuth;
  /** PUBLIC_URL, for OAuth's redirect_uri (else the request's own host). */
  publicUrl?: string;
  live: LiveHub;
  actions: CardActionDeps;
  dayOptions: () => Omit<DayOptions, "tz">;
  ruleName: (kind: string) => string;
  now: () => number;
  log: Logger;
}

const ASSETS = join(import.meta.dirname, "assets");
const ECHARTS = join(createRequire(import.meta.url).resolve("echarts"), "..", "..", "dist", "echarts.min.js");

/** Live boards one instance serves at once: each is a socket and a subscriber. */
const MAX_STREAMS = 200;
/** Of those, what only supervisors may take: a crowd of agents' boards never locks them out. */
const SUPERVISOR_RESERVE = 40;
/** One person's boards at once (a few tabs and a phone). */
const STREAMS_PER_USER = 4;
/** Sign-in codes being exchanged with Lark at once, and per client address (in flight, and a minute's worth). */
const MAX_SIGN_INS_IN_FLIGHT = 20;
const SIGN_INS_PER_CLIENT = { inFlight: 5, perMinute: 120 };
/** The dry-run supervisor (no Lark configured): the only identity without a Lark sign-in. */
const DRY_RUN_ID = "dry-run";

/** Dry-run's console opens to a browser on this machine talking to us directly (never through a proxy). */
const isLoopback = (req: Request) => directLoopback(req.socket.remoteAddress, req.headers) && /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(req.headers.host ?? "");

/** Only our own paths: an open redirect would let a link send a signed-in user anywhere. */
const safeNext = (v: unknown) => (typeof v === "string" && /^\/console(\/[\w\-/%.]*)?$/.test(v) ? v : "/console");

const actionBody = z.object({ action: z.enum(["take_over", "acknowledge", "false_alarm", "snooze"]), requestId: z.string().min(8).max(64) });
const labelBody = z.object({ target: z.enum(["hit", "finding"]), id: z.number().int().positive(), note: z.string().max(500).optional() });
const boardQuery = z.object({
  agent: z.string().max(256).optional(),
  channel: z.string().max(64).optional(),
  severity: z.enum(["critical", "warning", "ok", ""]).optional(),
  all: z.string().max(1).optional(),
});
const resolveBody = z.object({ outcome: z.enum(["upheld", "overturned"]) });

/**
 * The supervisor console under /console: sign-in with Lark, the live board (server-sent
 * events), a session's page with actions, Team today, Rules. Every route checks the signed-in
 * role; every POST checks the CSRF token; no customer data in URLs or logs.
 */
export function consoleRoutes(d: ConsoleDeps): { router: Router; closeStreams: () => void } {
  const r = express.Router();
  const w = WORDS[d.lang];
  const sessions = createSessionQueries(d.db);
  const secure = Boolean(d.publicUrl?.startsWith("https://"));
  const streams = new Set<Response>();
  /** Open streams per person (open_id). */
  const streamsOf = new Map<string, number>();
  const feed = createLiveFeed({ live: d.live, read: async (ids) => rankBoard(await boardRows(d.db.sql, { ids }), d.now()), draw: (x) => boardRowHtml(x, w, d.lang), log: d.log });

  // Read from the configuration in force on every request: someone taken off a list loses the role at once.
  const roleOf = async (openId: string): Promise<ConsoleRole | undefined> => {
    if (!d.oauth && openId === DRY_RUN_ID) return "supervisor";
    if (d.supervisors.has(openId)) return "supervisor";
    if (d.teamLeads.has(openId)) return "team_lead";
    if (d.agents.has(openId) || (await agentParticipantIds(d.db.sql, openId)).length) return "agent";
    return undefined;
  };
  const setCookie = (res: Response, name: string, value: string, maxAgeMs: number) =>
    res.append("set-cookie", `${name}=${value}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? "; Secure" : ""}`);
  const signIn = async (res: Response, u: { openId: string; name: string; role: ConsoleRole }) => {
    const token = newToken();
    const now = d.now();
    await createConsoleSession(d.db.sql, { tokenHash: hashToken(token), openId: u.openId, name: u.name, csrf: newToken() }, new Date(now), new Date(now + SIGN_IN_MS));
    await rememberConsoleUser(d.db.sql, u, new Date(now));
    setCookie(res, COOKIE, token, SIGN_IN_MS);
    setCookie(res, LOGIN_COOKIE, "", 0);
  };
  const redirectUri = (req: Request) => `${d.publicUrl ?? `${req.protocol}://${req.headers.host}`}/console/auth/callback`;

  r.use("/console", (_req, res, next) => {
    // Our own script and styles only; pages are never framed or cached, links carry no referrer.
    res.setHeader(
      "content-security-policy",
      "default-src 'self'; script-src 'self' https://lf1-cdn-tos.bytegoofy.com; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("cache-control", "no-store");
    next();
  });

  r.get("/console/assets/:file", (req, res) => {
    const files: Record<string, [string, string]> = {
      "console.js": [join(ASSETS, "console.js"), "text/javascript"],
      "login.js": [join(ASSETS, "login.js"), "text/javascript"],
      "console.css": [join(ASSETS, "console.css"), "text/css"],
      "echarts.min.js": [ECHARTS, "text/javascript"],
    };
    const f = files[String(req.params.file)];
    if (!f) return void res.status(404).end();
    res.setHeader("cache-control", "public, max-age=3600");
    res.type(f[1]).send(readFileSync(f[0]));
  });

  // ---- sign-in ----
  r.get("/console/login", async (req, res) => {
    const next = safeNext(req.query.next);
    if (!d.oauth) {
      if (!isLoopback(req)) return void res.status(403).type("text/plain").send("The console opens without Lark only on this machine (dry-run); configure LARK_APP_ID to sign in with Lark.");
      await signIn(res, { openId: DRY_RUN_ID, name: d.lang === "zh" ? "演示主管" : "Demo supervisor", role: "supervisor" });
      return void res.redirect(303, next);
    }
    // The state is single use, short-lived and bound to this browser (its login cookie): a link
    // carrying someone else's state cannot sign this browser in as them.
    const browser = tokenShape(readCookie(req.headers.cookie, LOGIN_COOKIE)) ?? newToken();
    const state = newToken();
    const now = d.now();
    await createLoginState(d.db.sql, { stateHash: hashToken(state), browserHash: hashToken(browser), next }, new Date(now), new Date(now - LOGIN_STATE_MS));
    setCookie(res, LOGIN_COOKIE, browser, LOGIN_STATE_MS);
    const url = d.oauth.authorizeUrl(redirectUri(req), state);
    // In the Lark client the page script asks the JSSDK for a code (no-login); elsewhere it goes to Lark's page.
    res
      .type("html")
      .send(`<!doctype html><html lang="${d.lang === "zh" ? "zh-CN" : "en"}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${h(w.signIn)}</title><link rel="stylesheet" href="/console/assets/console.css"></head>
<body class="login" data-authorize="${h(url)}" data-state="${h(state)}" data-app-id="${h(new URL(url).searchParams.get("client_id") ?? "")}"><main><h1>${h(w.title)}</h1><p id="status">${h(w.signingIn)}</p><p><a id="sign-in" href="${h(url)}">${h(w.signIn)}</a></p></main><script src="/console/assets/login.js"></script></body></html>`);
  });

  // The console is outside the ack gate, so its one costly public step keeps its own bound:
  // anyone can fetch a login page's state, and each code posted is a round trip to Lark.
  let exchanging = 0;
  const clients = new Map<string, { inFlight: number; minute: number; count: number }>();
  /** A slot to exchange a code with Lark for this client, or why not (the caller answers 503 or 429). */
  const takeSlot = (req: Request): { release: () => void } | "busy" | "client" => {
    if (exchanging >= MAX_SIGN_INS_IN_FLIGHT) return "busy";
    const key = req.socket.remoteAddress ?? "";
    const minute = Math.floor(d.now() / 60_000);
    const c = clients.get(key) ?? { inFlight: 0, minute, count: 0 };
    if (c.minute !== minute) Object.assign(c, { minute, count: 0 });
    if (c.inFlight >= SIGN_INS_PER_CLIENT.inFlight || c.count >= SIGN_INS_PER_CLIENT.perMinute) return "client";
    c.inFlight++;
    c.count++;
    exchanging++;
    if (clients.size > 10_000) for (const [k, v] of clients) if (!v.inFlight && v.minute !== minute) clients.delete(k);
    clients.set(key, c);
    return {
      release: () => {
        c.inFlight--;
        exchanging--;
      },
    };
  };
  /** The state's `next` if this browser may use it now, once (it is spent whatever follows). */
  const spendState = (req: Request, state: unknown) => {
    const s = tokenShape(state);
    const browser = tokenShape(readCookie(req.headers.cookie, LOGIN_COOKIE));
    if (!s || !browser) return Promise.resolve(undefined);
    const now = d.now();
    return consumeLoginState(d.db.sql, hashToken(s), hashToken(browser), new Date(now), new Date(now - LOGIN_STATE_MS));
  };
  const finish = async (req: Request, res: Response, code: string, state: unknown, redirect: string | undefined) => {
    const slot = takeSlot(req);
    if (slot === "busy") return void res.status(503).set("retry-after", "2").type("text/plain").send("Too many sign-ins at once; try again in a moment.");
    if (slot === "client") return void res.status(429).set("retry-after", "60").type("text/plain").send("Too many sign-in attempts from here; wait a minute.");
    let user: { openId: string; name: string };
    let next: string | undefined;
    try {
      next = await spendState(req, state);
      if (!next) return void res.status(400).type("text/plain").send("Sign-in link expired, used or not started in this browser: start again at /console.");
      user = await d.oauth!.userFor(code, redirect);
    } catch (e) {
      d.log.warn("console sign-in failed", { error: (e as Error).message });
      return void res.status(502).type("text/plain").send("Lark did not confirm the sign-in; try again.");
    } finally {
      slot.release();
    }
    const role = await roleOf(user.openId);
    if (!role) {
      d.log.info("console sign-in refused", { openId: user.openId });
      return void res
        .status(403)
        .type("html")
        .send(`<!doctype html><meta charset="utf-8"><p>${h(w.refused)}</p>`);
    }
    await signIn(res, { ...user, role });
    d.log.info("console sign-in", { openId: user.openId, role });
    res.redirect(303, next);
  };
  r.get("/console/auth/callback", async (req, res) => {
    if (!d.oauth || typeof req.query.code !== "string" || !tokenShape(req.query.state))
      return void res.status(400).type("text/plain").send("Sign-in link expired or not ours: start again at /console.");
    await finish(req, res, req.query.code, req.query.state, redirectUri(req));
  });
  // Inside the Lark client: the JSSDK's code, with the state the login page was given (login CSRF).
  r.post("/console/auth/code", express.json({ limit: 4096 }), async (req, res) => {
    if (!d.oauth || typeof req.body?.code !== "string" || !tokenShape(req.body?.state)) return void res.status(400).json({ error: "bad_request", message: "code and a current state are required" });
    await finish(req, res, req.body.code, req.body.state, undefined);
  });

  // ---- who is asking ----
  const userOf = async (req: Request): Promise<ConsoleUser | undefined> => {
    const token = tokenShape(readCookie(req.headers.cookie, COOKIE));
    if (!token) return undefined;
    const tokenHash = hashToken(token);
    const s = await activeConsoleSession(d.db.sql, tokenHash, new Date(d.now()));
    const role = s && (await roleOf(s.openId));
    return s && role ? { openId: s.openId, name: s.name, role, csrf: s.csrf, tokenHash } : undefined;
  };
  const wants = (req: Request) => req.path.startsWith("/console/api/") || req.path === "/console/events" || req.method !== "GET";
  const guard =
    (...roles: ConsoleRole[]) =>
    async (req: Request, res: Response, next: NextFunction) => {
      const u = await userOf(req);
      if (!u) {
        if (wants(req)) return void res.status(401).json({ error: "unauthorized", message: "sign in at /console/login" });
        return void res.redirect(303, `/console/login?next=${encodeURIComponent(safeNext(req.path))}`);
      }
      if (!roles.includes(u.role)) return void res.status(403).json({ error: "forbidden", message: `this needs the role ${roles.join(" or ")}` });
      if (req.method === "POST" && !sameSecret(req.headers["x-csrf-token"] ?? req.body?.csrf, u.csrf)) return void res.status(403).json({ error: "csrf", message: "missing or wrong CSRF token" });
      res.locals.user = u;
      next();
    };
  const anyone = guard("supervisor", "team_lead", "agent");
  const wide = guard("supervisor", "team_lead");
  const supervisor = guard("supervisor");
  const shellFor = (res: Response, page: Shell["page"]): Shell => ({ lang: d.lang, w, user: res.locals.user as ConsoleUser, csrf: (res.locals.user as ConsoleUser).csrf, page, now: d.now() });

  /** An agent sees their own sessions only: the participant ids they are, or none. */
  const scopeOf = async (u: ConsoleUser): Promise<string[] | undefined> => (u.role === "agent" ? agentParticipantIds(d.db.sql, u.openId) : undefined);
  const rowsFor = async (u: ConsoleUser, ids?: string[]) => {
    const mine = await scopeOf(u);
    if (!mine) return boardRows(d.db.sql, { ids });
    const rows = (await Promise.all(mine.map((agentId) => boardRows(d.db.sql, { agentId, ids })))).flat();
    return rows;
  };
  const mayOpen = async (u: ConsoleUser, sessionId: string) => {
    const owner = await sessionOwner(d.db.sql, sessionId);
    if (!owner) return "missing" as const;
    if (u.role !== "agent") return "ok" as const;
    return owner.agentId && (await agentParticipantIds(d.db.sql, u.openId)).includes(owner.agentId) ? ("ok" as const) : ("forbidden" as const);
  };

  r.post("/console/logout", express.urlencoded({ extended: false, limit: 4096 }), anyone, async (_req, res) => {
    // Revoked on the server: the cookie is worthless from now on, wherever a copy of it is.
    await revokeConsoleSession(d.db.sql, (res.locals.user as ConsoleUser).tokenHash, new Date(d.now()));
    setCookie(res, COOKIE, "", 0);
    res.redirect(303, "/console/login");
  });

  // ---- the live board ----
  r.get("/console", anyone, async (req, res) => {
    const u = res.locals.user as ConsoleUser;
    const now = d.now();
    const ranked = rankBoard(await rowsFor(u), now);
    const q = boardQuery.safeParse(req.query);
    // A filter value that is not ours (an old link) shows everything rather than an error page.
    const filter: BoardFilter = q.success ? { agent: q.data.agent || undefined, channel: q.data.channel || undefined, severity: q.data.severity || undefined } : {};
    const all = q.success && q.data.all === "1";
    const matching = ranked.filter((x) => matchesFilter(x, filter));
    const seen = new Map<string, string>();
    for (const x of ranked) if (x.agentId) seen.set(x.agentId, x.agent ?? x.agentId);
    let agents: AgentLoad[] = [];
    if (u.role !== "agent") {
      const act = await agentActivity(d.db.sql, new Date(now - 4 * 3_600_000), [...HOSTILE_DETECTORS]);
      const by = new Map<string, AgentLoad>();
      for (const row of ranked) {
        if (!row.agentId) continue;
        const a = by.get(row.agentId) ?? { name: row.agent ?? row.agentId, open: 0, hostile: act.hostile.get(row.agentId) ?? 0, wellbeing: act.wellbeing.get(row.agentId) ?? 0 };
        a.open++;
        by.set(row.agentId, a);
      }
      agents = [...by.values()].sort((a, b) => b.wellbeing - a.wellbeing || b.hostile - a.hostile || b.open - a.open);
    }
    const view: BoardView = {
      rows: all ? matching : matching.slice(0, BOARD_LIMIT),
      matching: matching.length,
      filter,
      all,
      agents: [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
      channels: [...new Set(ranked.map((x) => x.channel))].sort(),
    };
    res.type("html").send(boardPage(shellFor(res, "board"), view, agents));
  });
  r.get("/console/api/board", anyone, async (_req, res) => {
    res.json({ rows: rankBoard(await rowsFor(res.locals.user as ConsoleUser), d.now()) });
  });
  r.get("/console/events", anyone, (req, res) => {
    const u = res.locals.user as ConsoleUser;
    if (streams.size >= MAX_STREAMS || (u.role !== "supervisor" && streams.size >= MAX_STREAMS - SUPERVISOR_RESERVE))
      return void res.status(503).set("retry-after", "30").json({ error: "overloaded", message: "too many live boards open on this instance" });
    const mine = (streamsOf.get(u.openId) ?? 0) + 1;
    if (mine > STREAMS_PER_USER)
      return void res
        .status(429)
        .set("retry-after", "30")
        .json({ error: "too_many_streams", message: `at most ${STREAMS_PER_USER} live boards per person; close one` });
    streamsOf.set(u.openId, mine);
    streams.add(res);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
    res.write("retry: 2000\n\n");
    // ?session=<id>: a session page listening for its own session only.
    const only = typeof req.query.session === "string" && req.query.session.length <= 64 ? req.query.session : undefined;
    const client: FeedClient = { only, send: (data) => res.write(`event: rows\ndata: ${data}\n\n`) };
    if (u.role === "agent") {
      client.agentOpenId = u.openId;
      const mine = new Set<string>();
      client.mine = mine;
      void rowsFor(u).then(
        (rows) => {
          for (const x of rows) mine.add(x.id);
        },
        () => {},
      );
    }
    const leave = feed.add(client);
    // Well inside the server's idle-socket timeout, and what keeps proxies from cutting the stream.
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
    req.on("close", () => {
      streams.delete(res);
      const left = (streamsOf.get(u.openId) ?? 1) - 1;
      if (left > 0) streamsOf.set(u.openId, left);
      else streamsOf.delete(u.openId);
      leave();
      clearInterval(ping);
    });
  });

  // ---- one session ----
  r.get("/console/sessions/:id", anyone, async (req, res) => {
    const u = res.locals.user as ConsoleUser;
    const sessionId = String(req.params.id);
    const may = await mayOpen(u, sessionId);
    if (may === "missing") return void res.status(404).type("text/plain").send("no such session");
    if (may === "forbidden")
      return void res
        .status(403)
        .type("html")
        .send(`<!doctype html><meta charset="utf-8"><p>${h(w.notYours)}</p>`);
    const detail = await sessions.get(sessionId);
    if (!detail) return void res.status(404).type("text/plain").send("no such session");
    const labels = await sessionLabels(d.db.sql, detail.id);
    // Who acted and who labelled, by name where they have signed in here (or chatted).
    const people = await namesOf(d.db.sql, [
      ...detail.alerts.flatMap((a) => [a.actedBy ?? "", ...a.feedback.map((f) => f.operatorId)]),
      ...labels.flatMap((l) => [l.byOpenId, l.resolvedBy ?? ""]),
      detail.assignedTo ?? "",
    ]);
    res.type("html").send(sessionPage(shellFor(res, "session"), detail, labels, { tz: d.tz, ruleName: d.ruleName, nameOf: (id) => people.get(id) ?? id }));
  });
  r.post("/console/api/alerts/:id/action", express.json({ limit: 4096 }), supervisor, async (req, res) => {
    const body = actionBody.safeParse(req.body);
    const alertId = Number(req.params.id);
    if (!body.success || !Number.isInteger(alertId))
      return void res.status(400).json({ error: "bad_request", message: body.success ? "alert id must be a number" : body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    const u = res.locals.user as ConsoleUser;
    // One click, one action: the client's request id is the event id (a retried click is stored once).
    const outcome = await actOnAlert(d.actions, { alertId, action: body.data.action, operator: u.openId, eventId: `console:${u.openId}:${body.data.requestId}` });
    if (!outcome) return void res.status(404).json({ error: "not_found", message: "no such alert" });
    res.json({ applied: outcome.applied, closed: outcome.closed });
  });
  r.post("/console/api/labels", express.json({ limit: 4096 }), anyone, async (req, res) => {
    const u = res.locals.user as ConsoleUser;
    const body = labelBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: "bad_request", message: body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    const j = await judgementOf(d.db.sql, body.data.target, body.data.id);
    if (!j) return void res.status(404).json({ error: "not_found", message: `no such ${body.data.target}` });
    if (u.role === "team_lead") return void res.status(403).json({ error: "forbidden", message: "team leads read; supervisors label" });
    if (u.role === "agent" && (body.data.target !== "hit" || (await mayOpen(u, j.sessionId)) !== "ok"))
      return void res.status(403).json({ error: "forbidden", message: "agents may dispute the rule hits of their own sessions" });
    const id = await insertLabel(
      d.db.sql,
      {
        target: body.data.target,
        targetId: body.data.id,
        sessionId: j.sessionId,
        kind: j.kind,
        verdict: u.role === "agent" ? "disputed" : "wrong",
        status: u.role === "agent" ? "open" : "final",
        byOpenId: u.openId,
        byRole: u.role,
        note: body.data.note ?? null,
      },
      new Date(d.now()),
    );
    d.log.info("judgement labelled", { labelId: id, target: body.data.target, kind: j.kind, by: u.openId });
    res.status(201).json({ id });
  });
  r.post("/console/api/labels/:id/resolve", express.json({ limit: 4096 }), supervisor, async (req, res) => {
    const body = resolveBody.safeParse(req.body);
    const id = Number(req.params.id);
    if (!body.success || !Number.isInteger(id)) return void res.status(400).json({ error: "bad_request", message: "outcome must be upheld or overturned" });
    const label = await getLabel(d.db.sql, id);
    if (!label) return void res.status(404).json({ error: "not_found", message: "no such dispute" });
    const done = await resolveLabel(d.db.sql, id, body.data.outcome, (res.locals.user as ConsoleUser).openId, new Date(d.now()));
    res.status(done ? 200 : 409).json(done ? { status: body.data.outcome } : { error: "conflict", message: "this dispute is not open" });
  });

  // ---- team and rules ----
  // A day's numbers are shared for half a minute by every supervisor's page (it reloads each minute).
  const dayCache = new Map<string, { at: number; stats: Promise<DayStats> }>();
  const statsOf = (day: string) => {
    const hit = dayCache.get(day);
    if (hit && d.now() - hit.at < 30_000) return hit.stats;
    const stats = dayStats(d.db, day, { ...d.dayOptions(), tz: d.tz });
    stats.catch(() => dayCache.delete(day));
    if (dayCache.size > 8) dayCache.clear();
    dayCache.set(day, { at: d.now(), stats });
    return stats;
  };
  r.get("/console/team", wide, async (_req, res) => {
    const today = localDay(new Date(d.now()), d.tz);
    const [a, b] = [await statsOf(today), await statsOf(addDays(today, -1))];
    res.type("html").send(teamPage(shellFor(res, "team"), a, b, d.ruleName));
  });
  r.get("/console/rules", wide, async (_req, res) => {
    const since = new Date(d.now() - 7 * 86_400_000);
    const [stats, labels] = await Promise.all([ruleHitStats(d.db.sql, since), allLabels(d.db.sql)]);
    const hitLabels = labels.filter((l) => l.target === "hit" && l.status !== "open");
    const rows = stats.map((s) => {
      const mine = hitLabels.filter((l) => l.kind === s.kind);
      return { ...s, name: d.ruleName(s.kind), labelled: mine.length, wrong: mine.filter((l) => l.status === "final" || l.status === "overturned").length };
    });
    res.type("html").send(rulesPage(shellFor(res, "rules"), rows));
  });
  // On shutdown, end the live streams (the browser reconnects to another instance) instead of
  // holding the server's close for the whole grace period.
  return {
    router: r,
    closeStreams: () => {
      for (const x of streams) x.end();
    },
  };
}
