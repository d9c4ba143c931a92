import { describe, expect, it } from "vitest";
import { alertCard, sparkline } from "../../../src/actions/alert-card.ts";
import { detect } from "../../../src/detection/detectors.ts";
import { thresholdsSchema } from "../../../src/scoring/thresholds.ts";
import type { DetTurn, SessionWindow } from "../../../src/detection/types.ts";

const t = thresholdsSchema.parse({});
const c = (text: string, valence: number, extra: Partial<DetTurn> = {}): DetTurn => ({ role: "customer", text, valence, category: valence < -0.5 ? "frustration" : "neutral", ...extra });
const a = (text: string, extra: Partial<DetTurn> = {}): DetTurn => ({ role: "agent", text, ...extra });
const win = (turns: DetTurn[], o: Partial<SessionWindow> = {}): SessionWindow => ({ lang: "zh", turns, hits: [], closed: false, ...o });
const detectors = (w: SessionWindow) => detect(w, t).map((f) => `${f.detector}:${f.severity}@${f.index}`);

describe("detectors", () => {
  it("regulator, media and legal threats are critical at once", () => {
    expect(detectors(win([c("再不处理我就打12315", -0.8, { escalation: ["regulator"] })]))).toEqual(["escalation:critical@0"]);
  });

  it("a single complaint threat is info for the agent; said again it alerts", () => {
    const once = win([c("我要投诉", -0.8, { escalation: ["complaint"] }), a("非常抱歉")]);
    expect(detectors(once)).toEqual(["escalation:info@0"]);
    const twice = win([...once.turns, c("我说了我要投诉你们", -0.8, { escalation: ["complaint"] })]);
    expect(detectors(twice)).toContain("escalation:warning@2");
  });

  it("sustained negativity: per-language threshold over the last turns, at least two", () => {
    expect(detectors(win([c("差", -0.99)]))).toEqual([]);
    expect(detectors(win([c("差", -0.99), a("抱歉"), c("还是不行", -0.97)]))).toContain("negativity:warning@2");
    expect(detectors(win([c("bad", -0.8), a("sorry"), c("still bad", -0.75)], { lang: "en" }))).toContain("negativity:warning@2");
    expect(detectors(win([c("bad", -0.8), a("sorry"), c("ok", -0.3)], { lang: "en" }))).toEqual([]);
  });

  it("an anger spike after the agent answered", () => {
    expect(detectors(win([c("气死了", -0.95, { category: "anger" })]))).toEqual([]);
    expect(detectors(win([c("问一下", 0), a("您好"), c("什么破服务气死了", -0.95, { category: "anger" })]))).toContain("anger_spike:warning@2");
  });

  it("agent conduct from compliance hits; privacy is critical", () => {
    const w = win([c("在吗", 0), a("你自己看"), a("手机13812345678")], {
      hits: [
        { kind: "rude_language", index: 1 },
        { kind: "privacy_leak", index: 2 },
      ],
    });
    expect(detectors(w)).toEqual(expect.arrayContaining(["agent_conduct:warning@1", "privacy_leak:critical@2"]));
  });

  it("the customer repeating the same question", () => {
    const q = "我的退款什么时候能到账";
    expect(detectors(win([c(q, -0.2), a("稍等"), c(`${q}？`, -0.2), a("在查"), c("我的退款到底什么时候能到账", -0.3)]))).toContain("repeated_question:warning@4");
  });

  it("waiting: a first reply later than the limit, measured by the clock (timer)", () => {
    const turns = [c("在吗", 0, { ts: 1000 })];
    expect(detectors(win(turns, { now: 1000 + t.firstReplyWaitSeconds - 1 }))).toEqual([]);
    expect(detectors(win(turns, { now: 1000 + t.firstReplyWaitSeconds + 1 }))).toEqual(["waiting:warning@0"]);
    expect(detectors(win([...turns, a("您好", { ts: 1005 })], { now: 5000 }))).toEqual([]);
  });

  it("long sessions and low QA", () => {
    const many = Array.from({ length: t.longSessionTurns + 2 }, (_, i) => (i % 2 ? a("好的") : c("嗯", 0)));
    expect(detectors(win(many))).toContain(`long_session:warning@${t.longSessionTurns}`);
    // Counted over the whole session: a window of the latest 20 turns of a session past the limit.
    expect(detectors(win(many.slice(-20), { before: t.longSessionTurns }))).toContain("long_session:warning@0");
    expect(detectors(win(many.slice(-20), { before: t.longSessionTurns - 30 }))).not.toContain("long_session:warning@0");
    expect(detectors(win([c("x", 0), a("y")], { qaScore: t.qaBelow - 1 }))).toContain("low_qa:warning@1");
  });

  it("at close: a customer who leaves unhappy needs a follow-up", () => {
    const turns = [c("东西坏了", -0.9), a("抱歉"), c("算了", -0.85)];
    expect(detectors(win(turns))).not.toContain("unresolved:warning@2");
    expect(detectors(win(turns, { closed: true }))).toContain("unresolved:warning@2");
    expect(detectors(win([c("东西坏了", -0.9), a("已补发"), c("谢谢", 0.8)], { closed: true }))).not.toContain("unresolved:warning@2");
  });
});

