import { describe, expect, it } from "vitest";
import { createSessionWindows, type StoredWindow } from "../../../src/processing/session-windows.ts";

const window = (n: number): StoredWindow => ({
  lang: "zh",
  letters: { han: n, latin: 0 },
  turns: Array.from({ length: n }, (_, i) => ({ messageId: `m${i}`, role: "customer" as const, text: "在吗", sentAt: new Date(i * 1000), ts: i })),
  hits: [],
});

describe("session windows", () => {
  it("a window is trusted only at the revision it was kept at", () => {
    const w = createSessionWindows();
    w.set("s1", 3, window(2));
    expect(w.get("s1", 3)?.turns).toHaveLength(2);
    // Another writer moved the session on: the window is stale, and forgotten.
    expect(w.get("s1", 4)).toBeUndefined();
    expect(w.get("s1", 3)).toBeUndefined();
  });

  it("holds at most maxTurns turns, dropping the least recently used sessions first", () => {
    const w = createSessionWindows(10);
    w.set("a", 1, window(4));
    w.set("b", 1, window(4));
    expect(w.get("a", 1)).toBeDefined(); // a is now the most recent
    w.set("c", 1, window(4));
    expect(w.stats()).toEqual({ sessions: 2, turns: 8 });
    expect(w.get("b", 1)).toBeUndefined();
    expect(w.get("a", 1)).toBeDefined();
    expect(w.get("c", 1)).toBeDefined();
  });

  it("a session longer than the bound is still kept (alone) rather than read again for every message", () => {
    const w = createSessionWindows(10);
    w.set("a", 1, window(4));
    w.set("long", 1, window(25));
    expect(w.get("long", 1)?.turns).toHaveLength(25);
    expect(w.get("a", 1)).toBeUndefined();
  });
});
