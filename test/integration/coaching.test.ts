import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/clients/webhook-poster.ts";
import { startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { fixture, imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { AGENT_OPEN_ID, eventually, readJson, startTestApp, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

let fake: FakeLark;
let db: { url: string; drop: () => Promise<void> };
let app: TestApp;
const CUSTOMER = "ou_customer_coach";

beforeAll(async () => {
  fake = await startFakeLark();
  db = testDatabaseUrl();
  app = await startTestApp(db.url, { LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "s", LARK_DOMAIN: fake.url, HINTS_PER_MINUTE: "3" }, { pollMs: { inbox: 10, outbox: 10 } });
});
afterAll(async () => {
  await app.stop();
  await fake.close();
  await db.drop();
});

const post = async (event: unknown) => {
  const req = larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY });
  const res = await fetch(`${app.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers });
  expect(res.status).toBe(200);
  return readJson(res);
};
let clock = Date.now();
const say = (chat: string, who: "agent" | "customer", text: string) =>
  post(imMessageEvent({ chatId: chat, chatType: "group", text, senderOpenId: who === "agent" ? AGENT_OPEN_ID : CUSTOMER, createTime: (clock += 3_000) }));
const hintsOf = async (chat: string) => {
  const s = await app.db.prisma.session.findFirst({ where: { externalKey: chat } });
  return s ? app.db.prisma.hint.findMany({ where: { sessionId: s.id }, orderBy: { id: "asc" } }) : [];
};
const ephemerals = (chat: string) => fake.delivered.filter((c) => c.path === "/open-apis/ephemeral/v1/send" && c.body.chat_id === chat);
const cardText = (c: { body: { card: unknown } }) => JSON.stringify(c.body.card);

describe("coaching the agent privately", () => {
  it("a customer asking about a return brings the agent the right article and a suggested reply, visible only to the agent", async () => {
    const chat = "oc_coach_kb";
    await say(chat, "agent", "您好，很高兴为您服务");
    await say(chat, "customer", "东西不喜欢，能退回去不？");
    const hint = await eventually(() => ephemerals(chat)[0], "ephemeral hint");
    expect(hint.body.open_id).toBe(AGENT_OPEN_ID); // the agent, not the customer
    const text = cardText(hint);
    expect(text).toContain("zh-returns");
    expect(text).toContain("建议回复");
    expect(text).toContain("7 天内");
    // Nothing went to the group itself.
    expect(fake.delivered.filter((c) => c.path === "/open-apis/im/v1/messages" && c.body.receive_id === chat)).toHaveLength(0);
  });

  it("a rude reply brings the matching lesson", async () => {
    const chat = "oc_coach_lesson";
    await say(chat, "agent", "您好，很高兴为您服务");
    await say(chat, "customer", "这个按钮是干嘛的");
    await say(chat, "agent", "页面上都写着呢，你自己看");
    const lesson = await eventually(() => ephemerals(chat).find((c) => cardText(c).includes("微课")), "lesson hint");
    expect(lesson.body.open_id).toBe(AGENT_OPEN_ID);
    const lessons = (await hintsOf(chat)).filter((h) => h.kind === "lesson");
    expect(lessons.map((h) => [h.refId, h.status])).toContainEqual(["de-escalate", "queued"]);
  });

  it("throttles a burst and never repeats a hint; the agent's Useful click is stored and counted", async () => {
    const chat = "oc_coach_burst";
    clock += 120_000; // a fresh minute for this agent: earlier tests' hints count against the budget
    await say(chat, "agent", "您好，很高兴为您服务");
    const questions = ["退的钱啥时候回来？", "发票怎么开？", "电视坏了能修吗？", "地址填错了能改吗？", "能用花呗吗？", "退的钱啥时候回来？？"];
    for (const q of questions) await say(chat, "customer", q);
    await eventually(async () => (await hintsOf(chat)).length >= 5, "hints recorded");
    const hints = await hintsOf(chat);
    expect(hints.filter((h) => h.status === "queued")).toHaveLength(3);
    expect(hints.filter((h) => h.status === "throttled").length).toBeGreaterThanOrEqual(2);
    expect(new Set(hints.map((h) => h.refId)).size).toBe(hints.length); // no repeats
    await eventually(() => ephemerals(chat).length === 3, "three delivered");

    const click = (operator: string, eventId: string) => {
      const e = fixture("card.action.trigger.callback.jsonc");
      e.header = { ...e.header, event_id: eventId, token: TEST_VERIFICATION_TOKEN };
      e.event.operator.open_id = operator;
      e.event.action.value = { cs_coach: "hint", hintId: hints[0]!.id, useful: true };
      return post(e);
    };
    expect((await click(CUSTOMER, "evt_hint_1")).toast.type).toBe("error");
    const ok = await click(AGENT_OPEN_ID, "evt_hint_2");
    expect(ok.toast.type).toBe("success");
    expect(JSON.stringify(ok.card.data)).toContain("已反馈");
    await click(AGENT_OPEN_ID, "evt_hint_2");
    expect(await app.db.prisma.hintFeedback.findMany({ select: { useful: true, operatorId: true } })).toEqual([{ useful: true, operatorId: AGENT_OPEN_ID }]);
  });

  it("a question asked before any agent joined is held, then reaches the agent when they arrive", async () => {
    const chat = "oc_coach_held";
    clock += 120_000;
    await say(chat, "customer", "东西不喜欢，能退回去不？");
    await eventually(async () => (await hintsOf(chat)).some((h) => h.status === "held"), "hint held");
    expect(ephemerals(chat)).toHaveLength(0);
    await say(chat, "agent", "您好，很高兴为您服务");
    const hint = await eventually(() => ephemerals(chat)[0], "held hint delivered");
    expect(hint.body.open_id).toBe(AGENT_OPEN_ID);
    expect(cardText(hint)).toContain("zh-returns");
    const hints = await hintsOf(chat);
    expect(hints.find((h) => h.refId === "zh-returns")).toMatchObject({ status: "queued" });
    expect(hints.filter((h) => h.status === "held")).toHaveLength(0);
  });

  it("sends the ephemeral card in the JSON 1.0 format its API documents, and a DM when Lark refuses it", async () => {
    const chat = "oc_coach_fallback";
    clock += 120_000;
    await say(chat, "agent", "您好，很高兴为您服务");
    const first = ephemerals("oc_coach_kb")[0]!;
    const card = first.body.card as any;
    expect(card.schema).toBeUndefined();
    expect(card.elements.map((e: any) => e.tag)).toEqual(expect.arrayContaining(["div", "action"]));
    fake.fail("ephemeral", { status: 400, body: { code: 230099, msg: "Failed to create card content" } });
    await say(chat, "customer", "发票怎么开？");
    const dm = await eventually(() => fake.delivered.find((c) => c.path === "/open-apis/im/v1/messages" && c.body.receive_id === AGENT_OPEN_ID && c.body.content.includes("zh-invoice")), "hint by DM");
    expect(dm.query.receive_id_type).toBe("open_id");
    expect(JSON.parse(dm.body.content).schema).toBe("2.0");
    expect(ephemerals(chat)).toHaveLength(0);
  });

  it("Service Desk: hints go to the agent by DM and nothing is ever addressed to the customer", async () => {
    const ticket = fixture("helpdesk.ticket_message.created_v1.json");
    const guest = ticket.event.sender_id.open_id as string;
    const agentId = ticket.event.ticket.agent_owner.id as string;
    const msg = (n: number, senderType: number, openId: string, text: string) => {
      const e = structuredClone(ticket);
      e.header = { ...e.header, event_id: `evt_hd_coach_${n}`, token: TEST_VERIFICATION_TOKEN, create_time: String((clock += 3_000)) };
      e.event.message_id = `om_hd_coach_${n}`;
      e.event.ticket.ticket_id = "hd-coach-1";
      e.event.sender_type = senderType;
      e.event.sender_id.open_id = openId;
      e.event.text = text;
      e.event.content.content = text;
      return e;
    };
    await post(msg(0, 1, "ou_desk_bot", "您好，我是智能助手")); // the desk's bot: not scored
    await post(msg(1, 2, guest, "东西不喜欢，能退回去不？"));
    await post(msg(2, 3, agentId, "您好，很高兴为您服务"));
    await post(msg(3, 2, guest, "你们这服务太差了，气死我了！！"));
    await post(msg(4, 3, agentId, "你自己看说明书"));
    const s = await eventually(
      () => app.db.prisma.session.findFirst({ where: { externalKey: "hd-coach-1" }, include: { messages: { orderBy: { sentAt: "asc" } } } }).then((x) => (x?.messages.length === 4 ? x : undefined)),
      "ticket stored",
    );
    expect(s.messages.map((m) => m.role)).toEqual(["customer", "agent", "customer", "agent"]);
    await eventually(() => fake.delivered.some((c) => c.body?.receive_id === agentId && c.body.content?.includes("zh-returns")), "KB hint to the agent");
    await eventually(async () => (await app.db.prisma.hint.count({ where: { sessionId: s.id, kind: "lesson", status: "queued" } })) > 0, "lesson to the agent");
    const rows = await app.db.prisma.outboxMessage.findMany();
    expect(rows.filter((r) => r.target.includes(guest) || r.payload.includes(`"open_id":"${guest}"`))).toHaveLength(0);
    expect(fake.delivered.filter((c) => JSON.stringify(c.body ?? {}).includes(guest))).toHaveLength(0);
  });
});

describe("hints for sessions from another platform (ingest API)", () => {
  let receiver: Server;
  const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  let api: TestApp;
  let apiDb: { url: string; drop: () => Promise<void> };
  const SECRET = "webhook-secret-0123456789";
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/cs-coach`;
    apiDb = testDatabaseUrl();
    api = await startTestApp(
      apiDb.url,
      { LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "s", LARK_DOMAIN: fake.url, CHANNEL_WEBHOOKS: `shop-web=${url}`, CHANNEL_WEBHOOK_SECRET: SECRET, SUPERVISOR_OPEN_IDS: "ou_sup_api" },
      { pollMs: { inbox: 10, outbox: 10 } },
    );
  });
  afterAll(async () => {
    await api.stop();
    await apiDb.drop();
    await new Promise((r) => receiver.close(r));
  });
  const ingest = (messages: unknown[]) =>
    fetch(`${api.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` }, body: JSON.stringify(messages) });

  it("reach the channel's platform by a signed webhook, the agent by DM when the channel names their Lark id, and the session API lists them", async () => {
    const ts = Math.floor(Date.now() / 1000) - 30;
    const base = { sessionId: "web-77", channel: "shop-web" };
    expect(
      (
        await ingest([
          { ...base, messageId: "w1", role: "agent", senderId: "agent-9", senderName: "小周", text: "您好，很高兴为您服务", ts, meta: { orderId: "8812", agentOpenId: "ou_agent_api_9" } },
          { ...base, messageId: "w2", role: "customer", senderId: "buyer-1", text: "发票怎么开？", ts: ts + 5 },
          { ...base, messageId: "w3", role: "customer", senderId: "buyer-1", text: "再不处理我就打12315投诉你们", ts: ts + 20 },
        ])
      ).status,
    ).toBe(202);
    const hook = await eventually(() => received.find((r) => r.body.includes('"type":"hint"')), "hint webhook");
    const sig = signWebhook(SECRET, Number(hook.headers["x-cs-coach-timestamp"]), hook.body);
    expect(hook.headers["x-cs-coach-signature"]).toBe(sig);
    expect(JSON.parse(hook.body)).toMatchObject({ type: "hint", sessionId: "web-77", channel: "shop-web", hint: { kind: "kb" } });
    await eventually(() => received.find((r) => r.body.includes('"type":"alert"')), "alert webhook");
    await eventually(() => fake.delivered.find((c) => c.body?.receive_id === "ou_agent_api_9" && c.body.content.includes("zh-invoice")), "DM to the agent's Lark id");
    const got = await readJson(await fetch(`${api.url}/v1/sessions/web-77`, { headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}` } }));
    expect(got.session.hints.find((h: any) => h.refId === "zh-invoice")).toMatchObject({ kind: "kb", status: "queued" });
    expect(got.session.hints[0].reply).toBeTruthy();
    expect(got.session.findings.map((f: any) => f.detector)).toContain("escalation");
    expect(got.session.alerts[0]).toMatchObject({ status: "open", severity: "critical" });
  });

  it("with neither a webhook nor a Lark id, a hint is kept as undelivered and the API says so", async () => {
    const ts = Math.floor(Date.now() / 1000) - 30;
    const base = { sessionId: "other-1", channel: "kiosk" };
    expect(
      (
        await ingest([
          { ...base, messageId: "k1", role: "agent", senderId: "agent-k", text: "您好，很高兴为您服务", ts },
          { ...base, messageId: "k2", role: "customer", senderId: "buyer-k", text: "发票怎么开？", ts: ts + 5 },
        ])
      ).status,
    ).toBe(202);
    const got = await eventually(async () => {
      const r = await readJson(await fetch(`${api.url}/v1/sessions/other-1`, { headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}` } }));
      return r.session?.hints?.length ? r : undefined;
    }, "hint stored");
    expect(got.session.hints[0]).toMatchObject({ status: "undelivered" });
    expect(got.session.hints[0].reason).toMatch(/webhook/);
  });
});
