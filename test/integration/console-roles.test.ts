import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalFeedback } from "../../src/eval/feedback-eval.ts";
import { clockFormatter } from "../../src/reports/time-zone.ts";
import { sayEvidence } from "../../src/scoring/compliance/hit-evidence.ts";
import { consolePost, consoleSignIn, loginPage, openLiveStream } from "../helpers/console-client.ts";
import { type FakeLark, startFakeLark } from "../helpers/fake-lark-server.ts";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, readJson, startTestApp, TEST_ENCRYPT_KEY, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";
import { testClock } from "../fakes/test-clock.ts";

// Runs from the machine's time (the Lark events below are signed with it); only moved to age a sign-in state.
const clock = testClock(Date.now());

let lark: FakeLark;
let app: TestApp;
let drop: () => Promise<void>;
const SUP = "ou_sup_1";
const LEAD = "ou_lead_1";
const AGENT_A = "ou_agent_a";
const AGENT_B = "ou_agent_b";
let sessionA = "";
let sessionB = "";
let alertA = 0;
let hitB = 0;

const say = async (chatId: string, senderOpenId: string, text: string, t: number) => {
  const req = larkRequest(imMessageEvent({ chatId, chatType: "group", senderOpenId, text, createTime: t }), { encryptKey: TEST_ENCRYPT_KEY });
  expect((await fetch(`${app.url}/lark/events`, { method: "POST", headers: req.headers, body: req.body })).status).toBe(200);
};

beforeAll(async () => {
  lark = await startFakeLark();
  const db = testDatabaseUrl();
  drop = db.drop;
  app = await startTestApp(
    db.url,
    {
      LARK_APP_ID: "cli_console_test",
      LARK_APP_SECRET: "console-test-app-secret",
      LARK_DOMAIN: lark.url,
      SUPERVISOR_OPEN_IDS: SUP,
      SUPERVISOR_CHAT_ID: "oc_supervisors",
      TEAM_LEAD_OPEN_IDS: LEAD,
      AGENT_OPEN_IDS: `${AGENT_A},${AGENT_B}`,
    },
    { clock },
  );
  const t = Date.now() - 60_000;
  await say("oc_chat_a", "ou_customer_a", "你们什么态度！气死我了，再不退款我就投诉12315", t);
  await say("oc_chat_a", AGENT_A, "您好，非常抱歉，我马上帮您处理", t + 5_000);
  await say("oc_chat_b", "ou_customer_b", "请问发货了吗", t + 1_000);
  await say("oc_chat_b", AGENT_B, "不知道", t + 6_000);
  const rows = await eventually(async () => {
    const s = await app.db.prisma.session.findMany({ where: { agentId: { not: null } }, select: { id: true, externalKey: true } });
    return s.length === 2 ? s : undefined;
  }, "two sessions with their agents");
  sessionA = rows.find((r) => r.externalKey === "oc_chat_a")!.id;
  sessionB = rows.find((r) => r.externalKey === "oc_chat_b")!.id;
  alertA = (await eventually(() => app.db.prisma.alert.findFirst({ where: { sessionId: sessionA } }), "an alert on chat A")).id;
  hitB = (await eventually(() => app.db.prisma.ruleHit.findFirst({ where: { sessionId: sessionB } }), "a rule hit on chat B")).id;
});
afterAll(async () => {
  await app?.stop();
  await drop?.();
  await lark?.close();
});

