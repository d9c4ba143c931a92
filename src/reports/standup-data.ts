import type { Database } from "../storage/db.ts";
import { dayRows, participantsById } from "../storage/report-queries.ts";
import { complaintType, type ComplaintType } from "../scoring/complaint-types.ts";
import { dayRange, localHour } from "./time-zone.ts";

/** Nearest-rank percentile (the value a team lead can find in the list). */
export function percentile(values: number[], q: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)]!;
}
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
const round = (v: number | null, d = 2) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);

export interface AgentDay {
  agentId: string;
  name: string;
  sessions: number;
  qaAverage: number | null;
  hits: number;
  topKind?: string;
  lesson?: string;
}

export interface DayStats {
  day: string;
  sessions: number;
  messages: number;
  customerMessages: number;
  firstResponse: { n: number; p50: number | null; p90: number | null; slaSeconds: number; slaAttainment: number | null };
  avgCustomerValence: number | null;
  negativeSessionShare: number | null;
  qaAverage: number | null;
  topRules: Array<{ kind: string; count: number }>;
  alerts: { raised: number; takenOver: number; acknowledged: number; falseAlarm: number; snoozed: number; unjudged: number };
  complaintTypes: Array<{ type: ComplaintType; count: number }>;
  agents: AgentDay[];
  wellbeing: string[];
  /** Agents' Useful / Not useful clicks on the day's hints. */
  hints: { sent: number; judged: number; useful: number; usefulShare: number | null };
  hourly: Array<{ hour: number; messages: number; avgValence: number | null; alerts: number }>;
}

export interface DayOptions {
  tz: string;
  slaSeconds: number;
  negativeValence: number;
}

/**
 * Everything the stand-up reports about one local day, straight from the log. A session counts
 * for the day when one of its messages was sent that day; first responses count for the day
 * the session opened.
 */
export async function dayStats(db: Database, day: string, o: DayOptions): Promise<DayStats> {
  const { start, end } = dayRange(day, o.tz);
  const { messages, sessions, opened, hits, hintRows, alerts } = await dayRows(db, start, end);
  const customer = messages.filter((m) => m.role === "customer");
  const valences = customer.map((m) => m.score?.valence).filter((v): v is number => v !== undefined && v !== null);
  const frs = opened.map((s) => s.firstResponseSecs!);
  const withAvg = sessions.filter((s) => s.valenceAvg !== null);
  const withQa = sessions.filter((s) => s.qaScore !== null);

  const ruleCounts = new Map<string, number>();
  for (const h of hits) ruleCounts.set(h.kind, (ruleCounts.get(h.kind) ?? 0) + 1);

  const sessionAlerts = alerts.filter((a) => a.kind === "session");
  const verdict = (a: (typeof alerts)[number]) => a.feedback[0]?.action;

  // Complaint types: sessions where the customer was unhappy or threatened to escalate.
  const types = new Map<ComplaintType, number>();
  for (const s of sessions) {
    const unhappy = (s.valenceMin ?? 0) <= o.negativeValence || Boolean(s.escalationKinds);
    if (!unhappy) continue;
    const t = complaintType(
      customer
        .filter((m) => m.sessionId === s.id)
        .map((m) => m.text)
        .join(" "),
    );
    if (t) types.set(t, (types.get(t) ?? 0) + 1);
  }

  // Agents: sessions, QA, and the rule they break most (with its lesson).
  const agentIds = [...new Set(sessions.map((s) => s.agentId).filter((x): x is string => Boolean(x)))];
  const people = await participantsById(db, agentIds);
  const agents: AgentDay[] = agentIds.map((agentId) => {
    const mine = sessions.filter((s) => s.agentId === agentId);
    const ids = new Set(mine.map((s) => s.id));
    const myHits = hits.filter((h) => ids.has(h.sessionId));
    const byKind = new Map<string, { n: number; lesson?: string }>();
    for (const h of myHits) byKind.set(h.kind, { n: (byKind.get(h.kind)?.n ?? 0) + 1, lesson: h.lesson ?? undefined });
    const top = [...byKind].sort((a, b) => b[1].n - a[1].n)[0];
    const person = people.find((x) => x.id === agentId);
    return {
      agentId,
      name: person?.name ?? person?.externalId ?? agentId,
      sessions: mine.length,
      qaAverage: round(mean(mine.map((s) => s.qaScore).filter((q): q is number => q !== null)), 1),
      hits: myHits.length,
      topKind: top?.[0],
      lesson: top?.[1].lesson,
    };
  });

  const hourly = Array.from({ length: 24 }, (_, hour) => {
    const inHour = messages.filter((m) => localHour(m.sentAt, o.tz) === hour);
    const v = inHour.filter((m) => m.role === "customer" && m.score).map((m) => m.score!.valence);
    return { hour, messages: inHour.length, avgValence: round(mean(v)), alerts: sessionAlerts.filter((a) => localHour(a.createdAt, o.tz) === hour).length };
  });

  return {
    day,
    sessions: sessions.length,
    messages: messages.length,
    customerMessages: customer.length,
    firstResponse: {
      n: frs.length,
      p50: percentile(frs, 0.5),
      p90: percentile(frs, 0.9),
      slaSeconds: o.slaSeconds,
      slaAttainment: frs.length ? round(frs.filter((x) => x <= o.slaSeconds).length / frs.length, 3) : null,
    },
    avgCustomerValence: round(mean(valences)),
    negativeSessionShare: withAvg.length ? round(withAvg.filter((s) => s.valenceAvg! <= o.negativeValence).length / withAvg.length, 3) : null,
    qaAverage: round(mean(withQa.map((s) => s.qaScore!)), 1),
    topRules: [...ruleCounts]
      .map(([kind, count]) => ({ kind, count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind))
      .slice(0, 3),
    alerts: {
      raised: sessionAlerts.length,
      takenOver: sessionAlerts.filter((a) => verdict(a) === "take_over").length,
      acknowledged: sessionAlerts.filter((a) => verdict(a) === "acknowledge").length,
      falseAlarm: sessionAlerts.filter((a) => verdict(a) === "false_alarm").length,
      snoozed: sessionAlerts.filter((a) => verdict(a) === "snooze").length,
      unjudged: sessionAlerts.filter((a) => !verdict(a)).length,
    },
    complaintTypes: [...types].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count),
    agents,
    wellbeing: alerts.filter((a) => a.kind === "wellbeing").map((a) => a.summary),
    hints: (() => {
      const judged = hintRows.filter((h) => h.feedback.length);
      const useful = judged.filter((h) => h.feedback[0]!.useful).length;
      return { sent: hintRows.filter((h) => h.status === "queued").length, judged: judged.length, useful, usefulShare: judged.length ? round(useful / judged.length, 3) : null };
    })(),
    hourly,
  };
}

/**
 * The agent to praise: best QA over at least two sessions (one lucky chat is not a trend).
 * The agent to coach: whoever broke the script and has the lowest QA, however few sessions
 * they had — one bad session is exactly what a lesson is for. Never the same person.
 */
export function starAndCoach(agents: AgentDay[]) {
  const rated = agents.filter((a) => a.qaAverage !== null && a.sessions >= 2);
  const star = [...rated].sort((a, b) => b.qaAverage! - a.qaAverage! || b.sessions - a.sessions)[0];
  const coach = agents.filter((a) => a.hits > 0 && a.qaAverage !== null && a.agentId !== star?.agentId).sort((a, b) => a.qaAverage! - b.qaAverage! || b.hits - a.hits)[0];
  return { star, coach };
}
