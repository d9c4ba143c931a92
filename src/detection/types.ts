import type { EscalationKind } from "../scoring/escalation.ts";

/** One turn as detectors see it: text plus what scoring said about it. */
export interface DetTurn {
  role: "agent" | "customer";
  text: string;
  /** seconds (any origin), when known */
  ts?: number;
  valence?: number;
  /** 0..1: the customer reports something wrong, with or without feeling. */
  problem?: number;
  category?: string;
  intensity?: number;
  escalation?: EscalationKind[];
}

export interface SessionWindow {
  lang: "zh" | "en";
  turns: DetTurn[];
  /** Rule hits so far (from scoring), by kind and turn. */
  hits: Array<{ kind: string; index: number; evidence?: string }>;
  qaScore?: number;
  /** The conversation is over (closed): end-of-session detectors run. */
  closed: boolean;
  /** Current time in seconds (same origin as ts), for timer-based detectors. */
  now?: number;
  /** Turns the session had before this window (the engine judges a bounded window): absolute counts add it. */
  before?: number;
}

/** info: worth showing the agent; warning and critical: a supervisor should look (an alert). */
export type FindingSeverity = "info" | "warning" | "critical";
export const ALERTING: ReadonlySet<FindingSeverity> = new Set(["warning", "critical"]);

export interface Finding {
  detector: string;
  severity: FindingSeverity;
  /** Turn at which it became visible (for waits: the unanswered customer turn). */
  index: number;
  summary: string;
  /** Short quotes or numbers that show why. */
  evidence: string[];
  /** The numbers and kinds behind the summary, so a card can say it in its own language. */
  facts?: Record<string, unknown>;
  /** Session-level: recorded once per session however often it is seen (a QA score that stays low). */
  once?: boolean;
}
