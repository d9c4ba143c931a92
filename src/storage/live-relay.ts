import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { Logger } from "../shared/logger.ts";
import { pgSchemaOf } from "./db.ts";

/** NOTIFY payloads must stay under 8,000 bytes. */
const MAX_PAYLOAD = 7_500;
/** Ids published within this long go out in one notification. */
const COALESCE_MS = 50;

/**
 * "These sessions changed", between instances sharing one PostgreSQL database: each instance's
 * commits reach the live boards the others serve. LISTEN needs a connection of its own (the
 * pool's connections come and go), so the relay keeps one client for both listening and
 * notifying. The channel is per schema: instances of another deployment (or test) on the same
 * database never hear ours. Best effort: a board that misses a notice while the connection is
 * down is current again at its next change or reload; nothing is stored from here.
 */
/** The NOTIFY channel of a database URL's schema. */
export const liveChannel = (url: string) =>
  `cs_live_${createHash("sha256")
    .update(pgSchemaOf(url) ?? "public")
    .digest("hex")
    .slice(0, 16)}`;

export function createPgLiveRelay(url: string, log: Logger, onRemote: (sessionIds: string[]) => void) {
  const me = randomUUID();
  const channel = liveChannel(url);
  const clean = new URL(url);
  clean.searchParams.delete("schema");
  let client: pg.Client | undefined;
  let ready: Promise<void> | undefined;
  let stopped = false;
  let failures = 0;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const connect = () => {
    // Bounded: start-up waits for the first LISTEN, and a connect that hangs must not hold it.
    const c = new pg.Client({ connectionString: clean.toString(), connectionTimeoutMillis: 5_000 });
    client = c;
    c.on("notification", (m) => {
      if (m.channel !== channel || !m.payload) return;
      try {
        const { from, ids } = JSON.parse(m.payload) as { from: string; ids: string[] };
        if (from !== me && Array.isArray(ids)) onRemote(ids.map(String));
      } catch {
        /* not ours */
      }
    });
    c.on("error", (e) => {
      log.warn("live relay connection lost; reconnecting", { error: e.message });
      retry(c);
    });
    // Closed without an error (the server restarted, say): listen again.
    c.on("end", () => retry(c));
    ready = c
      .connect()
      .then(() => c.query(`LISTEN ${channel}`))
      .then(() => {
        failures = 0;
      })
      .catch((e: Error) => {
        log.warn("live relay could not connect; live boards show this instance's changes only until it does", { error: e.message });
        retry(c);
      });
  };
  const retry = (c: pg.Client) => {
    if (client !== c) return;
    client = undefined;
    c.end().catch(() => {});
    if (stopped) return;
    const t = setTimeout(connect, Math.min(30_000, 500 * 2 ** failures++));
    t.unref();
  };

  const flush = async () => {
    timer = undefined;
    const ids = [...pending];
    pending = new Set();
    await ready;
    const c = client;
    if (!c || stopped) return;
    for (let i = 0; i < ids.length; ) {
      const chunk: string[] = [];
      let size = 64;
      while (i < ids.length && size + ids[i]!.length + 3 < MAX_PAYLOAD) {
        size += ids[i]!.length + 3;
        chunk.push(ids[i++]!);
      }
      if (!chunk.length)
        i++; // an id too long for a notice (never ours) is skipped
      else await c.query("SELECT pg_notify($1, $2)", [channel, JSON.stringify({ from: me, ids: chunk })]).catch((e: Error) => log.warn("live relay notify failed", { error: e.message }));
    }
  };

  connect();
  return {
    /** Tell the other instances (coalesced; never waits on the caller's path). */
    send(sessionIds: string[]) {
      if (stopped) return;
      for (const id of sessionIds) pending.add(id);
      timer ??= setTimeout(() => void flush(), COALESCE_MS);
    },
    /** Resolves once listening (tests wait for it before publishing from another instance). */
    ready: () => ready ?? Promise.resolve(),
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
