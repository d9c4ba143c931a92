import type { SessionRef } from "../ingest/types.ts";
import type { Provider } from "./db.ts";
import type { Sql } from "./sql.ts";

/** Another instance is working on this conversation right now; try its events again later. */
export class SessionBusy extends Error {}

/** A conversation's name across instances: the platform's, since our session id may not exist yet. */
export const sessionLockKey = (ref: { channel: SessionRef["channel"] | string; externalKey: string }) => `${ref.channel}:${ref.externalKey}`;

/** Two-key advisory locks live in their own space: this class number keeps ours apart. */
export const SESSION_LOCK_CLASS = 7411;

/**
 * Per-conversation locks held for the length of a transaction. On PostgreSQL several instances
 * share the work: the lock keeps one conversation's events in order and its session, findings
 * and alert created once. SQLite runs one instance whose writes are already serial: no-ops.
 */
export function createSessionLocks(provider: Provider) {
  if (provider !== "postgresql") return { tryLock: async (_tx: Sql, _key: string) => true, lock: async (_tx: Sql, _key: string) => undefined };
  return {
    /** Event processing never waits: a busy conversation is skipped and retried. */
    async tryLock(tx: Sql, key: string): Promise<boolean> {
      return (await tx.get<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${SESSION_LOCK_CLASS}, hashtext(?)) AS ok`, [key]))?.ok === true;
    },
    /** Timers wait their turn (they are rare, and hold nothing else while waiting). */
    async lock(tx: Sql, key: string): Promise<void> {
      await tx.get(`SELECT pg_advisory_xact_lock(${SESSION_LOCK_CLASS}, hashtext(?))::text AS locked`, [key]);
    },
  };
}

export type SessionLocks = ReturnType<typeof createSessionLocks>;
