import type { Logger } from "../shared/logger.ts";
import type { LiveHub } from "../shared/live-hub.ts";
import type { BoardRow } from "./board.ts";

/** One open board: what it may see, and where its events go. */
export interface FeedClient {
  /** An agent's open_id: only rows of sessions they answer. Absent: the whole team. */
  agentOpenId?: string;
  /** The sessions this (agent's) board shows, so it hears when one leaves it and of no other. */
  mine?: Set<string>;
  /** A session page: only this session's changes. */
  only?: string;
  send(data: string): void;
}

/** Changes within this long go out together: a burst on one session is one update. */
const COALESCE_MS = 100;

/**
 * The live board's one reader. Every open board hears of the same changes, so the rows are read
 * and drawn once per 100 ms for all of them — not once per board, which with many supervisors
 * watching would read the database as often as processing writes it — then cut to what each
 * may see. Listens to the hub only while a board is open.
 */
export function createLiveFeed(o: { live: LiveHub; read: (ids: string[]) => Promise<BoardRow[]>; draw: (row: BoardRow) => string; log: Logger }) {
  const clients = new Set<FeedClient>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  const flush = async () => {
    timer = undefined;
    const ids = [...pending];
    pending = new Set();
    if (!clients.size) return;
    let rows: BoardRow[];
    try {
      rows = await o.read(ids);
    } catch (e) {
      o.log.warn("console live update failed", { error: (e as Error).message });
      return;
    }
    const drawn = rows.map((x) => ({ id: x.id, risk: x.risk, agentOpenId: x.agentOpenId, html: o.draw(x) }));
    const open = new Set(rows.map((x) => x.id));
    const wide = JSON.stringify({ rows: drawn.map(({ id, risk, html }) => ({ id, risk, html })), gone: ids.filter((id) => !open.has(id)) });
    for (const c of clients) {
      if (c.only && !ids.includes(c.only)) continue;
      if (!c.agentOpenId || !c.mine) {
        c.send(wide);
        continue;
      }
      const own = drawn.filter((x) => x.agentOpenId === c.agentOpenId);
      const ownIds = new Set(own.map((x) => x.id));
      // Closed, or now another agent's: gone from this board — only if it was on it.
      const gone = ids.filter((id) => !ownIds.has(id) && c.mine!.delete(id));
      for (const id of ownIds) c.mine.add(id);
      if (own.length || gone.length) c.send(JSON.stringify({ rows: own.map(({ id, risk, html }) => ({ id, risk, html })), gone }));
    }
  };

  return {
    add(c: FeedClient): () => void {
      clients.add(c);
      unsubscribe ??= o.live.subscribe((ids) => {
        for (const id of ids) pending.add(id);
        timer ??= setTimeout(() => void flush(), COALESCE_MS);
      });
      return () => {
        clients.delete(c);
        if (clients.size) return;
        unsubscribe?.();
        unsubscribe = undefined;
        if (timer) clearTimeout(timer);
        timer = undefined;
        pending = new Set();
      };
    },
    get size() {
      return clients.size;
    },
  };
}
