import { describe, expect, it } from "vitest";
import { alertCard, sparkline } from "../../../src/actions/alert-card.ts";
import { detect } from "../../../src/detection/detectors.ts";
import { thresholdsSchema } from "../../../src/detection/thresholds.ts";
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
    const w = win([c("在吗", 0), a("你自己看"), a("手机13812345678")], { hits: [{ kind: "rude_language", index: 1 }, { kind: "privacy_leak", index: 2 }] });
    expect(detectors(w)).toEqual(expect.arrayContaining(["agent_conduct:warning@1", "privacy_leak:critical@2"]));
  });

  it("the customer repeating the same question", () => {
    const q = "我的退款什么时候能到账";
    expect(detectors(win([c(q, -0.2), a("稍等"), c(q + "？", -0.2), a("在查"), c("我的退款到底什么时候能到账", -0.3)]))).toContain("repeated_question:warning@4");
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
  const view = {
    alertId: 7,
    kind: "session" as const,
    status: "open",
    severity: "critical",
    summary: "customer threatens: regulator",
    session: { channel: "lark_p2p", externalKey: "oc_1", agent: "小王", customer: "ou_c", qaScore: 77 },
    findings: [{ detector: "escalation", severity: "critical", summary: "customer threatens: regulator", evidence: ["我的电话13812345678，我要打12315"] }],
    trajectory: [-0.2, -0.6, -0.95],
    lastMessages: [{ role: "customer", text: "我的电话13812345678，我要打12315" }],
    lang: "zh" as const,
  };

  it("is card JSON 2.0 with the four actions, and no PII in it", () => {
    const card = alertCard(view) as any;
    expect(card.schema).toBe("2.0");
    expect(card.config.update_multi).toBe(true);
    expect(card.header.template).toBe("red");
    const buttons = card.body.elements.find((e: any) => e.tag === "column_set").columns.map((col: any) => col.elements[0].behaviors[0].value.action);
    expect(buttons).toEqual(["take_over", "acknowledge", "false_alarm", "snooze"]);
    const text = JSON.stringify(card);
    expect(text).not.toContain("13812345678");
    expect(text).toContain("[PHONE]");
    expect(text).toContain(sparkline([-0.2, -0.6, -0.95]));
  });

  it("shows who acted and drops the buttons once handled", () => {
    const card = alertCard({ ...view, status: "taken_over", actedBy: "ou_sup" }) as any;
    expect(card.body.elements.some((e: any) => e.tag === "column_set")).toBe(false);
    expect(JSON.stringify(card)).toContain("已接管");
    expect(JSON.stringify(card)).toContain("ou_sup");
  });
});
