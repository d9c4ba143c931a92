import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkTranscript } from "../../../src/scoring/compliance/check-transcript.ts";
import { compilePolicy, sessionQa } from "../../../src/scoring/compliance/engine.ts";
import { DEFAULT_POLICY_PATH, loadPolicy, parsePolicy, PolicyError } from "../../../src/scoring/compliance/policy-schema.ts";
import { loadZhModel } from "../../../src/scoring/emotion/zh-model.ts";

const model = loadZhModel();
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
    const { hits } = checkTranscript(compiled, c.messages, model);
    expect(hits.map(key).sort()).toEqual(c.expected.map(key).sort());
  });

  it("covers every canonical kind in Chinese and in English, and clean sessions in both", () => {
    for (const lang of ["zh", "en"]) {
      const kinds = new Set(cases.filter((c) => c.lang === lang).flatMap((c) => c.expected.map((e) => e.kind)));
      for (const k of ["missing_greeting", "slow_first_response", "slow_response", "missing_apology", "rude_language", "arguing", "privacy_leak", "missing_closing_check", "jargon", "red_line_claim"]) {
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
      expect((e as Error).message).toMatch(/bad regex/);
    }
  });

  it("refuses a team pattern that could backtrack for ever, naming where it is", () => {
    const bad = structuredClone(policyJson);
    bad.rules.push({ id: "team.slow", kind: "custom", description: { zh: "x", en: "x" }, severity: "low", check: { type: "regex", patterns: ["^(a+)+$"] } });
    expect(() => parsePolicy(bad)).toThrow(/rules\.\d+\.check\.patterns\.0: unsafe regex: it repeats a group that itself repeats/);
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
    const kinds = checkTranscript(team, msgs, model).hits.map((h) => h.kind);
    expect(kinds).toContain("rude_language");
    expect(kinds).toContain("missing_warm_address");
    expect(kinds).not.toContain("slow_first_response");
    expect(checkTranscript(compiled, msgs, model).hits.map((h) => h.kind)).toContain("slow_first_response");
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
