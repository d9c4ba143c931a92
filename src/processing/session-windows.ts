import type { Window } from "../engine/turn-engine.ts";
import type { StoredHit, StoredTurn } from "../storage/score-repo.ts";

export type StoredWindow = Pick<Window, "lang" | "offset" | "earlier"> & {
  turns: StoredTurn[];
  hits: StoredHit[];
  /** The letters of every turn so far: a turn adds its own, and the language follows (no re-reading the whole conversation). */
  letters: { han: number; latin: number };
};

/**
 * The turn engine's windows of open sessions, kept in memory between messages so a message
 * costs the same whether it is a session's 2nd or its 1,500th: loaded once, then extended by
 * each turn. An entry is trusted only at the session's stored revision — any other writer (the
 * LLM refinement, another instance, a closed session's checks) bumps it, and the window is read
 * again. Bounded by the turns held in all: the least recently used sessions go first.
 */
export function createSessionWindows(maxTurns = 200_000) {
  const entries = new Map<string, { revision: number; window: StoredWindow }>();
  let held = 0;
  const drop = (sessionId: string) => {
    const e = entries.get(sessionId);
    if (!e) return;
    held -= e.window.turns.length;
    entries.delete(sessionId);
  };
  return {
    /** The window as of `revision`, or undefined (never seen, evicted, or changed elsewhere). */
    get(sessionId: string, revision: number): StoredWindow | undefined {
      const e = entries.get(sessionId);
      if (!e) return undefined;
      if (e.revision !== revision) {
        drop(sessionId);
        return undefined;
      }
      // Most recently used last: eviction takes from the front.
      entries.delete(sessionId);
      entries.set(sessionId, e);
      return e.window;
    },
    /** After a commit: the window the committed revision describes. */
    set(sessionId: string, revision: number, window: StoredWindow) {
      drop(sessionId);
      entries.set(sessionId, { revision, window });
      held += window.turns.length;
      for (const [id] of entries) {
        if (held <= maxTurns || id === sessionId) break;
        drop(id);
      }
    },
    drop,
    stats: () => ({ sessions: entries.size, turns: held }),
  };
}

export type SessionWindows = ReturnType<typeof createSessionWindows>;
