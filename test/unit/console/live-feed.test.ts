import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BoardRow } from "../../../src/console/board.ts";
import { createLiveFeed } from "../../../src/console/live-feed.ts";
import { createLiveHub } from "../../../src/shared/live-hub.ts";
import { createMemoryLogger } from "../../../src/shared/logger.ts";

const row = (id: string, agentOpenId: string | null): BoardRow => ({
  id,
  externalKey: id,
  channel: "api",
  customer: null,
  agent: null,
  agentId: agentOpenId,
  agentOpenId,
  waitingSecs: 0,
  waitingSince: null,
  trajectory: [],
  qa: null,
  findings: [],
  alert: null,
  severity: "ok",
  risk: 1,
});

describe("the live feed", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reads once per burst for every board, and cuts an agent's board to their own sessions", async () => {
    const hub = createLiveHub();
    // The database as the feed sees it: s1 is agent A's, s2 agent B's, s3 closed (not open).
    const open = new Map([
      ["s1", row("s1", "ou_a")],
      ["s2", row("s2", "ou_b")],
    ]);
    const read = vi.fn(async (ids: string[]) => ids.flatMap((id) => (open.has(id) ? [open.get(id)!] : [])));
    const feed = createLiveFeed({ live: hub, read, draw: (r) => `<tr>${r.id}</tr>`, log: createMemoryLogger("debug") });
    const got = { lead: [] as string[], sup: [] as string[], agentB: [] as string[] };
    feed.add({ send: (d) => got.lead.push(d) });
    feed.add({ send: (d) => got.sup.push(d) });
    const leaveB = feed.add({ agentOpenId: "ou_b", mine: new Set(["s3"]), send: (d) => got.agentB.push(d) });

    hub.publish(["s1", "s2"]);
    hub.publish(["s3", "s1"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(read).toHaveBeenCalledTimes(1);
    expect(read).toHaveBeenCalledWith(["s1", "s2", "s3"]);
    expect(got.lead).toEqual(got.sup);
    expect(JSON.parse(got.lead[0]!)).toEqual({
      rows: [
        { id: "s1", risk: 1, html: "<tr>s1</tr>" },
        { id: "s2", risk: 1, html: "<tr>s2</tr>" },
      ],
      gone: ["s3"],
    });
    // Agent B: their row, and s3 gone (it was on their board); nothing of agent A's.
    expect(JSON.parse(got.agentB[0]!)).toEqual({ rows: [{ id: "s2", risk: 1, html: "<tr>s2</tr>" }], gone: ["s3"] });

    // s2 handed to agent A: it leaves B's board; A's own changes never reach B.
    open.set("s2", row("s2", "ou_a"));
    hub.publish(["s2"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(JSON.parse(got.agentB[1]!)).toEqual({ rows: [], gone: ["s2"] });
    hub.publish(["s1", "s2"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(got.agentB).toHaveLength(2);

    // The last board closing stops listening.
    leaveB();
    expect(hub.listeners).toBe(1);
  });

  it("listens only while a board is open", async () => {
    const hub = createLiveHub();
    const read = vi.fn(async () => []);
    const feed = createLiveFeed({ live: hub, read, draw: () => "", log: createMemoryLogger("debug") });
    hub.publish(["s1"]);
    expect(hub.listeners).toBe(0);
    const leave = feed.add({ send: () => {} });
    expect(hub.listeners).toBe(1);
    hub.publish(["s1"]);
    leave();
    await vi.advanceTimersByTimeAsync(200);
    expect(read).not.toHaveBeenCalled();
    expect(hub.listeners).toBe(0);
  });
});
