import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { fixture, imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { AGENT_OPEN_ID, eventually, readJson, startTestApp, TEST_ENCRYPT_KEY, type TestApp } from "../helpers/start-test-app.ts";
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
});
