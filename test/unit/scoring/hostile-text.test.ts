import { describe, expect, it } from "vitest";
import { hintCandidates } from "../../../src/coaching/coach.ts";
import { buildKbIndex } from "../../../src/coaching/kb-index.ts";
import { DEFAULT_KB_PATH, loadKb } from "../../../src/coaching/kb-load.ts";
import { loadLessons } from "../../../src/coaching/lessons.ts";
import { replaySession } from "../../../src/engine/replay-session.ts";
import { contentToText } from "../../../src/ingest/message-content.ts";
import { assessTurn } from "../../../src/scoring/assess.ts";
import { loadScorers } from "../../../src/scoring/load-scorers.ts";
import { createMemoryLogger } from "../../../src/shared/logger.ts";
import { redactText } from "../../../src/shared/redact.ts";

/**
 * Every pattern the bot runs on user text meets the worst text of the largest size a message
 * may have (20,000 characters): runs of place characters, digits, letters, punctuation, @, +,
 * mention keys. A pattern that backtracks would not finish within the test's timeout; the
 * benchmark (`npm run bench`) measures the speed.
 */
const MAX = 20_000;
const fill = (unit: string) => unit.repeat(Math.ceil(MAX / unit.length)).slice(0, MAX);
const HOSTILE = [
  fill("市"),
  fill("北京市朝阳区建国路"),
  fill("88号"),
  fill("a1"),
  fill("a@"),
  fill("1 "),
  fill("+1 "),
  fill("一三八"),
  fill("12 Main "),
  fill("！"),
  fill("？"),
  fill("快点"),
  fill("不"),
  fill("真快啊"),
  fill("😡"),
  fill("aaaa"),
  fill("@_user_1"),
  fill("你好您好很高兴为您服务"),
  fill("全网最低"),
  fill("http://"),
  fill(" "),
  fill("\n"),
  fill("12315"),
  fill("退款"),
];

describe("hostile text of the largest message size, through every pattern", () => {
  const scorers = loadScorers(undefined, createMemoryLogger("error"));
  const kb = buildKbIndex(loadKb(DEFAULT_KB_PATH));
  const lessons = loadLessons();
  it.each(HOSTILE.map((t) => [JSON.stringify(t.slice(0, 12)), t]))("%s…", (_n, text) => {
    for (const role of ["customer", "agent"] as const) {
      const turns = [
        { role: "customer" as const, text: "你好", ts: 0 },
        { role, text, ts: 5 },
      ];
      const { emotion, hits } = assessTurn(scorers, turns, 1);
      expect(Number.isFinite(emotion.valence)).toBe(true);
      hintCandidates({ turn: { role, text }, lang: "zh", hits, findings: [], kb, lessons, minKbScore: 2 });
    }
    replaySession(scorers, [
      { role: "customer", text },
      { role: "agent", text },
      { role: "customer", text },
    ]);
    expect(redactText(text).length).toBeGreaterThan(0);
    expect(contentToText("text", JSON.stringify({ text }), [{ key: "@_user_1", name: text.slice(0, 200) }]).length).toBeLessThanOrEqual(text.length * 200);
  });
});
