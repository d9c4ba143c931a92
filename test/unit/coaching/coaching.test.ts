import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hintCandidates, isQuestion } from "../../../src/coaching/coach.ts";
import { buildKbIndex } from "../../../src/coaching/kb-index.ts";
import { DEFAULT_KB_PATH, loadKb } from "../../../src/coaching/kb-load.ts";
import { loadLessons } from "../../../src/coaching/lessons.ts";
import { DEFAULT_POLICY_PATH } from "../../../src/scoring/compliance/policy-schema.ts";
import { evalKb } from "../../../src/eval/kb-eval.ts";

const lessons = loadLessons();
const kb = buildKbIndex(loadKb(DEFAULT_KB_PATH));
const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "kb");

describe("lessons", () => {
  it("every lesson the policy names exists in Chinese and English", () => {
    const policy = JSON.parse(readFileSync(DEFAULT_POLICY_PATH, "utf8"));
    for (const r of policy.rules) {
      if (!r.lesson) continue;
      for (const lang of ["zh", "en"] as const) expect(lessons.get(r.lesson, lang)?.lang, `${r.lesson}.${lang}`).toBe(lang);
    }
    expect(lessons.size).toBe(24);
  });

  it("refuses an invalid lesson with the file and the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "lessons-"));
    writeFileSync(join(dir, "bad.zh.md"), "---\nid: Bad Id\nlang: zh\ntitle: t\ntip: t\nreply: r\n---\nbody\n");
    expect(() => loadLessons([dir])).toThrow(/bad\.zh\.md: id/);
  });

  it("a team folder adds its own lessons and overrides shipped ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "lessons-"));
    writeFileSync(join(dir, "never-argue.zh.md"), "---\nid: never-argue\nlang: zh\ntitle: 我们的版本\ntriggers: [arguing]\ntip: t\nreply: r\n---\n正文\n");
    expect(loadLessons(undefined).get("never-argue", "zh")!.title).not.toBe("我们的版本");
    expect(loadLessons([join(import.meta.dirname, "..", "..", "..", "prompts", "lessons"), dir]).get("never-argue", "zh")!.title).toBe("我们的版本");
  });
});

describe("knowledge base", () => {
  it("loads CSV and JSON as well as Markdown", () => {
    const dir = mkdtempSync(join(tmpdir(), "kb-"));
    writeFileSync(join(dir, "kb.csv"), 'id,title,lang,body,tags\nfaq-1,"Gift wrap",en,"We wrap gifts for free, just tick ""gift"" at checkout.",gift|wrap\n');
    writeFileSync(join(dir, "kb.json"), JSON.stringify([{ id: "faq-2", title: "礼品包装", lang: "zh", body: "下单时勾选礼品包装即可，免费。" }]));
    const csv = loadKb(join(dir, "kb.csv"));
    expect(csv[0]).toMatchObject({ id: "faq-1", title: "Gift wrap", lang: "en", tags: ["gift", "wrap"] });
    expect(csv[0]!.body).toContain('"gift"');
    const idx = buildKbIndex([...csv, ...loadKb(join(dir, "kb.json"))]);
    expect(idx.search("can you wrap it as a present", "en")[0]?.articleId).toBe("faq-1");
    expect(idx.search("能帮我包装成礼物吗", "zh")[0]?.articleId).toBe("faq-2");
  });

  it.each(["zh", "en"])("development questions (%s): recall@3 ≥ 0.9 and MRR ≥ 0.8", (lang) => {
    const r = evalKb(join(FIXTURES, `questions-${lang}.jsonl`), kb);
    expect(r.n).toBe(200);
    expect(r.recall_at_3).toBeGreaterThanOrEqual(0.9);
    expect(r.mrr).toBeGreaterThanOrEqual(0.8);
  });

  it("answers with a passage, never with the title line", () => {
    const top = kb.search("退的钱啥时候回来", "zh")[0]!;
    expect(top.articleId).toBe("zh-refund-time");
    expect(top.passage).toMatch(/工作日/);
  });
});

describe("hint candidates", () => {
  it("a customer question gets the KB answer; an agent's rule hit gets its lesson", () => {
    const q = hintCandidates({ turn: { role: "customer", text: "发票怎么开？" }, lang: "zh", hits: [], findings: [], kb, lessons, minKbScore: 2 });
    expect(q.map((c) => [c.kind, c.refId])).toEqual([["kb", "zh-invoice"]]);
    const rude = hintCandidates({
      turn: { role: "agent", text: "你自己看" },
      lang: "zh",
      hits: [{ ruleId: "language.rude", kind: "rude_language", severity: "high", index: 1, evidence: "你自己看", lesson: "de-escalate" }],
      findings: [],
      kb,
      lessons,
      minKbScore: 2,
    });
    expect(rude.map((c) => [c.kind, c.refId])).toEqual([["lesson", "de-escalate"]]);
    expect(rude[0]!.reply).toContain("理解");
  });

  it("a suggested reply reads as a reply: no section heading glued into the sentence", () => {
    const articles = loadKb(DEFAULT_KB_PATH);
    const headings = articles.flatMap((a) => [...a.body.matchAll(/^##\s*(.+)$/gm)].map((m) => m[1]!.trim()));
    expect(headings.length).toBeGreaterThan(10);
    const questions = readFileSync(join(FIXTURES, "questions-zh.jsonl"), "utf8")
      .trim()
      .split("\n")
      .slice(0, 60)
      .map((l) => JSON.parse(l).question as string);
    let checked = 0;
    for (const q of questions) {
      for (const c of hintCandidates({ turn: { role: "customer", text: q }, lang: "zh", hits: [], findings: [], kb, lessons, minKbScore: 2 })) {
        checked++;
        const said = c.reply.replace(/^亲，/, "");
        for (const h of headings) expect(said.startsWith(`${h} `) || said.startsWith(`${h}\n`), `${q} → ${c.reply}`).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("no question, no KB lookup; an unrelated question scores too low", () => {
    expect(isQuestion("好的谢谢")).toBe(false);
    expect(hintCandidates({ turn: { role: "customer", text: "今天天气真好啊？" }, lang: "zh", hits: [], findings: [], kb, lessons, minKbScore: 2 })).toEqual([]);
  });
});
