import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replaySession } from "../../../src/engine/replay-session.ts";
import { compilePolicy, sessionQa, type CompiledPolicy } from "../../../src/scoring/compliance/engine.ts";
import { DEFAULT_POLICY_PATH, loadPolicy, parsePolicy, PolicyError } from "../../../src/scoring/compliance/policy-schema.ts";
import { loadZhModel } from "../../../src/scoring/emotion/zh-model.ts";

const model = loadZhModel();
/** A finished conversation through the turn engine, as live processing judges it. */
const checkTranscript = (c: CompiledPolicy, messages: Array<{ role: "agent" | "customer"; text: string; ts?: number }>) => replaySession({ policy: () => c, zhModel: model }, messages);
const policyJson = JSON.parse(readFileSync(DEFAULT_POLICY_PATH, "utf8"));
const compiled = compilePolicy(loadPolicy());
// dev.jsonl: every rule violated and respected; paraphrases.jsonl: everyday rewordings of the
// same situations (written to measure how the rules generalise, then kept as a regression set).
const cases = ["dev.jsonl", "paraphrases.jsonl"]
  .flatMap((f) => readFileSync(join(import.meta.dirname, "..", "..", "fixtures", "compliance", f), "utf8").split("\n"))
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { id: string; lang: string; messages: Array<{ role: "agent" | "customer"; text: string; ts?: number }>; expected: Array<{ kind: string; index: number }> });

const key = (h: { kind: string; index: number }) => `${h.kind}@${h.index}`;

describe("every rule, both languages, violated and respected (test/fixtures/compliance/dev.jsonl, paraphrases.jsonl)", () => {
  it.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const { hits } = checkTranscript(compiled, c.messages);
    expect(hits.map(key).sort()).toEqual(c.expected.map(key).sort());
  });

  it("covers every canonical kind in Chinese and in English, and clean sessions in both", () => {
    for (const lang of ["zh", "en"]) {
      const kinds = new Set(cases.filter((c) => c.lang === lang).flatMap((c) => c.expected.map((e) => e.kind)));
      for (const k of [
        "missing_greeting",
        "slow_first_response",
        "slow_response",
        "missing_apology",
        "rude_language",
        "arguing",
        "privacy_leak",
        "missing_closing_check",
        "jargon",
        "red_line_claim",
      ]) {
        expect(kinds, `${lang} ${k}`).toContain(k);
      }
      expect(cases.some((c) => c.lang === lang && c.expected.length === 0)).toBe(true);
    }
  });
});

