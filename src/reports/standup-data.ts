import type { Database } from "../storage/db.ts";
import { setImmediate as yieldToIo } from "node:timers/promises";
import { customerTextBySession, dayRows, participantsById } from "../storage/report-queries.ts";
import { complaintType, type ComplaintType } from "../scoring/complaint-types.ts";
import { dayRange, zonedTime } from "./time-zone.ts";

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

/** Sessions whose customer words are read per round trip for the complaint types; the loop yields between rounds. */
const WORDS_CHUNK = 200;

/**
 * Everything the stand-up reports about one local day, straight from the log. A session counts
 * for the day when one of its messages was sent that day; first responses count for the day
 * the session opened. The database aggregates; what is left here is linear in the day's
 * sessions and alerts, and yields between rounds, so a busy day never holds the event loop
 * (Team today, the stand-up and /healthz share it).
 */
export async function dayStats(db: Database, day: string, o: DayOptions): Promise<DayStats> {
  const { start, end } = dayRange(day, o.tz);
  const hourStarts = Array.from({ length: 24 }, (_, h) => zonedTime(day, `${String(h).padStart(2, "0")}:00`, o.tz));
  const r = await dayRows(db.sql, start, end, hourStarts);
  const frs = r.firstResponses;
  const withAvg = r.sessions.filter((s) => s.valenceAvg !== null);
  const withQa = r.sessions.filter((s) => s.qaScore !== null);

  const ruleCounts = new Map<string, number>();
  const hitsBySession = new Map<string, Array<{ kind: string; lesson: string | null; n: number }>>();
  for (const h of r.hits) {
    ruleCounts.set(h.kind, (ruleCounts.get(h.kind) ?? 0) + h.n);
    const list = hitsBySession.get(h.sessionId) ?? [];
    list.push(h);
    hitsBySession.set(h.sessionId, list);
  }
  const sessionAlerts = r.alerts.filter((a) => a.kind === "session");

  // Complaint types: sessions where the customer was unhappy or threatened to escalate.
  const types = new Map<ComplaintType, number>();
  const unhappy = r.sessions.filter((s) => (s.valenceMin ?? 0) <= o.negativeValence || Boolean(s.escalationKinds)).map((s) => s.id);
  for (let i = 0; i < unhappy.length; i += WORDS_CHUNK) {
    if (i) await yieldToIo();
    for (const text of (await customerTextBySession(db.sql, unhappy.slice(i, i + WORDS_CHUNK), start, end)).values()) {
      const t = complaintType(text);
      if (t) types.set(t, (types.get(t) ?? 0) + 1);
    }
  }

  // Agents: sessions, QA, and the rule they break most (with its lesson).
  const byAgent = new Map<string, typeof r.sessions>();
  for (const s of r.sessions) {
    if (!s.agentId) continue;
    const list = byAgent.get(s.agentId) ?? [];
    list.push(s);
    byAgent.set(s.agentId, list);
  }
  const people = new Map((await participantsById(db, [...byAgent.keys()])).map((p) => [p.id, p]));
  const agents: AgentDay[] = [...byAgent].map(([agentId, mine]) => {
    const byKind = new Map<string, { n: number; lesson?: string }>();
    for (const s of mine) for (const h of hitsBySession.get(s.id) ?? []) byKind.set(h.kind, { n: (byKind.get(h.kind)?.n ?? 0) + h.n, lesson: h.lesson ?? byKind.get(h.kind)?.lesson });
    const top = [...byKind].sort((a, b) => b[1].n - a[1].n)[0];
    const person = people.get(agentId);
    return {
      agentId,
      name: person?.name ?? person?.externalId ?? agentId,
      sessions: mine.length,
      qaAverage: round(mean(mine.map((s) => s.qaScore).filter((q): q is number => q !== null)), 1),
      hits: [...byKind.values()].reduce((n, k) => n + k.n, 0),
      topKind: top?.[0],
      lesson: top?.[1].lesson,
    };
  });

  // The hour an alert was raised: the last hour start at or before it (24 instants, no formatter per alert).
  const hourOf = (at: Date) => {
    let h = 0;
    while (h < 23 && hourStarts[h + 1]!.getTime() <= at.getTime()) h++;
    return h;
  };
  const alertsPerHour = new Array<number>(24).fill(0);
  for (const a of sessionAlerts) alertsPerHour[hourOf(a.createdAt)]!++;
  const perHour = new Map(r.hourly.map((x) => [x.hour, x]));
  const hourly = Array.from({ length: 24 }, (_, hour) => {
    const x = perHour.get(hour);
    return { hour, messages: x?.messages ?? 0, avgValence: x?.valenceN ? round(x.valenceSum / x.valenceN) : null, alerts: alertsPerHour[hour]! };
  });
  const total = (k: "messages" | "customer" | "valenceSum" | "valenceN") => r.hourly.reduce((n, x) => n + x[k], 0);
  const verdicts = (action: string | null) => sessionAlerts.filter((a) => a.action === action).length;

  return {
    day,
    sessions: r.sessions.length,
    messages: total("messages"),
    customerMessages: total("customer"),
    firstResponse: {
      n: frs.length,
      p50: percentile(frs, 0.5),
      p90: percentile(frs, 0.9),
      slaSeconds: o.slaSeconds,
      slaAttainment: frs.length ? round(frs.filter((x) => x <= o.slaSeconds).length / frs.length, 3) : null,
    },
    avgCustomerValence: total("valenceN") ? round(total("valenceSum") / total("valenceN")) : null,
    negativeSessionShare: withAvg.length ? round(withAvg.filter((s) => s.valenceAvg! <= o.negativeValence).length / withAvg.length, 3) : null,
    qaAverage: round(mean(withQa.map((s) => s.qaScore!)), 1),
    topRules: [...ruleCounts]
      .map(([kind, count]) => ({ kind, count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind))
      .slice(0, 3),
    alerts: {
      raised: sessionAlerts.length,
      takenOver: verdicts("take_over"),
      acknowledged: verdicts("acknowledge"),
      falseAlarm: verdicts("false_alarm"),
      snoozed: verdicts("snooze"),
      unjudged: verdicts(null),
    },
    complaintTypes: [...types].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count),
    agents,
    wellbeing: r.alerts.filter((a) => a.kind === "wellbeing").map((a) => a.summary),
    hints: { sent: r.hints.queued, judged: r.hints.judged, useful: r.hints.useful, usefulShare: r.hints.judged ? round(r.hints.useful / r.hints.judged, 3) : null },
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