describe("console sign-in and roles (every route, every role)", () => {
  it("signs in through Lark's authorization-code flow; the cookie is httpOnly and SameSite, the URL carries no customer data", async () => {
    lark.signInAs(SUP, "Supervisor One");
    const login = await loginPage(app.url, "/console/login?next=/console/team");
    const authorize = new URL(login.authorize);
    expect(authorize.origin + authorize.pathname).toBe(`${lark.url}/open-apis/authen/v1/authorize`);
    expect(authorize.searchParams.get("client_id")).toBe("cli_console_test");
    expect(login.browserCookie).toMatch(/^cs_login=/);
    const back = await fetch((await fetch(authorize, { redirect: "manual" })).headers.get("location")!, { redirect: "manual", headers: { cookie: login.browserCookie } });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe("/console/team");
    const cookie = back.headers.getSetCookie().find((c) => c.startsWith("cs_console="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    // The code was exchanged with the app secret, and never reached the log.
    const token = lark.requests.find((r) => r.path === "/open-apis/authen/v2/oauth/token")!;
    expect(token.body).toMatchObject({ grant_type: "authorization_code", client_id: "cli_console_test", client_secret: "console-test-app-secret" });
    expect(app.logLines.join("\n")).not.toContain("console-test-app-secret");
    expect(app.logLines.join("\n")).not.toContain(token.body.code);
  });

  it("inside the Lark client: the JSSDK's code (no-login) signs in too, only with the login page's state", async () => {
    lark.signInAs(LEAD, "Lead One");
    const { state, browserCookie } = await loginPage(app.url);
    const post = (body: unknown, cookie = browserCookie) =>
      fetch(`${app.url}/console/auth/code`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify(body), redirect: "manual" });
    const good = await post({ code: lark.issueCode(), state });
    expect(good.status).toBe(303);
    expect(good.headers.get("set-cookie")).toMatch(/^cs_console=/);
    expect((await post({ code: lark.issueCode(), state: "forged.state" })).status).toBe(400);
  });

  it("a sign-in state is single use, short-lived and bound to the browser that opened the login page (no login CSRF)", async () => {
    lark.signInAs(LEAD, "Lead One");
    const tokenCalls = () => lark.requests.filter((r) => r.path === "/open-apis/authen/v2/oauth/token").length;
    const post = (state: string, cookie: string) =>
      fetch(`${app.url}/console/auth/code`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ code: lark.issueCode(), state }), redirect: "manual" });
    // Used once, then never again: forty replays of one state cost Lark one token call.
    const first = await loginPage(app.url);
    const before = tokenCalls();
    expect((await post(first.state, first.browserCookie)).status).toBe(303);
    const replays = await Promise.all(Array.from({ length: 40 }, () => post(first.state, first.browserCookie)));
    expect(replays.every((r) => r.status === 400 || r.status === 429)).toBe(true);
    expect(tokenCalls() - before).toBe(1);
    // Someone else's state (a link an attacker made with theirs) does not sign this browser in.
    const attacker = await loginPage(app.url);
    const victim = await loginPage(app.url);
    const crossed = await post(attacker.state, victim.browserCookie);
    expect(crossed.status).toBe(400);
    expect(crossed.headers.get("set-cookie") ?? "").not.toMatch(/cs_console=/);
    expect((await post(victim.state, "")).status).toBe(400);
    // After ten minutes a state is stale.
    const old = await loginPage(app.url);
    clock.advance(11 * 60_000);
    try {
      expect((await post(old.state, old.browserCookie)).status).toBe(400);
      expect((await post(attacker.state, attacker.browserCookie)).status).toBe(400); // stale by now too
      const fresh = await loginPage(app.url);
      expect((await post(fresh.state, fresh.browserCookie)).status).toBe(303);
    } finally {
      clock.advance(-11 * 60_000);
    }
  });

  it("sign-ins waiting on Lark are bounded per client: past 5 at once from one address the next is a 429 at once, the waiting ones complete", async () => {
    lark.signInAs(LEAD, "Lead One");
    const pages = await Promise.all(Array.from({ length: 6 }, () => loginPage(app.url)));
    const tokenCalls = () => lark.requests.filter((r) => r.path === "/open-apis/authen/v2/oauth/token").length;
    const before = tokenCalls();
    const release = lark.holdTokens();
    const codeIn = (p: (typeof pages)[number]) =>
      fetch(`${app.url}/console/auth/code`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: p.browserCookie },
        body: JSON.stringify({ code: lark.issueCode(), state: p.state }),
        redirect: "manual",
      });
    const waiting = pages.slice(0, 5).map(codeIn);
    await eventually(() => tokenCalls() - before === 5, "five exchanges waiting at Lark");
    const refused = await codeIn(pages[5]!);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    release();
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual(Array(5).fill(303));
    // Its state was not spent by the refusal: the same page signs in once a slot is free.
    expect((await codeIn(pages[5]!)).status).toBe(303);
  });

  it("anyone not listed is refused at sign-in", async () => {
    const s = await consoleSignIn(app.url, lark, "ou_stranger");
    expect(s.status).toBe(403);
    expect(s.cookie).toBe("");
  });

  it("without a sign-in: pages redirect to the login, the API and the stream answer 401", async () => {
    expect((await fetch(`${app.url}/console`, { redirect: "manual" })).status).toBe(303);
    expect((await fetch(`${app.url}/console/sessions/${sessionA}`, { redirect: "manual" })).status).toBe(303);
    expect((await fetch(`${app.url}/console/api/board`)).status).toBe(401);
    expect((await fetch(`${app.url}/console/events`)).status).toBe(401);
    expect((await consolePost(app.url, `/console/api/alerts/${alertA}/action`, { cookie: "" }, { action: "acknowledge", requestId: "r-00000001" })).status).toBe(401);
    // A forged or altered cookie is no sign-in.
    expect((await fetch(`${app.url}/console/api/board`, { headers: { cookie: "cs_console=eyJvcGVuSWQiOiJvdV9zdXBfMSJ9.AAAA" } })).status).toBe(401);
  });

  it("an agent sees only their own sessions, may dispute their own hits, and nothing else", async () => {
    const a = await consoleSignIn(app.url, lark, AGENT_B, "Agent B");
    expect(a.status).toBe(303);
    const board = await readJson(await fetch(`${app.url}/console/api/board`, { headers: { cookie: a.cookie } }));
    expect(board.rows.map((r: { id: string }) => r.id)).toEqual([sessionB]);
    expect((await fetch(`${app.url}/console/sessions/${sessionB}`, { headers: { cookie: a.cookie } })).status).toBe(200);
    expect((await fetch(`${app.url}/console/sessions/${sessionA}`, { headers: { cookie: a.cookie } })).status).toBe(403);
    expect((await fetch(`${app.url}/console/team`, { headers: { cookie: a.cookie } })).status).toBe(403);
    expect((await fetch(`${app.url}/console/rules`, { headers: { cookie: a.cookie } })).status).toBe(403);
    expect((await consolePost(app.url, `/console/api/alerts/${alertA}/action`, a, { action: "false_alarm", requestId: "r-agent-001" })).status).toBe(403);
    const dispute = await consolePost(app.url, "/console/api/labels", a, { target: "hit", id: hitB, note: "I did answer" });
    expect(dispute.status).toBe(201);
    const label = await app.db.prisma.judgementLabel.findUniqueOrThrow({ where: { id: (await readJson(dispute)).id } });
    expect(label).toMatchObject({ target: "hit", targetId: hitB, verdict: "disputed", status: "open", byRole: "agent" });
    // Agent A may not dispute agent B's hit, nor resolve anything.
    const other = await consoleSignIn(app.url, lark, AGENT_A);
    expect((await consolePost(app.url, "/console/api/labels", other, { target: "hit", id: hitB })).status).toBe(403);
    expect((await consolePost(app.url, `/console/api/labels/${label.id}/resolve`, other, { outcome: "overturned" })).status).toBe(403);
  });

  it("an agent's live stream carries their own sessions only, never another's id", async () => {
    const a = await consoleSignIn(app.url, lark, AGENT_B, "Agent B");
    const stream = await openLiveStream(app.url, a.cookie);
    try {
      const t = Date.now() - 30_000;
      await say("oc_chat_a", "ou_customer_a", "还在吗？", t);
      await say("oc_chat_b", "ou_customer_b", "好的谢谢", t + 1_000);
      await eventually(() => stream.text().includes(`"id":"${sessionB}"`), "agent B's own row on the stream");
      expect(stream.text()).not.toContain(sessionA);
    } finally {
      await stream.close();
    }
  });

  it("a team lead reads everything and changes nothing", async () => {
    const l = await consoleSignIn(app.url, lark, LEAD);
    const board = await readJson(await fetch(`${app.url}/console/api/board`, { headers: { cookie: l.cookie } }));
    expect(board.rows.map((r: { id: string }) => r.id).sort()).toEqual([sessionA, sessionB].sort());
    for (const p of ["/console", "/console/team", "/console/rules", `/console/sessions/${sessionA}`]) expect((await fetch(`${app.url}${p}`, { headers: { cookie: l.cookie } })).status, p).toBe(200);
    // The session page speaks the team's language and clock: findings and the alert in the card's
    // words (not the stored English summary), times in TZ.
    const page = await (await fetch(`${app.url}/console/sessions/${sessionA}`, { headers: { cookie: l.cookie } })).text();
    expect(page).toContain("顾客扬言");
    expect(page).not.toContain("Customer threatens");
    const first = await app.db.prisma.message.findFirstOrThrow({ where: { sessionId: sessionA }, orderBy: { sentAt: "asc" } });
    expect(page).toContain(clockFormatter(app.config.env.TZ)(first.sentAt));
    // Rule hits' evidence too (the engine stores it in English, for evaluations).
    const hit = await app.db.prisma.ruleHit.findUniqueOrThrow({ where: { id: hitB } });
    const pageB = await (await fetch(`${app.url}/console/sessions/${sessionB}`, { headers: { cookie: l.cookie } })).text();
    expect(sayEvidence(hit.evidence, "zh")).not.toBe(hit.evidence);
    expect(pageB).toContain(sayEvidence(hit.evidence, "zh"));
    expect(pageB).not.toContain(hit.evidence);
    // The board's filters are the server's: by risk, and by agent (the participant id in the URL, not a name).
    const rowsOf = async (q: string) => [...(await (await fetch(`${app.url}/console${q}`, { headers: { cookie: l.cookie } })).text()).matchAll(/<tr id="s-([^"]+)"/g)].map((m) => m[1]);
    expect(await rowsOf("?severity=critical")).toEqual([sessionA]);
    const agentB = (await app.db.prisma.session.findUniqueOrThrow({ where: { id: sessionB } })).agentId!;
    expect(await rowsOf(`?agent=${encodeURIComponent(agentB)}`)).toEqual([sessionB]);
    expect((await rowsOf("?severity=bogus")).sort()).toEqual([sessionA, sessionB].sort());
    expect((await consolePost(app.url, `/console/api/alerts/${alertA}/action`, l, { action: "acknowledge", requestId: "r-lead-0001" })).status).toBe(403);
    expect((await consolePost(app.url, "/console/api/labels", l, { target: "hit", id: hitB })).status).toBe(403);
  });

  it("a supervisor acts: the action needs the CSRF token, is stored once per click, and patches the alert card at Lark", async () => {
    const s = await consoleSignIn(app.url, lark, SUP, "主管小王");
    const body = { action: "acknowledge", requestId: "r-sup-000001" };
    expect((await consolePost(app.url, `/console/api/alerts/${alertA}/action`, { cookie: s.cookie }, body)).status).toBe(403);
    expect((await consolePost(app.url, `/console/api/alerts/${alertA}/action`, { cookie: s.cookie, csrf: "wrong" }, body)).status).toBe(403);
    const ok = await consolePost(app.url, `/console/api/alerts/${alertA}/action`, s, body);
    expect(await ok.json()).toEqual({ applied: true, closed: false });
    // The same click again (a retry) is the same event: not applied twice.
    expect(await (await consolePost(app.url, `/console/api/alerts/${alertA}/action`, s, body)).json()).toEqual({ applied: false, closed: false });
    // Another click on an alert already handled says so.
    expect(await (await consolePost(app.url, `/console/api/alerts/${alertA}/action`, s, { action: "snooze", requestId: "r-sup-000002" })).json()).toEqual({ applied: false, closed: true });
    expect(await app.db.prisma.alertFeedback.count({ where: { alertId: alertA } })).toBe(1);
    expect((await app.db.prisma.alert.findUniqueOrThrow({ where: { id: alertA } })).actedBy).toBe(SUP);
    // The board and the session page say who acted by name (the one Lark gave at sign-in), not by open_id.
    const boardHtml = await (await fetch(`${app.url}/console`, { headers: { cookie: s.cookie } })).text();
    expect(boardHtml).toMatch(/处理人 主管小王/);
    const sessionHtml = await (await fetch(`${app.url}/console/sessions/${sessionA}`, { headers: { cookie: s.cookie } })).text();
    expect(sessionHtml).toContain("知悉 · 主管小王");
    expect(sessionHtml).not.toContain(SUP);
    const patched = await eventually(
      () => lark.requests.find((r) => r.method === "PATCH" && /^\/open-apis\/im\/v1\/messages\/[^/]+$/.test(r.path) && JSON.stringify(r.body).includes(SUP)),
      "the alert card patched at Lark with who acted",
    );
    expect(JSON.stringify(patched.body)).toMatch(/已知悉|acknowledged/);
    // Marking a hit wrong, and resolving the agent's dispute.
    const wrong = await consolePost(app.url, "/console/api/labels", s, { target: "hit", id: hitB });
    expect(wrong.status).toBe(201);
    const open = await app.db.prisma.judgementLabel.findFirstOrThrow({ where: { status: "open" } });
    expect((await consolePost(app.url, `/console/api/labels/${open.id}/resolve`, s, { outcome: "overturned" })).status).toBe(200);
    expect((await consolePost(app.url, `/console/api/labels/${open.id}/resolve`, s, { outcome: "upheld" })).status).toBe(409);
    // eval -- feedback counts them: the hit marked wrong and the dispute overturned, both wrong.
    const hitKind = (await app.db.prisma.ruleHit.findUniqueOrThrow({ where: { id: hitB } })).kind;
    expect((await evalFeedback(app.db)).labels[`hit:${hitKind}`]).toEqual({ wrong: 2, upheld: 0, open: 0 });
  });

  it("bad input to an action is a 400 with the reason", async () => {
    const s = await consoleSignIn(app.url, lark, SUP);
    const bad = await consolePost(app.url, `/console/api/alerts/${alertA}/action`, s, { action: "delete_everything", requestId: "r-bad-00001" });
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).message).toMatch(/action/);
    expect((await consolePost(app.url, "/console/api/alerts/999999/action", s, { action: "acknowledge", requestId: "r-none-0001" })).status).toBe(404);
  });
});
