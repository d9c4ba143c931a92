import { describe, expect, it } from "vitest";
import { BOARD_LIMIT, rankBoard } from "../../../src/console/board.ts";
import { WORDS } from "../../../src/console/i18n.ts";
import { boardPage } from "../../../src/console/pages.ts";
import type { BoardSessionRow } from "../../../src/storage/console-queries.ts";

const NOW = Date.UTC(2026, 5, 1, 12);
const session = (i: number, over: Partial<BoardSessionRow> = {}): BoardSessionRow => ({
  id: `s${i}`,
  channel: "api",
  externalKey: `chat-${i}`,
  lastMessageAt: new Date(NOW - 60_000),
  lastCustomerAt: new Date(NOW - 60_000),
  lastAgentAt: new Date(NOW - 30_000),
  qaScore: 90,
  valenceLast: 0,
  valenceMin: 0,
  negativeTurns: 0,
  messageCount: 2,
  assignedTo: null,
  agentId: "p-agent",
  agent: "坐席一",
  agentOpenId: null,
  customer: `顾客${i}`,
  trajectory: [0],
  findings: [],
  alert: null,
  ...over,
});
const shell = (lang: "zh" | "en") => ({
  lang,
  w: WORDS[lang],
  user: { openId: "ou_s", name: "S", role: "supervisor" as const, csrf: "x", tokenHash: "t" },
  csrf: "t",
  page: "board" as const,
  now: NOW,
});

describe("the board page", () => {
  const rows = rankBoard([...Array.from({ length: BOARD_LIMIT + 50 }, (_, i) => session(i)), session(999, { findings: [{ detector: "escalation", severity: "critical", n: 1 }] })], NOW);

  it("draws the riskiest BOARD_LIMIT rows, says how many there are, and links to all of them with the filter kept", () => {
    const html = boardPage(
      shell("zh"),
      { rows: rows.slice(0, BOARD_LIMIT), matching: rows.length, filter: { channel: "api" }, all: false, agents: [{ id: "p-agent", name: "坐席一" }], channels: ["api"] },
      [],
    );
    expect(html.match(/<tr id="s-/g)).toHaveLength(BOARD_LIMIT);
    expect(html.indexOf('id="s-s999"')).toBeLessThan(html.indexOf('id="s-s0"'));
    expect(html).toContain(`按风险显示前 ${BOARD_LIMIT} 个，共 ${rows.length} 个`);
    expect(html).toContain('href="/console?channel=api&amp;all=1"');
    expect(html).toContain(`data-limit="${BOARD_LIMIT}"`);
    // Detectors and channels in the reader's words; the filter keeps its value selected.
    expect(html).toContain(">扬言升级<");
    expect(html).toContain('<option value="api" selected>接入渠道</option>');
  });

  it("with all: every row, no cut for live rows, no link; in English", () => {
    const html = boardPage(shell("en"), { rows, matching: rows.length, filter: {}, all: true, agents: [], channels: ["api"] }, []);
    expect(html.match(/<tr id="s-/g)).toHaveLength(rows.length);
    expect(html).toContain('data-limit="0"');
    expect(html).not.toContain("riskiest");
    expect(html).toContain(">escalation<");
  });
});
