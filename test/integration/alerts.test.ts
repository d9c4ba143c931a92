import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY_PATH } from "../../src/scoring/compliance/policy-schema.ts";
import { evalFeedback } from "../../src/eval/feedback-eval.ts";
import { startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { fixture, imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { AGENT_OPEN_ID, eventually, readJson, startTestApp, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

const SUPERVISOR = "ou_supervisor_01";
const CONSOLE = "https://coach.example.com";
const SUP_CHAT = "oc_supervisors";
let fake: FakeLark;
let db: { url: string; drop: () => Promise<void> };
let app: TestApp | undefined;
const policyFile = join(tmpdir(), `cs-coach-alert-policy-${process.pid}.json`);

const start = () =>
  startTestApp(
    db.url,
    { LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "s", LARK_DOMAIN: fake.url, SUPERVISOR_CHAT_ID: SUP_CHAT, SUPERVISOR_OPEN_IDS: SUPERVISOR, POLICY_FILE: policyFile, PUBLIC_URL: CONSOLE },
    { pollMs: { inbox: 10, outbox: 10, waiting: 100 }, outboxBackoffMs: { base: 10, max: 50 } },
  );

beforeAll(async () => {
  fake = await startFakeLark();
  db = testDatabaseUrl();
  // Waits measured in seconds so the timer test stays short.
  const policy = JSON.parse(readFileSync(DEFAULT_POLICY_PATH, "utf8"));
  policy.detection = { firstReplyWaitSeconds: 1, replyWaitSeconds: 1 };
  writeFileSync(policyFile, JSON.stringify(policy));
  app = await start();
});
afterAll(async () => {
  await app?.stop();
  await fake.close();
  await db.drop();
  rmSync(policyFile, { force: true });
});

const post = async (event: unknown) => {
  const req = larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY });
  const res = await fetch(`${app!.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers });
  expect(res.status).toBe(200);
  return readJson(res);
};
const say = (chatId: string, text: string, who: "customer" | "agent", t: number) =>
  post(imMessageEvent({ chatId, chatType: "p2p", text, senderOpenId: who === "agent" ? AGENT_OPEN_ID : "ou_customer_7", createTime: t }));
const creates = (chat: string) => fake.delivered.filter((c) => c.path === "/open-apis/im/v1/messages" && c.body.receive_id === chat);
const cardOf = (call: { body: { content: string } }) => JSON.parse(call.body.content);

describe("alerts end to end (fake Lark)", () => {
  it("an escalating conversation produces one card, updated in place, with a buzz when it turns critical", async () => {
    const chat = "oc_escalating";
    // Timestamps a minute ahead: the waiting timer (1 s in this policy) must not fire between
    // the customer's first message and the agent's reply on a slow machine.
    const t0 = Date.now() + 60_000;
    await say(chat, "我的快递一个星期了还没到", "customer", t0);
    await say(chat, "您好，非常抱歉让您久等了，我帮您查一下", "agent", t0 + 5_000);
    const sent = Date.now();
    await say(chat, "再不处理我就打12315投诉你们，还要发微博曝光！", "customer", t0 + 20_000);
    const first = await eventually(() => creates(SUP_CHAT)[0], "alert card created");
    const latencyMs = Date.now() - sent;
    expect(latencyMs).toBeLessThan(5_000); // generous here; the benchmark measures p99
    const card = cardOf(first);
    expect(card.schema).toBe("2.0");
    expect(card.header.template).toBe("red");
    const text = JSON.stringify(card);
    expect(text).toContain("监管投诉"); // the zh card says it in Chinese
    expect(text).not.toContain("regulator");
    expect(text).toContain("12315");
    expect(text).toContain("take_over");
    // Its button opens the session's console page (our id in the path, never the customer's).
    const session = (await app!.db.prisma.session.findFirstOrThrow({ where: { externalKey: chat } })).id;
    expect(text).toContain(`"default_url":"${CONSOLE}/console/sessions/${session}"`);
    // Critical: the supervisors are buzzed on the card.
    await eventually(() => fake.delivered.some((c) => c.path.endsWith("/urgent_app") && c.body.user_id_list?.includes(SUPERVISOR)), "urgent buzz");

    await say(chat, "你们就是骗子，我要找律师起诉你们！", "customer", t0 + 40_000);
    const messageId = (await app!.db.prisma.outboxMessage.findFirst({ where: { kind: "message.create", target: `chat_id:${SUP_CHAT}` } }))!.resultMessageId;
    const patch = await eventually(() => fake.delivered.find((c) => c.method === "PATCH" && c.path === `/open-apis/im/v1/messages/${messageId}`), "card patched");
    expect(JSON.stringify(cardOf(patch))).toContain("法律途径");
    // The worst finding leads, and the subtitle says it: a later, milder finding does not replace it.
    expect(cardOf(patch).header.subtitle.content).toMatch(/扬言/);
    expect(creates(SUP_CHAT)).toHaveLength(1);
    expect(await app!.db.prisma.alert.count({ where: { kind: "session" } })).toBe(1);
  });

  it("a supervisor's click updates the card and is stored; anyone else is refused and nothing is stored", async () => {
    const alert = (await app!.db.prisma.alert.findFirst({ where: { kind: "session" } }))!;
    const click = (operator: string, action: string, eventId: string) => {
      const e = fixture("card.action.trigger.callback.jsonc");
      e.header.token = TEST_VERIFICATION_TOKEN;
      e.header.event_id = eventId;
      e.event.operator.open_id = operator;
      e.event.action.value = { cs_coach: "alert", alertId: alert.id, action };
      return post(e);
    };
    const refused = await click("ou_not_a_supervisor", "false_alarm", "evt_click_1");
    expect(refused.toast.type).toBe("error");
    expect(refused.card).toBeUndefined();
    expect(await app!.db.prisma.alertFeedback.count()).toBe(0);
    expect((await app!.db.prisma.alert.findUnique({ where: { id: alert.id } }))!.status).toBe("open");

    const ok = await click(SUPERVISOR, "acknowledge", "evt_click_2");
    expect(ok.toast.type).toBe("success");
    const body = JSON.stringify(ok.card.data);
    expect(body).toContain(SUPERVISOR);
    expect(body).toContain("已知悉");
    expect(body).not.toContain("take_over"); // buttons gone once acted on
    const again = await click(SUPERVISOR, "acknowledge", "evt_click_2"); // Lark redelivery
    expect(again.toast.type).toBe("success");
    // A new click on a handled alert changes nothing and says so.
    const late = await click(SUPERVISOR, "false_alarm", "evt_click_3");
    expect(late.toast.type).toBe("info");
    // Everyone sees the outcome: the card in the supervisors' chat is patched too.
    await eventually(() => fake.delivered.some((c) => c.method === "PATCH" && c.body?.content?.includes("已知悉") && c.body.content.includes(SUPERVISOR)), "card patched for everyone");
    const fb = await app!.db.prisma.alertFeedback.findMany();
    expect(fb.map((f) => [f.action, f.operatorId])).toEqual([["acknowledge", SUPERVISOR]]);
    expect((await app!.db.prisma.alert.findUnique({ where: { id: alert.id } }))!).toMatchObject({ status: "acknowledged", actedBy: SUPERVISOR });

    // eval feedback reads the same log: one judged alert, judged real.
    const r = await evalFeedback(app!.db);
    expect(r).toMatchObject({ alerts: 1, judged: 1, precision: 1, acknowledge: 1, false_alarm: 0 });
    expect(r.byDetector.escalation).toMatchObject({ real: 1, falseAlarm: 0 });
  });

  it("Take over assigns the session to the supervisor, tells the agent privately, and shows who took it", async () => {
    const chat = "oc_take_over";
    const t0 = Date.now() + 60_000;
    await say(chat, "你好，我的订单一直没发货", "customer", t0);
    await say(chat, "您好，我帮您看一下", "agent", t0 + 3_000);
    await say(chat, "再不发货我就打12315投诉！", "customer", t0 + 10_000);
    const alert = await eventually(() => app!.db.prisma.alert.findFirst({ where: { session: { externalKey: chat } } }), "alert");
    const e = fixture("card.action.trigger.callback.jsonc");
    e.header.token = TEST_VERIFICATION_TOKEN;
    e.header.event_id = "evt_take_over_1";
    e.event.operator.open_id = SUPERVISOR;
    e.event.action.value = { cs_coach: "alert", alertId: alert.id, action: "take_over" };
    const r = await post(e);
    expect(r.toast.type).toBe("success");
    expect(JSON.stringify(r.card.data)).toContain("已接管");
    expect(JSON.stringify(r.card.data)).toContain(SUPERVISOR);
    const s = await app!.db.prisma.session.findFirstOrThrow({ where: { externalKey: chat } });
    expect(s).toMatchObject({ assignedTo: SUPERVISOR });
    // The agent hears it by DM; nothing is posted to the customer's chat, and nothing goes to the customer.
    const dm = await eventually(() => fake.delivered.find((c) => c.body?.receive_id === AGENT_OPEN_ID && c.body.content?.includes("接管")), "agent told");
    expect(dm.query.receive_id_type).toBe("open_id");
    expect(fake.delivered.filter((c) => c.body?.receive_id === chat || c.body?.receive_id === "ou_customer_7" || c.body?.open_id === "ou_customer_7")).toHaveLength(0);
    // The API shows the assignment.
    const api = await readJson(await fetch(`${app!.url}/v1/sessions/${chat}`, { headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}` } }));
    expect(api.session.assignedTo).toBe(SUPERVISOR);
  });

  it("a customer left waiting triggers an alert with no further message, also across a restart", async () => {
    const chat = "oc_waiting";
    await app!.stop();
    app = await startTestApp(
      db.url,
      { LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "s", LARK_DOMAIN: fake.url, SUPERVISOR_CHAT_ID: SUP_CHAT, SUPERVISOR_OPEN_IDS: SUPERVISOR, POLICY_FILE: policyFile },
      { startWorkers: false },
    );
    await say(chat, "请问有人在吗？我的订单能改地址吗", "customer", Date.now());
    await app.workers.runOnce("inbox");
    expect(await app.db.prisma.alert.count({ where: { session: { externalKey: chat } } })).toBe(0);
    await app.stop(); // down before the wait ran out

    await new Promise((r) => setTimeout(r, 1_200));
    const before = creates(SUP_CHAT).length;
    app = await start();
    const alert = await eventually(() => app!.db.prisma.alert.findFirst({ where: { session: { externalKey: chat } }, include: { session: true } }), "waiting alert", 8_000);
    expect(alert.summary).toMatch(/waiting/);
    await eventually(() => creates(SUP_CHAT).length === before + 1, "waiting card sent");
    // The timer keeps running: the same wait is not alerted twice.
    await new Promise((r) => setTimeout(r, 400));
    expect(await app.db.prisma.finding.count({ where: { sessionId: alert.sessionId!, detector: "waiting" } })).toBe(1);
  });

  it("wellbeing: one agent absorbing many hostile sessions gets the supervisor a suggestion, once", async () => {
    const post = (body: unknown) =>
      fetch(`${app!.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` }, body: JSON.stringify(body) });
    const ts = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 6; i++) {
      const sessionId = `wb-${i}`;
      const res = await post([
        { sessionId, messageId: `${sessionId}-a`, role: "agent", senderId: "agent-wellbeing", senderName: "小李", text: "您好，很高兴为您服务", ts },
        { sessionId, messageId: `${sessionId}-c`, role: "customer", senderId: `c-${i}`, text: "你们再不退钱我就去12315投诉，还要找律师！", ts: ts + 5 },
      ]);
      expect(res.status).toBe(202);
    }
    const wb = await eventually(() => app!.db.prisma.alert.findFirst({ where: { kind: "wellbeing" } }), "wellbeing alert");
    expect(wb.summary).toContain("小李");
    expect(await app!.db.prisma.alert.count({ where: { kind: "wellbeing" } })).toBe(1);
    const card = await eventually(() => creates(SUP_CHAT).find((c) => c.body.content.includes("小李") && c.body.content.includes("客服状态提醒")), "wellbeing card sent");
    // About an agent: its console button opens the board filtered to their sessions.
    expect(card.body.content).toContain(`${CONSOLE}/console?agent=${encodeURIComponent(wb.agentId!)}`);
  });
});

