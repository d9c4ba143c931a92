import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consolePost, consoleSignIn, dryRunCookie, openLiveStream } from "../helpers/console-client.ts";
import { type FakeLark, startFakeLark } from "../helpers/fake-lark-server.ts";
import { startTestApp, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

const SUP = "ou_sess_sup";
const SUP2 = "ou_sess_sup2";
const AGENTS = Array.from({ length: 41 }, (_, i) => `ou_sess_agent_${i}`);
const APP_SECRET = "sessions-test-app-secret";

let lark: FakeLark;
let dbUrl: string;
let drop: () => Promise<void>;
let app: TestApp;
const env = (supervisors: string) => ({
  LARK_APP_ID: "cli_sessions_test",
  LARK_APP_SECRET: APP_SECRET,
  LARK_DOMAIN: lark.url,
  SUPERVISOR_OPEN_IDS: supervisors,
  AGENT_OPEN_IDS: AGENTS.join(","),
});

beforeAll(async () => {
  lark = await startFakeLark();
  const db = testDatabaseUrl();
  dbUrl = db.url;
  drop = db.drop;
  app = await startTestApp(dbUrl, env(`${SUP},${SUP2}`));
});
afterAll(async () => {
  await app?.stop();
  await drop?.();
  await lark?.close();
});

const board = (cookie: string) => fetch(`${app.url}/console/api/board`, { headers: { cookie } });

describe("console sign-ins live on the server", () => {
  it("logout revokes the sign-in: the same cookie, kept elsewhere, is refused afterwards", async () => {
    const s = await consoleSignIn(app.url, lark, SUP);
    expect((await board(s.cookie)).status).toBe(200);
    const out = await fetch(`${app.url}/console/logout`, {
      method: "POST",
      headers: { cookie: s.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `csrf=${s.csrf}`,
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    expect((await board(s.cookie)).status).toBe(401);
  });

  it("no secret mints a sign-in: a cookie signed with the Lark app secret the old way is nobody", async () => {
    // What anyone holding LARK_APP_SECRET could forge before: a 10-year supervisor cookie.
    const key = createHmac("sha256", APP_SECRET).update("cs-coach console cookies").digest("hex");
    const body = Buffer.from(JSON.stringify({ openId: SUP, name: "x", role: "supervisor", sid: "s", exp: Date.now() + 10 * 365 * 86_400_000 })).toString("base64url");
    const forged = `cs_console=${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
    expect((await board(forged)).status).toBe(401);
  });

  it("the role is read from the configuration in force: a supervisor taken off the list loses it with the cookie they hold", async () => {
    const s = await consoleSignIn(app.url, lark, SUP2);
    expect((await consolePost(app.url, "/console/api/labels", s, { target: "hit", id: 999_999 })).status).toBe(404); // allowed, nothing to label
    // The team lead edits SUPERVISOR_OPEN_IDS and restarts.
    await app.stop();
    app = await startTestApp(dbUrl, env(SUP));
    expect((await board(s.cookie)).status).toBe(401);
    expect((await consolePost(app.url, "/console/api/labels", s, { target: "hit", id: 999_999 })).status).toBe(401);
  });

  it("one person holds at most 4 live boards, and agents can never take the supervisors' reserve", async () => {
    // One at a time: the fake Lark signs in as whoever it was last told.
    const agents: Array<Awaited<ReturnType<typeof consoleSignIn>>> = [];
    for (const id of AGENTS) agents.push(await consoleSignIn(app.url, lark, id));
    const streams: Array<Awaited<ReturnType<typeof openLiveStream>>> = [];
    try {
      for (let i = 0; i < 4; i++) {
        const st = await openLiveStream(app.url, agents[0]!.cookie);
        expect(st.res.status).toBe(200);
        streams.push(st);
      }
      const fifth = await openLiveStream(app.url, agents[0]!.cookie);
      expect(fifth.res.status).toBe(429);
      await fifth.close();
      // 40 agents × 4 = 160 boards: the rest of the 200 are the supervisors' own.
      for (const a of agents.slice(1, 40)) {
        for (let i = 0; i < 4; i++) {
          const st = await openLiveStream(app.url, a.cookie);
          expect(st.res.status).toBe(200);
          streams.push(st);
        }
      }
      const agentPastReserve = await openLiveStream(app.url, agents[40]!.cookie);
      expect(agentPastReserve.res.status).toBe(503);
      await agentPastReserve.close();
      const sup = await consoleSignIn(app.url, lark, SUP);
      const supervisorBoard = await openLiveStream(app.url, sup.cookie);
      expect(supervisorBoard.res.status).toBe(200);
      streams.push(supervisorBoard);
    } finally {
      await Promise.all(streams.map((st) => st.close()));
    }
  });
});

describe("dry-run console behind a proxy", () => {
  let dry: TestApp;
  let dropDry: () => Promise<void>;
  beforeAll(async () => {
    const db = testDatabaseUrl();
    dropDry = db.drop;
    dry = await startTestApp(db.url, {});
  });
  afterAll(async () => {
    await dry?.stop();
    await dropDry?.();
  });

  it("opens without Lark only to a direct loopback caller: a forwarded request gets no cookie, as the ingest API refuses it", async () => {
    expect(await dryRunCookie(dry.url)).toMatch(/^cs_console=/);
    for (const h of [{ "x-forwarded-for": "203.0.113.9" }, { forwarded: "for=203.0.113.9" }, { "x-real-ip": "203.0.113.9" }] as Array<Record<string, string>>) {
      const res = await fetch(`${dry.url}/console/login`, { redirect: "manual", headers: h });
      expect(res.status).toBe(403);
      expect(res.headers.get("set-cookie") ?? "").not.toMatch(/cs_console=/);
      const ingest = await fetch(`${dry.url}/v1/messages`, { method: "POST", headers: { ...h, "content-type": "application/json" }, body: "[]" });
      expect(ingest.status).toBe(401);
    }
  });
});
