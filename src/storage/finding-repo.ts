import type { Finding } from "../detection/types.ts";
import type { Tx } from "./db.ts";
import type { StoredTurn } from "./score-repo.ts";

/** Session-level findings (`once`) are keyed without their turn: recorded the first time only. */
const keyOf = (sessionId: string, f: Finding) => (f.once ? `${sessionId}:${f.detector}` : `${sessionId}:${f.detector}:${f.index}`);

/**
 * Stores findings not seen before (a detector re-reports the same finding on every later
 * message) and returns the new ones with their ids.
 */
export async function saveNewFindings(tx: Tx, sessionId: string, findings: Finding[], turns: StoredTurn[], now: Date) {
  if (!findings.length) return [];
  const keys = findings.map((f) => keyOf(sessionId, f));
  const known = new Set((await tx.finding.findMany({ where: { dedupKey: { in: keys } }, select: { dedupKey: true } })).map((r) => r.dedupKey));
  const fresh: Array<{ id: number; finding: Finding }> = [];
  for (const f of findings) {
    const dedupKey = keyOf(sessionId, f);
    if (known.has(dedupKey)) continue;
    known.add(dedupKey);
    const row = await tx.finding.create({
      data: {
        dedupKey,
        sessionId,
        messageId: turns[f.index]?.messageId ?? null,
        detector: f.detector,
        severity: f.severity,
        summary: f.summary,
        evidence: JSON.stringify(f.evidence),
        facts: f.facts ? JSON.stringify(f.facts) : null,
        at: turns[f.index]?.sentAt ?? now,
      },
      select: { id: true },
    });
    fresh.push({ id: row.id, finding: f });
  }
  return fresh;
}