describe("alerts with no supervisors' chat", () => {
  it("every supervisor gets the card by DM, each buzzed on their own, and Lark's unreachable ids are logged", async () => {
    // The other app's outbox (buzzes for the wellbeing test's sessions) must not take the scripted answer.
    await app?.stop();
    app = undefined;
    const db2 = testDatabaseUrl();
    const sups = ["ou_sup_a", "ou_sup_b"];
    const dmApp = await startTestApp(
      db2.url,
      { LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "s", LARK_DOMAIN: fake.url, SUPERVISOR_OPEN_IDS: sups.join(",") },
      { pollMs: { inbox: 10, outbox: 10 } },
    );
    try {
      // Lark says it could not buzz one of them (left the company, say).
      fake.fail("urgent", { status: 200, body: { code: 0, msg: "success", data: { invalid_user_id_list: ["ou_sup_b"] } } });
      const t = Date.now() + 60_000;
      const req = larkRequest(imMessageEvent({ chatId: "oc_dm_alerts", chatType: "p2p", text: "再不退款我就打12315投诉你们！", senderOpenId: "ou_customer_dm", createTime: t }), {
        encryptKey: TEST_ENCRYPT_KEY,
      });
      expect((await fetch(`${dmApp.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers })).status).toBe(200);
      for (const id of sups) await eventually(() => fake.delivered.some((c) => c.body?.receive_id === id && c.query.receive_id_type === "open_id"), `card to ${id}`);
      const rows = await dmApp.db.prisma.outboxMessage.findMany({ where: { kind: "message.urgent" } });
      expect(rows.map((r) => JSON.parse(r.payload).user_id_list).sort()).toEqual([["ou_sup_a"], ["ou_sup_b"]]);
      await eventually(() => dmApp.logLines.some((l) => l.includes("urgent buzz") && l.includes("ou_sup_b")), "invalid ids logged");
      // An action from either supervisor updates both copies.
      const alert = (await dmApp.db.prisma.alert.findFirst())!;
      const e = fixture("card.action.trigger.callback.jsonc");
      e.header = { ...e.header, event_id: "evt_dm_ack", token: TEST_VERIFICATION_TOKEN };
      e.event.operator.open_id = "ou_sup_a";
      e.event.action.value = { cs_coach: "alert", alertId: alert.id, action: "acknowledge" };
      const r = larkRequest(e, { encryptKey: TEST_ENCRYPT_KEY });
      expect((await fetch(`${dmApp.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers })).status).toBe(200);
      const created = await dmApp.db.prisma.outboxMessage.findMany({ where: { kind: "message.create", uuid: { startsWith: `alert-${alert.id}-create` } } });
      expect(created).toHaveLength(2);
      const ids = created.map((c) => c.resultMessageId);
      await eventually(() => ids.every((id) => fake.delivered.some((c) => c.method === "PATCH" && c.path.endsWith(`/${id}`) && c.body.content.includes("已知悉"))), "both copies patched");
    } finally {
      await dmApp.stop();
      await db2.drop();
    }
  });
});
