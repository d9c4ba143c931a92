import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalSessions } from "../../src/eval/sessions-eval.ts";
import { replaySession } from "../../src/engine/replay-session.ts";
import { exportSessions } from "../../src/reports/export.ts";
import { dayRange, addDays } from "../../src/reports/time-zone.ts";
import { startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { fixture, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { eventually, readJson, startTestApp, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, type TestApp } from "../helpers/start-test-app.ts";
import { loadScorers } from "../../src/scoring/load-scorers.ts";
import { createMemoryLogger } from "../../src/shared/logger.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";
import { testClock } from "../fakes/test-clock.ts";

const TZ = "Asia/Shanghai";
const DAY = "2026-11-20";
const STANDUP_CHAT = "oc_team_standup";
const SUPERVISOR = "ou_sup_standup";
const isPg = /^postgres/.test(process.env.TEST_DATABASE_URL ?? "");

let fake: FakeLark;
let db: { url: string; drop: () => Promise<void> };
let app: TestApp;
/** The app's clock: the morning after DAY, local — never the machine's date or time of day. */
const clock = testClock(0);
/** The default policy, as the app runs it: the evaluation below must judge exactly as live processing did. */
const scorers = loadScorers(undefined, createMemoryLogger("warn"));
const larkEnv = () => ({
  PUBLIC_URL: "https://coach.example.com",
  LARK_APP_ID: "cli_a1b2c3d4e5f60718",
  LARK_APP_SECRET: "s",
  LARK_DOMAIN: fake.url,
  STANDUP_CHAT_ID: STANDUP_CHAT,
  SUPERVISOR_CHAT_ID: "oc_sup",
  SUPERVISOR_OPEN_IDS: SUPERVISOR,
  TZ,
});

/** Local wall-clock time on DAY (or another day) as unix seconds. */
const at = (hhmm: string, day = DAY) => {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return Math.floor(dayRange(day, TZ).start.getTime() / 1000) + h * 3600 + m * 60;
};

type Turn = [role: "customer" | "agent", text: string, offsetSeconds: number];
async function conversation(sessionId: string, agent: { id: string; name: string }, start: number, turns: Turn[]) {
  const messages = turns.map(([role, text, off], i) => ({
    sessionId,
    messageId: `${sessionId}-${i}`,
    role,
    text,
    ts: start + off,
    senderId: role === "agent" ? agent.id : `cust-${sessionId}`,
    senderName: role === "agent" ? agent.name : undefined,
  }));
  const res = await fetch(`${app.url}/v1/messages`, { method: "POST", headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(messages) });
  expect(res.status).toBe(202);
}

const WANG = { id: "agent-wang", name: "小王" };
const LI = { id: "agent-li", name: "小李" };

beforeAll(async () => {
  fake = await startFakeLark();
  db = testDatabaseUrl();
  clock.set(at("10:00", addDays(DAY, 1)) * 1000);
  app = await startTestApp(db.url, larkEnv(), { pollMs: { inbox: 10, outbox: 20, standup: 20 }, clock });
  // The day before: one quiet session.
  await conversation("d0-clean", WANG, at("11:00", addDays(DAY, -1)), [
    ["customer", "你好，请问这款有蓝色吗", 0],
    ["agent", "您好，很高兴为您服务，有蓝色的哦", 4],
    ["customer", "好的谢谢", 30],
    ["agent", "不客气，请问还有其他问题吗？祝您生活愉快", 35],
  ]);
  // The day: a clean session, a complaint handled badly, a 12315 threat, a quality complaint.
  await conversation("d1-clean", WANG, at("09:30"), [
    ["customer", "请问发什么快递", 0],
    ["agent", "您好，很高兴为您服务，默认顺丰", 3],
    ["customer", "好的", 20],
    ["agent", "请问还有其他问题吗？祝您生活愉快", 25],
  ]);
  await conversation("d1-slow", LI, at("10:15"), [
    ["customer", "快递一个星期了还没到，太离谱了！", 0],
    ["agent", "订单号发一下", 25],
    ["customer", "123456789，你们到底管不管", 40],
    ["agent", "这不是我们的问题，是快递慢", 50],
  ]);
  await conversation("d1-threat", WANG, at("14:05"), [
    ["customer", "衣服洗一次就褪色了，质量太差", 0],
    ["agent", "您好，非常抱歉给您带来不便，我帮您处理", 5],
    ["customer", "再不给我退款我就打12315投诉你们", 30],
    ["agent", "非常理解您的心情，马上为您办理退款，请问还有其他问题吗", 36],
  ]);
  await conversation("d1-quality", LI, at("16:40"), [
    ["customer", "收到的杯子有裂痕，质量有问题", 0],
    ["agent", "您好，抱歉，麻烦拍个照片", 6],
    ["customer", "[image]", 30],
    ["agent", "已为您补发，请问还有其他问题吗？", 40],
  ]);
  await eventually(async () => (await app.db.prisma.message.count()) === 20 && (await app.db.prisma.inboxEvent.count({ where: { status: "pending" } })) === 0, "replayed");
  // The day ends: sessions close (end-of-session checks and detectors run).
  await app.workers.runOnce("idle sweeper");
  // A supervisor judges one alert a false alarm.
  const alert = await app.db.prisma.alert.findFirst({ where: { session: { externalKey: "d1-slow" } } });
  expect(alert).toBeTruthy();
  const click = fixture("card.action.trigger.callback.jsonc");
  click.header = { ...click.header, event_id: "evt_standup_click", token: TEST_VERIFICATION_TOKEN };
  click.event.operator.open_id = SUPERVISOR;
  click.event.action.value = { cs_coach: "alert", alertId: alert!.id, action: "false_alarm" };
  const req = larkRequest(click, { encryptKey: TEST_ENCRYPT_KEY, timestamp: Math.floor(clock.now() / 1000) });
  const res = await fetch(`${app.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers });
  expect((await readJson(res)).toast).toMatchObject({ type: "success" });
});
afterAll(async () => {
  await app?.stop();
  await fake.close();
  await db.drop();
});

describe("daily stand-up", () => {
  it("posts a JSON 2.0 card whose numbers match the database, recomputed here independently", async () => {
    const res = await fetch(`${app.url}/v1/reports/standup`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ date: DAY }),
    });
    expect(res.status).toBe(201);
    const body = await readJson(res);

    // Independent recomputation from the rows.
    const { start, end } = dayRange(DAY, TZ);
    const msgs = await app.db.prisma.message.findMany({ where: { sentAt: { gte: start, lt: end } } });
    const sessionIds = [...new Set(msgs.map((m) => m.sessionId))];
    const sessions = await app.db.prisma.session.findMany({ where: { id: { in: sessionIds } } });
    const qa = Math.round((sessions.reduce((a, s) => a + s.qaScore!, 0) / sessions.length) * 10) / 10;
    const fr = sessions.map((s) => s.firstResponseSecs!).sort((a, b) => a - b);
    const sla = Math.round((fr.filter((x) => x <= 10).length / fr.length) * 1000) / 1000;
    const alerts = await app.db.prisma.alert.findMany({ where: { kind: "session", createdAt: { gte: start, lt: end } }, include: { feedback: true } });
    const falseAlarms = alerts.filter((a) => a.feedback.some((f) => f.action === "false_alarm")).length;

    expect(body.stats).toMatchObject({ sessions: 4, messages: 16, qaAverage: qa, alerts: { raised: alerts.length, falseAlarm: falseAlarms } });
    expect(body.stats.firstResponse).toMatchObject({ n: 4, p50: fr[1], slaAttainment: sla });
    expect(alerts.length).toBeGreaterThanOrEqual(2);
    expect(falseAlarms).toBe(1);

    const card = JSON.parse((await eventually(() => fake.delivered.find((c) => c.body?.receive_id === STANDUP_CHAT), "stand-up card sent")).body.content);
    expect(card).toMatchObject({ schema: "2.0", config: { update_multi: true }, header: { title: { tag: "plain_text" } } });
    for (const e of card.body.elements) expect(["markdown", "hr", "chart", "button"]).toContain(e.tag);
    // Its button opens Team today in the console.
    expect(JSON.stringify(card)).toContain('"default_url":"https://coach.example.com/console/team"');
    const text = card.body.elements
      .filter((e: { tag: string }) => e.tag === "markdown")
      .map((e: { content: string }) => e.content)
      .join("\n");
    expect(text).toContain(`4 / 16`);
    expect(text).toContain(`质检均分** ${qa}`);
    expect(text).toContain(`${Math.round(sla * 1000) / 10}%`);
    expect(text).toContain(`**告警** ${alerts.length}`);
    expect(text).toContain(`误报 ${falseAlarms}`);
    expect(text).toMatch(/客服之星\*\* 小王/);
    expect(text).toMatch(/需辅导\*\* 小李（[^a-z（）]+，复习微课：[^a-z（）]+）/);
    expect(text).toContain("物流配送");
    const chart = card.body.elements.find((e: { tag: string }) => e.tag === "chart").chart_spec;
    const volume = chart.data.find((d: { id: string }) => d.id === "volume").values;
    expect(volume.reduce((a: number, v: { messages: number }) => a + v.messages, 0)).toBe(16);
    // Day-before comparison is there, and the narrative is the templated one (no LLM).
    expect(text).toMatch(/4 \/ 16 \(↑3\)/);
    expect(body.narrative.source).toBe("template");

    // The same day cannot be posted twice.
    const again = await readJson(
      await fetch(`${app.url}/v1/reports/standup`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ date: DAY }),
      }),
    );
    expect(again.posted).toBe(false);
    expect(fake.delivered.filter((c) => c.body?.receive_id === STANDUP_CHAT)).toHaveLength(1);
  });

  it('says so on an empty day, and says "yesterday" only of yesterday', async () => {
    const ask = async (date?: string) =>
      readJson(
        await fetch(`${app.url}/v1/reports/standup`, {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ ...(date ? { date } : {}), dryRun: true }),
        }),
      );
    const old = await ask("2026-10-01");
    expect(old.posted).toBe(false);
    expect(JSON.stringify(old.card)).toContain("2026-10-01 没有会话记录");
    expect(JSON.stringify(old.card)).not.toContain("昨日");
    // Two days after DAY, "yesterday" is DAY + 1: an empty day that may be called yesterday.
    clock.set(at("10:00", addDays(DAY, 2)) * 1000);
    try {
      const y = await ask();
      expect(y.stats.day).toBe(addDays(DAY, 1));
      expect(JSON.stringify(y.card)).toContain("昨日没有会话记录");
    } finally {
      clock.set(at("10:00", addDays(DAY, 1)) * 1000);
    }
  });

  it("names rules and lessons as people say them, and coaches the agent whose one session went badly", async () => {
    const r = await readJson(
      await fetch(`${app.url}/v1/reports/standup`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ date: DAY, dryRun: true }),
      }),
    );
    const text = JSON.stringify(r.card);
    // No raw ids: neither rule kinds (missing_apology) nor lesson ids (never-argue).
    expect(text).not.toMatch(/\b[a-z]+_[a-z_]+ ×/);
    expect(text).not.toMatch(/复习微课：[a-z-]+/);
    expect(text).toMatch(/最常违反\*\* [^a-z]+ ×\d/);
    // 小李 had two sessions, both poor; 小王 had the best QA. The coach is 小李, named with a rule and a lesson title.
    expect(text).toMatch(/需辅导\*\* 小李（[^a-z（）]+，复习微课：[^a-z（）]+）/);
  });

  it("an export of the day, fed back to the sessions evaluation, reproduces the same findings", async () => {
    const rows = await exportSessions(app.db, {
      ...(() => {
        const r = dayRange(DAY, TZ);
        return { from: r.start, to: r.end };
      })(),
      includePii: false,
    });
    expect(rows).toHaveLength(4);
    const file = join(tmpdir(), `cs-coach-export-${process.pid}.jsonl`);
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
    const r = evalSessions(file, scorers);
    expect(r).toMatchObject({ n: 4, fp: 0, fn: 0 });
    for (const s of rows) {
      const replayed = new Set(replaySession(scorers, s.messages as never, s.lang).findings.map((f) => `${f.detector}:${f.severity}`));
      const live = new Set(s.findings.filter((f) => f.detector !== "waiting").map((f) => `${f.detector}:${f.severity}`));
      expect([...replayed].sort(), s.externalKey).toEqual([...live].sort());
    }
    rmSync(file, { force: true });
  });
});

describe("scheduler", () => {
  const schedEnv = (chat: string) => ({ ...larkEnv(), STANDUP_TIME: "09:00", STANDUP_CHAT_ID: chat });
  const sched = { pollMs: { inbox: 50, outbox: 20, standup: 20 } };
  const posts = (chat: string) => fake.delivered.filter((c) => c.body?.receive_id === chat);
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it("a fresh install never reports on a day before it existed, even past the scheduled time", async () => {
    const fresh = testDatabaseUrl();
    const c = testClock(at("09:30", "2026-11-22") * 1000);
    const a = await startTestApp(fresh.url, schedEnv("oc_sched_fresh"), { ...sched, clock: c });
    try {
      expect(await a.workers.runOnce("stand-up")).toBe(0);
      await settle();
      expect(posts("oc_sched_fresh")).toHaveLength(0);
      // The next morning it has a day of its own to report on.
      c.set(at("09:01", "2026-11-23") * 1000);
      await eventually(() => posts("oc_sched_fresh").length === 1, "first real stand-up posted");
    } finally {
      await a.stop();
      await fresh.drop();
    }
  });

  it("catches up after downtime across a month's end, and posts once across restarts", async () => {
    const fresh = testDatabaseUrl();
    const c = testClock(at("08:00", "2026-11-30") * 1000);
    const chat = "oc_sched_restart";
    const first = await startTestApp(fresh.url, schedEnv(chat), { ...sched, clock: c });
    await settle();
    expect(posts(chat)).toHaveLength(0); // installed on the 30th: nothing to say about the 29th
    await first.stop();
    // Down from the 30th until after the next morning's post time, which falls in another month.
    c.set(at("11:45", "2026-12-01") * 1000);
    const second = await startTestApp(fresh.url, schedEnv(chat), { ...sched, clock: c });
    await eventually(async () => (await second.db.prisma.reportRun.count({ where: { kind: "standup", day: "2026-11-30" } })) === 1, "caught up");
    await second.stop();
    const third = await startTestApp(fresh.url, schedEnv(chat), { ...sched, clock: c });
    await settle();
    expect(await third.db.prisma.reportRun.count({ where: { kind: "standup" } })).toBe(1);
    await eventually(() => posts(chat).length === 1, "one card");
    await settle();
    expect(posts(chat)).toHaveLength(1);
    const card = JSON.parse(posts(chat)[0]!.body.content);
    expect(card.header.title.content).toContain("2026-11-30");
    expect(JSON.stringify(card)).toContain("昨日没有会话记录");
    await third.stop();
    await fresh.drop();
  });

  it.skipIf(!isPg)("two instances on one PostgreSQL and a restart around the scheduled minute still post exactly once", async () => {
    const fresh = testDatabaseUrl();
    const c = testClock(at("20:00", "2026-11-21") * 1000);
    const chat = "oc_sched_pg";
    const install = await startTestApp(fresh.url, schedEnv(chat), { ...sched, clock: c });
    await install.stop();
    c.set(at("08:59", "2026-11-22") * 1000 + 59_500);
    const a = await startTestApp(fresh.url, schedEnv(chat), { ...sched, clock: c });
    const b = await startTestApp(fresh.url, schedEnv(chat), { ...sched, clock: c });
    await eventually(() => posts(chat).length > 0, "posted");
    await a.stop();
    const a2 = await startTestApp(fresh.url, schedEnv(chat), { ...sched, clock: c });
    await settle();
    expect(posts(chat)).toHaveLength(1);
    expect(await b.db.prisma.reportRun.count({ where: { kind: "standup", day: "2026-11-21" } })).toBe(1);
    await Promise.all([b.stop(), a2.stop()]);
    await fresh.drop();
  });
});