describe("alert card", () => {
  const ruleName = (lang: "zh" | "en") => (kind: string) =>
    (({ missing_apology: { zh: "未及时致歉", en: "no apology" }, slow_response: { zh: "回复超时", en: "slow reply" } }) as Record<string, Record<string, string>>)[kind]?.[lang] ?? kind;
  const findings = [
    { detector: "low_qa", severity: "warning", summary: "QA score 55 below 60", evidence: ["QA 55"], facts: { score: 55, below: 60, kinds: ["missing_apology", "slow_response"] } },
    { detector: "escalation", severity: "critical", summary: "customer threatens: regulator", evidence: ["我的电话13812345678，我要打12315"], facts: { kinds: ["regulator"], again: false } },
    { detector: "low_qa", severity: "warning", summary: "QA score 50 below 60", evidence: ["QA 50"], facts: { score: 50, below: 60, kinds: ["missing_apology"] } },
  ];
  const view = (lang: "zh" | "en") => ({
    alertId: 7,
    kind: "session" as const,
    status: "open",
    severity: "critical",
    summary: "QA score 50 below 60",
    session: {
      channel: "lark_group",
      externalKey: "oc_41e7bdf4877cfc316136f4ccf6c32613",
      agent: { name: "小王", openId: "ou_agent_1" },
      customer: { name: "buyer-77" },
      qaScore: 50,
      meta: [["orderId", "8812"] as [string, string]],
      link: "https://applink.feishu.cn/client/chat/open?openChatId=oc_41e7bdf4877cfc316136f4ccf6c32613",
    },
    findings,
    trajectory: [-0.2, -0.6, -0.95],
    lastMessages: [{ role: "customer", text: "我的电话13812345678，我要打12315" }],
    lang,
    tz: "Asia/Shanghai",
    ruleName: ruleName(lang),
  });
  const buttonsOf = (card: any) =>
    card.body.elements.filter((e: any) => e.tag === "column_set" && e.flex_mode === "flow").flatMap((e: any) => e.columns.map((col: any) => col.elements[0].behaviors[0]));

  it("says until when a snoozed alert waits on the team's clock, not in UTC", () => {
    const card = JSON.stringify(alertCard({ ...view("zh"), status: "snoozed", snoozedUntil: new Date(Date.UTC(2026, 5, 1, 1, 30)) }));
    expect(card).toContain("至 09:30");
    expect(card).not.toContain("UTC");
  });

  it("is card JSON 2.0 with the four actions and a link to the conversation, and no PII in it", () => {
    const card = alertCard(view("zh")) as any;
    expect(card.schema).toBe("2.0");
    expect(card.config.update_multi).toBe(true);
    expect(card.header.template).toBe("red");
    const b = buttonsOf(card);
    expect(b.filter((x: any) => x.type === "callback").map((x: any) => x.value.action)).toEqual(["take_over", "acknowledge", "false_alarm", "snooze"]);
    expect(b.find((x: any) => x.type === "open_url").default_url).toContain("openChatId=oc_41e7");
    const text = JSON.stringify(card);
    expect(text).not.toContain("13812345678");
    expect(text).toContain("PHONE\\\\]"); // the placeholder, escaped for markdown
    expect(text).toContain(sparkline([-0.2, -0.6, -0.95]));
  });

  it("says every finding once, the worst first, in the card's language only", () => {
    const zh = alertCard(view("zh")) as any;
    expect(zh.header.subtitle.content).toContain("12315");
    const why = zh.body.elements.find((e: any) => e.tag === "markdown" && e.content.startsWith("**原因**")).content as string;
    const lines = why.split("\n").slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/🔴 顾客扬言向监管投诉/);
    expect(lines[1]).toMatch(/质检分 50，低于 60：未及时致歉/);
    const zhText = JSON.stringify(zh);
    for (const english of ["customer threatens", "QA score", "below", "missing_apology", "low_qa", "Customer"]) expect(zhText).not.toContain(english);
    const en = alertCard(view("en")) as any;
    const enText = JSON.stringify(en);
    expect(enText).toContain("Customer threatens a regulator complaint");
    expect(enText).toContain("QA 50, below 60: no apology");
    // Only the customer's own words may be Chinese on the English card.
    const ours = JSON.stringify({ header: en.header, body: en.body.elements.filter((e: any) => !(e.tag === "markdown" && /^\*\*(Why|Last messages)\*\*/.test(e.content))) });
    expect(ours).not.toMatch(/[\u4e00-\u9fa5]/);
  });

  it("names the agent and the customer, the channel, the platform's id and the order", () => {
    const card = alertCard(view("zh")) as any;
    const text = JSON.stringify(card);
    expect(text).toContain('"tag":"person","user_id":"ou_agent_1"');
    expect(text).toContain("buyer-77");
    expect(text).toContain("飞书群聊");
    expect(text).toContain("oc_41e7bdf4877cfc316136f4ccf6c32613");
    expect(text).toMatch(/订单号\*\* 8812/);
  });

  it("escapes markdown in customer text and names", () => {
    const v = view("zh");
    const card = alertCard({
      ...v,
      session: { ...v.session, customer: { name: "[点我](https://evil.example)" } },
      lastMessages: [{ role: "customer", text: "**大字** [链接](https://evil.example) <at id=all></at>" }],
    });
    const text = JSON.stringify(card);
    expect(text).not.toContain("](https://evil");
    expect(text).not.toContain("<at id=all>");
  });

  it("shows who acted and drops the actions once handled", () => {
    const card = alertCard({ ...view("zh"), status: "taken_over", actedBy: "ou_sup" }) as any;
    expect(buttonsOf(card).filter((x: any) => x.type === "callback")).toHaveLength(0);
    expect(JSON.stringify(card)).toContain("已接管");
    expect(JSON.stringify(card)).toContain("ou_sup");
  });
});
