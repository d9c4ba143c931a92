import type { BoardSessionRow } from "../storage/console-queries.ts";

/**
 * The live board's order: what a supervisor should look at first. Critical first (an open
 * critical alert or finding), then rising negativity (how negative the customer is now, and
 * how often), then how long the customer has waited for a reply, then low QA. One number, so
 * the page and the live updates sort alike.
 */
export function riskOf(r: BoardSessionRow, nowMs: number): number {
  const open = r.alert && (r.alert.status === "open" || r.alert.status === "snoozed");
  const critical = (open && r.alert!.severity === "critical") || r.findings.some((f) => f.severity === "critical");
  const warning = open || r.findings.some((f) => f.severity === "warning");
  const negativity = Math.max(0, -(r.valenceLast ?? 0)) * 40 + Math.min(r.negativeTurns, 10) * 3;
  const waited = waitingSeconds(r, nowMs);
  const qa = r.qaScore === null ? 0 : Math.max(0, 80 - r.qaScore) / 2;
  return (critical ? 1_000 : 0) + (warning ? 200 : 0) + negativity + Math.min(waited / 6, 100) + qa;
}

/** Seconds the customer's latest message has waited for an agent's reply (0 when answered). */
export function waitingSeconds(r: Pick<BoardSessionRow, "lastCustomerAt" | "lastAgentAt">, nowMs: number): number {
  if (!r.lastCustomerAt) return 0;
  if (r.lastAgentAt && r.lastAgentAt >= r.lastCustomerAt) return 0;
  return Math.max(0, Math.round((nowMs - r.lastCustomerAt.getTime()) / 1000));
}

export type Severity = "critical" | "warning" | "ok";

export interface BoardRow {
  id: string;
  externalKey: string;
  channel: string;
  customer: string | null;
  agent: string | null;
  agentId: string | null;
  /** The agent's Lark open_id (what an agent's board is cut by). */
  agentOpenId: string | null;
  waitingSecs: number;
  /** When the customer's unanswered message came (epoch ms), while they wait: the page ticks it. */
  waitingSince: number | null;
  trajectory: number[];
  qa: number | null;
  findings: Array<{ detector: string; severity: string; n: number }>;
  alert: BoardSessionRow["alert"];
  severity: Severity;
  risk: number;
}

export function boardRow(r: BoardSessionRow, nowMs: number): BoardRow {
  const risk = riskOf(r, nowMs);
  return {
    id: r.id,
    externalKey: r.externalKey,
    channel: r.channel,
    customer: r.customer,
    agent: r.agent,
    agentId: r.agentId,
    agentOpenId: r.agentOpenId,
    waitingSecs: waitingSeconds(r, nowMs),
    waitingSince: waitingSeconds(r, nowMs) > 0 ? r.lastCustomerAt!.getTime() : null,
    trajectory: r.trajectory,
    qa: r.qaScore === null ? null : Math.round(r.qaScore),
    findings: r.findings,
    alert: r.alert,
    severity: risk >= 1_000 ? "critical" : risk >= 200 ? "warning" : "ok",
    risk: Math.round(risk),
  };
}

export const rankBoard = (rows: BoardSessionRow[], nowMs: number): BoardRow[] => rows.map((r) => boardRow(r, nowMs)).sort((a, b) => b.risk - a.risk || a.id.localeCompare(b.id));

/** Rows the board draws at most: 2,000 rows take seconds to lay out, and nobody reads past the top. */
export const BOARD_LIMIT = 200;

export interface BoardFilter {
  agent?: string;
  channel?: string;
  severity?: Severity;
}

export const matchesFilter = (r: BoardRow, f: BoardFilter) => (!f.agent || r.agentId === f.agent) && (!f.channel || r.channel === f.channel) && (!f.severity || r.severity === f.severity);
