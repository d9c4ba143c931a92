import { replaySession, type ReplayedSession } from "../engine/replay-session.ts";
import type { CompiledPolicy, RuleHit } from "../scoring/compliance/engine.ts";
import type { ZhModel } from "../scoring/emotion/zh-model.ts";
import { redactClip } from "../shared/redact.ts";
import type { Database } from "../storage/db.ts";
import { transcripts } from "../storage/session-queries.ts";

/**
 * Shadow test: stored conversations replayed under the policy in force and under a candidate,
 * side by side, before the candidate goes live. Per rule, the hits it would add and remove
 * (with examples); sessions that would gain or lose an alert; coaching hints; QA scores.
 * Pure apart from reading the sessions (storage/session-queries.ts): the replay is the same one
 * `eval sessions` uses.
 */
export interface ShadowOptions {
  current: CompiledPolicy;
  candidate: CompiledPolicy;
  zhModel?: ZhModel;
  since?: Date;
  /** Examples kept per rule and direction. */
  examples?: number;
}

interface Example {
  /** The conversation as its platform names it (chat, ticket or session id), and our id. */
  session: string;
  sessionId: string;
  index: number;
  text: string;
  evidence: string;
}

interface RuleChange {
  ruleId: string;
  kind: string;
  current: number;
  candidate: number;
  added: number;
  removed: number;
  examples: { added: Example[]; removed: Example[] };
}

export async function shadowPolicy(db: Database, o: ShadowOptions) {
  const keep = o.examples ?? 3;
  const rules = new Map<string, RuleChange>();
  const rule = (h: RuleHit) => {
    let r = rules.get(h.ruleId);
    if (!r) rules.set(h.ruleId, (r = { ruleId: h.ruleId, kind: h.kind, current: 0, candidate: 0, added: 0, removed: 0, examples: { added: [], removed: [] } }));
    return r;
  };
  const alerts = { current: 0, candidate: 0, added: [] as string[], removed: [] as string[] };
  const hints = { current: 0, candidate: 0 };
  const qaChanges: Array<{ session: string; from: number; to: number }> = [];
  let qaCurrent = 0;
  let qaCandidate = 0;
  let sessions = 0;

  for await (const s of transcripts(db, o.since)) {
    const messages = s.messages;
    sessions++;
    const before = replaySession({ policy: () => o.current, zhModel: o.zhModel }, messages);
    const after = replaySession({ policy: () => o.candidate, zhModel: o.zhModel }, messages);
    const key = (h: RuleHit) => `${h.ruleId}@${h.index}`;
    const was = new Map(before.hits.map((h) => [key(h), h]));
    const now = new Map(after.hits.map((h) => [key(h), h]));
    const example = (h: RuleHit): Example => ({ session: s.externalKey, sessionId: s.id, index: h.index, text: redactClip(messages[h.index]?.text ?? "", 60), evidence: redactClip(h.evidence, 60) });
    for (const h of before.hits) rule(h).current++;
    for (const h of after.hits) rule(h).candidate++;
    for (const [k, h] of now)
      if (!was.has(k)) {
        const r = rule(h);
        r.added++;
        if (r.examples.added.length < keep) r.examples.added.push(example(h));
      }
    for (const [k, h] of was)
      if (!now.has(k)) {
        const r = rule(h);
        r.removed++;
        if (r.examples.removed.length < keep) r.examples.removed.push(example(h));
      }
    const alerted = (r: ReplayedSession) => r.firstAlert >= 0;
    if (alerted(before)) alerts.current++;
    if (alerted(after)) alerts.candidate++;
    if (alerted(after) && !alerted(before)) alerts.added.push(s.externalKey);
    if (alerted(before) && !alerted(after)) alerts.removed.push(s.externalKey);
    hints.current += lessonHints(before.hits);
    hints.candidate += lessonHints(after.hits);
    qaCurrent += before.qa;
    qaCandidate += after.qa;
    if (before.qa !== after.qa) qaChanges.push({ session: s.externalKey, from: before.qa, to: after.qa });
  }
  qaChanges.sort((a, b) => Math.abs(b.to - b.from) - Math.abs(a.to - a.from));
  return {
    sessions,
    rules: [...rules.values()].filter((r) => r.added || r.removed || r.current || r.candidate).sort((a, b) => b.added + b.removed - (a.added + a.removed) || a.ruleId.localeCompare(b.ruleId)),
    alerts,
    hints,
    qa: {
      currentMean: sessions ? round(qaCurrent / sessions) : null,
      candidateMean: sessions ? round(qaCandidate / sessions) : null,
      sessionsChanged: qaChanges.length,
      biggest: qaChanges.slice(0, keep),
    },
  };
}

/** The coach sends one lesson per rule's lesson (or kind) per session: how many hints a session gets. */
const lessonHints = (hits: RuleHit[]) => new Set(hits.map((h) => h.lesson ?? `kind:${h.kind}`)).size;
const round = (v: number) => Math.round(v * 10) / 10;

export function printShadow(r: Awaited<ReturnType<typeof shadowPolicy>>): string {
  const lines = [`${r.sessions} stored sessions replayed under the policy in force and under the candidate`, "", "rule                              now  candidate   added  removed"];
  for (const x of r.rules) {
    lines.push(`${x.ruleId.padEnd(32)} ${String(x.current).padStart(5)} ${String(x.candidate).padStart(10)} ${`+${x.added}`.padStart(7)} ${`-${x.removed}`.padStart(8)}`);
    for (const e of x.examples.added) lines.push(`    + ${e.session} #${e.index}: ${e.text}   (${e.evidence})`);
    for (const e of x.examples.removed) lines.push(`    - ${e.session} #${e.index}: ${e.text}   (${e.evidence})`);
  }
  const ids = (list: string[]) => (list.length ? `: ${list.slice(0, 5).join(", ")}${list.length > 5 ? ", …" : ""}` : "");
  lines.push(
    "",
    `alerts: ${r.alerts.current} sessions now, ${r.alerts.candidate} with the candidate (+${r.alerts.added.length}${ids(r.alerts.added)}; -${r.alerts.removed.length}${ids(r.alerts.removed)})`,
    `coaching hints (lessons): ${r.hints.current} now, ${r.hints.candidate} with the candidate`,
    `QA: mean ${r.qa.currentMean ?? "n/a"} now, ${r.qa.candidateMean ?? "n/a"} with the candidate; ${r.qa.sessionsChanged} sessions change`,
    ...r.qa.biggest.map((q) => `    ${q.session}: ${q.from} → ${q.to}`),
  );
  return lines.join("\n");
}
