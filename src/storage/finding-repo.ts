import type { Finding } from "../detection/types.ts";
import { asDate, placeholders, type Sql } from "./sql.ts";
import type { StoredTurn } from "./score-repo.ts";

/**
 * Session-level findings (`once`) are keyed without their turn: recorded the first time only.
 * Others by their turn's place in the whole session (offset: turns before the engine's window).
 */
const keyOf = (sessionId: string, f: Finding, offset: number) => (f.once ? `${sessionId}:${f.detector}` : `${sessionId}:${f.detector}:${offset + f.index}`);

/**
 * Stores findings not seen before (a detector re-reports the same finding on every later
 * message) and returns the new ones with their ids.
 */
export async function saveNewFindings(tx: Sql, sessionId: string, findings: Finding[], turns: StoredTurn[], offset: number, now: Date) {
  if (!findings.length) return [];
  const keys = findings.map((f) => keyOf(sessionId, f, offset));
  const known = new Set((await tx.all<{ dedupKey: string }>(`SELECT "dedupKey" FROM "Finding" WHERE "dedupKey" IN (${placeholders(keys.length)})`, keys)).map((r) => r.dedupKey));
  const fresh: Array<{ id: number; finding: Finding }> = [];
  for (const f of findings) {
    const dedupKey = keyOf(sessionId, f, offset);
    if (known.has(dedupKey)) continue;
    known.add(dedupKey);
    const row = await tx.get<{ id: number }>(
      `INSERT INTO "Finding" ("dedupKey", "sessionId", "messageId", "detector", "severity", "summary", "evidence", "facts", "at", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
      [
        dedupKey,
        sessionId,
        turns[f.index]?.messageId ?? null,
        f.detector,
        f.severity,
        f.summary,
        JSON.stringify(f.evidence),
        f.facts ? JSON.stringify(f.facts) : null,
        turns[f.index]?.sentAt ?? now,
        new Date(),
      ],
    );
    fresh.push({ id: Number(row!.id), finding: f });
  }
  return fresh;
}

/** When each session's waiting customer was last reported (waiting findings). */
export async function reportedWaits(q: Sql, sessionIds: string[]): Promise<Array<{ sessionId: string; at: Date }>> {
  if (!sessionIds.length) return [];
  const rows = await q.all<{ sessionId: string; at: unknown }>(
    `SELECT "sessionId", "at" FROM "Finding" WHERE "detector" = 'waiting' AND "sessionId" IN (${placeholders(sessionIds.length)})`,
    sessionIds,
  );
  return rows.map((r) => ({ sessionId: r.sessionId, at: asDate(r.at) }));
}