describe("policy as data", () => {
  it("rejects duplicate ids and broken regexes with the path of each problem", () => {
    const bad = structuredClone(policyJson);
    bad.rules.push({ ...bad.rules[0] });
    bad.rules.push({ id: "team.order_format", kind: "order_format", description: { zh: "订单号格式", en: "order format" }, severity: "low", check: { type: "regex", patterns: ["(unclosed"] } });
    expect(() => parsePolicy(bad)).toThrow(PolicyError);
    try {
      parsePolicy(bad);
    } catch (e) {
      expect((e as Error).message).toMatch(/duplicate rule id greeting.first_reply/);
      expect((e as Error).message).toMatch(/regex \(unclosed cannot run in linear time \(missing closing \)/);
    }
  });

  it("refuses a team pattern the linear-time engine cannot run, or one too large, naming where it is", () => {
    for (const [src, why] of [
      ["(a)\\1", /backreferences and lookarounds are not supported/],
      ["(?<![0-9])1[3-9]\\d{9}", /cannot run in linear time/],
      ["(a{1,50}){1,20}", /too large once compiled/],
    ] as const) {
      const bad = structuredClone(policyJson);
      bad.rules.push({ id: "team.slow", kind: "custom", description: { zh: "x", en: "x" }, severity: "low", check: { type: "regex", patterns: [src] } });
      expect(() => parsePolicy(bad)).toThrow(new RegExp(`rules\\.\\d+\\.check\\.patterns\\.0: regex .*${why.source}`));
    }
  });

  it("a policy whose patterns together are too large to run in bounded time is refused", () => {
    const bad = structuredClone(policyJson);
    const big = Array.from({ length: 20 }, (_, i) => `(a{1,10}){10}x${i}`);
    bad.rules.push({ id: "team.big", kind: "custom", description: { zh: "x", en: "x" }, severity: "low", check: { type: "regex", patterns: big } });
    expect(() => parsePolicy(bad)).toThrow(/patterns together compile to \d+ steps \(at most 3000\)/);
  });

  it("patterns that backtrack for ever in JavaScript run in linear time on the team's engine, and still match", () => {
    const p = structuredClone(policyJson);
    const evil = ["(a|a)*$", "(a|aa)+$", "(\\w|\\d)*!", "(.|\\s)*x", "(a+){10}$", "(a{1,10}){10}$", ".*.*.*.*x", "\\d*\\d*\\d*x", "^(a+)+$"];
    p.rules.push({ id: "team.evil", kind: "custom", description: { zh: "x", en: "x" }, severity: "low", check: { type: "regex", patterns: evil } });
    const team = compilePolicy(parsePolicy(p));
    // Near-misses of 300 characters: a backtracking engine takes minutes on several of these.
    for (const text of [`${"a".repeat(300)}b`, `${"1".repeat(300)}y`, "ab ".repeat(100)]) {
      expect(
        checkTranscript(team, [
          { role: "customer", text: "在吗", ts: 0 },
          { role: "agent", text, ts: 5 },
        ]).hits.map((h) => h.kind),
      ).not.toContain("custom");
    }
    expect(
      checkTranscript(team, [
        { role: "customer", text: "在吗", ts: 0 },
        { role: "agent", text: "12345x", ts: 5 },
      ]).hits.map((h) => h.kind),
    ).toContain("custom");
  });

  it("a phrase list takes families as /patterns/, checked like regex rules", () => {
    const p = structuredClone(policyJson);
    p.phrases.closing.zh.push("/您瞧(?:这样)?(?:成|中)不/");
    const team = compilePolicy(parsePolicy(p));
    const msgs = (closing: string) => [
      { role: "customer" as const, text: "能改地址吗", ts: 0 },
      { role: "agent" as const, text: `您好，已经改好了。${closing}`, ts: 5 },
    ];
    expect(checkTranscript(team, msgs("您瞧这样成不？")).hits.map((h) => h.kind)).not.toContain("missing_closing_check");
    expect(checkTranscript(compiled, msgs("您瞧这样成不？")).hits.map((h) => h.kind)).toContain("missing_closing_check");
    const bad = structuredClone(policyJson);
    bad.phrases.closing.en.push("/(done)\\1/");
    expect(() => parsePolicy(bad)).toThrow(/phrases\.closing\.en\.\d+: pattern \/\(done\)\\1\/ cannot run in linear time/);
  });

  it("the apology's premise is an event: a reported problem or shown upset, not a calm question; an apology covers the customer's reply to it", () => {
    const kinds = (m: Array<[role: "customer" | "agent", text: string]>) =>
      checkTranscript(
        compiled,
        m.map(([role, text], i) => ({ role, text, ts: i * 5 })),
      )
        .hits.filter((h) => h.kind === "missing_apology")
        .map((h) => h.index);
    expect(
      kinds([
        ["customer", "请问这款保温杯能装开水吗"],
        ["agent", "您好，可以的。还有其他问题吗？"],
      ]),
    ).toEqual([]);
    expect(
      kinds([
        ["customer", "客服 我问一下 退款到账了没"],
        ["agent", "您好，已经退回了。还有其他问题吗？"],
      ]),
    ).toEqual([]);
    expect(
      kinds([
        ["customer", "打开箱子发现杯子碎了"],
        ["agent", "您好，请发一下照片。"],
      ]),
    ).toEqual([1]);
    expect(
      kinds([
        ["customer", "杯子碎了"],
        ["agent", "您好，很抱歉给您带来不便，请发一下照片"],
        ["customer", "[图片] 就是这样 整个碎成好几块"],
        ["agent", "好的，马上给您补发。还有其他问题吗？"],
      ]),
    ).toEqual([]);
  });

  it("the customer's own silence is not the agent's delay", () => {
    const slow = (m: Array<[role: "customer" | "agent", text: string, ts: number]>) =>
      checkTranscript(
        compiled,
        m.map(([role, text, ts]) => ({ role, text, ts })),
      )
        .hits.filter((h) => h.kind === "slow_response")
        .map((h) => h.index);
    expect(
      slow([
        ["customer", "我要改地址", 0],
        ["agent", "您好，请发我新地址", 5],
        ["customer", "稍等我找一下", 10],
        ["customer", "杭州市西湖区文三路", 200],
        ["agent", "好的，已改好。还有其他问题吗？", 210],
      ]),
    ).toEqual([]);
    expect(
      slow([
        ["customer", "我要改地址", 0],
        ["agent", "您好，请发我新地址", 5],
        ["customer", "杭州市西湖区", 10],
        ["customer", "文三路", 200],
        ["agent", "好的，已改好。还有其他问题吗？", 210],
      ]),
    ).toEqual([4]);
  });

  it("a team can add its own phrases, switch rules on and off, and change thresholds", () => {
    const p = structuredClone(policyJson);
    p.rules.find((r: { id: string }) => r.id === "language.rude").check.phrases.zh.push("自己百度");
    p.rules.find((r: { id: string }) => r.id === "address.warm").enabled = true;
    p.rules.find((r: { id: string }) => r.id === "timing.first_response").check.maxSeconds = 60;
    const team = compilePolicy(parsePolicy(p));
    const msgs = [
      { role: "customer" as const, text: "这个怎么安装", ts: 0 },
      { role: "agent" as const, text: "您好，这个自己百度一下就知道了", ts: 30 },
    ];
    const kinds = checkTranscript(team, msgs).hits.map((h) => h.kind);
    expect(kinds).toContain("rude_language");
    expect(kinds).toContain("missing_warm_address");
    expect(kinds).not.toContain("slow_first_response");
    expect(checkTranscript(compiled, msgs).hits.map((h) => h.kind)).toContain("slow_first_response");
  });

  it("QA: severity penalties, repeats capped, empathy bonus", () => {
    const turns = [
      { role: "customer" as const, text: "x" },
      { role: "agent" as const, text: "非常理解您的心情" },
    ];
    const hit = (ruleId: string, severity: "low" | "high") => ({ ruleId, kind: ruleId, severity });
    expect(sessionQa(compiled, turns, []).score).toBe(100); // bonus never exceeds 100
    expect(sessionQa(compiled, turns, [hit("a", "high")]).score).toBe(100 - 15 + 2);
    const many = Array.from({ length: 6 }, () => hit("slow", "low"));
    expect(sessionQa(compiled, turns, many).score).toBe(100 - 3 * 4 + 2);
  });
});
