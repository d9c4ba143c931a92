import { describe, expect, it } from "vitest";
import { judgeTurn, WINDOW_TURNS, type Window } from "../../../src/engine/turn-engine.ts";
import { replaySession } from "../../../src/engine/replay-session.ts";
import { loadScorers } from "../../../src/scoring/load-scorers.ts";
import { createMemoryLogger } from "../../../src/shared/logger.ts";

const scorers = loadScorers(undefined, createMemoryLogger("warn"));

/** A day-long group chat: questions, answers, and now and then an angry customer. */
const chat = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    role: (i % 2 ? "agent" : "customer") as "agent" | "customer",
    text: i % 2 ? "您好，这边帮您查一下，请稍等" : i % 50 === 10 ? "你们什么态度啊！气死我了！！" : `第${i}条：我的快递什么时候到？`,
    ts: 1_000 + i * 30,
  }));

describe("turn engine on a long session", () => {
  it("judges a message on the latest WINDOW_TURNS turns: the window stays bounded and the first response is kept", () => {
    let w: Window = { lang: "zh", turns: [], hits: [] };
    let first: number | null = null;
    for (const [i, m] of chat(WINDOW_TURNS + 150).entries()) {
      const d = judgeTurn(scorers, { ...w, turns: [...w.turns, m] }, w.turns.length);
      w = d.window;
      expect(w.turns.length).toBeLessThanOrEqual(WINDOW_TURNS);
      if (i === 1) first = d.aggregates.firstResponseSecs;
      else expect(d.aggregates.firstResponseSecs, `turn ${i}`).toBe(first);
    }
    expect(first).toBe(30);
    expect(w.offset).toBe(150);
  });

  it("findings and hits keep their turn's place in the whole session: each raised once, never again after the window moves on", () => {
    const messages = chat(WINDOW_TURNS * 2 + 40);
    const r = replaySession(scorers, messages, "zh");
    const keys = r.findings.map((f) => (f.once ? f.detector : `${f.detector}@${f.index}`));
    expect(new Set(keys).size).toBe(keys.length);
    // The angry turns late in the day are found where they are, past the first window.
    const late = r.findings.filter((f) => !f.once && f.index > WINDOW_TURNS);
    expect(late.length).toBeGreaterThan(0);
    for (const f of late) expect(f.raisedAt).toBeGreaterThanOrEqual(f.index);
    for (const h of r.hits) expect(h.index).toBeLessThan(messages.length);
    // A session-level finding is raised once, where the session crossed the limit — not again
    // with every message once the window has moved past that turn.
    const long = r.findings.filter((f) => f.detector === "long_session");
    const limit = scorers.policy().policy.detection.longSessionTurns;
    expect(long.map((f) => f.index)).toEqual([limit]);
  });
});
