import { createHash } from "node:crypto";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { startCheckpointer } from "./sqlite-checkpointer.ts";

/**
 * The hot path's own connection to the database: plain SQL on prepared statements, no ORM in
 * between (an ORM model query costs ~1.9 ms here, a prepared statement ~5 µs). Prisma keeps the
 * schema, the migrations and the cold paths. SQL is written once, for both databases: `?`
 * placeholders, quoted identifiers, ON CONFLICT, RETURNING.
 */
export type SqlValue = string | number | boolean | Date | null;

export interface Sql {
  readonly dialect: "sqlite" | "postgresql";
  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  /** Rows changed. */
  run(sql: string, params?: SqlValue[]): Promise<number>;
}

export interface SqlDatabase extends Sql {
  /**
   * fn's statements commit together, or none do. `durable`: the commit is on disk before it
   * returns even if the machine loses power (what an ack promises); otherwise a commit survives
   * any crash of the process, and reaches the disk with the next durable one (SQLite's WAL).
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>, o?: { durable?: boolean }): Promise<T>;
  close(): Promise<void>;
}

/** `?, ?, ?` for a list. */
export const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** SQLite keeps DateTime as integer milliseconds, PostgreSQL as timestamp: both read back as a Date. */
export const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(Number(v)));
export const asDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : asDate(v));

/** fn inside the caller's transaction, undone alone if it throws (the rest of the transaction goes on). */
export async function savepoint<T>(tx: Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  await tx.run("SAVEPOINT part");
  try {
    const r = await fn(tx);
    await tx.run("RELEASE SAVEPOINT part");
    return r;
  } catch (e) {
    await tx.run("ROLLBACK TO SAVEPOINT part");
    await tx.run("RELEASE SAVEPOINT part");
    throw e;
  }
}

/** A unique constraint refused the row (on `table`, when given): SQLite's and PostgreSQL's codes. */
export function isUniqueViolation(e: unknown, table?: string): boolean {
  const err = e as { code?: string; message?: string; table?: string; detail?: string };
  if (err?.code === "SQLITE_CONSTRAINT_UNIQUE" || err?.code === "SQLITE_CONSTRAINT_PRIMARYKEY") return !table || String(err.message).includes(`${table}.`);
  if (err?.code === "23505") return !table || err.table === table;
  return false;
}

/** A row refers to one that no longer exists. */
export const isForeignKeyViolation = (e: unknown): boolean => {
  const code = (e as { code?: string })?.code;
  return code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503";
};

/** A FIFO lock: acquire() resolves to the function that releases it. */
export function createLock() {
  let tail: Promise<void> = Promise.resolve();
  return {
    acquire(): Promise<() => void> {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const ready = tail.then(() => release);
      tail = tail.then(() => held);
      return ready;
    },
  };
}
export type Lock = ReturnType<typeof createLock>;

/** fn wrapped so that each call runs holding the lock. */
export const underLock =
  (lock: Lock) =>
  <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
  async (...a: A): Promise<R> => {
    const release = await lock.acquire();
    try {
      return await fn(...a);
    } finally {
      release();
    }
  };

/**
 * SQLite: our own connection to the file, with its prepared statements cached. Prisma has a
 * connection of its own; both take `lock` around every statement and transaction (see db.ts),
 * so a statement never lands inside the other's transaction and no write waits on SQLite's
 * file lock. better-sqlite3 is synchronous: a transaction holds the event loop only for its
 * own statements (microseconds each).
 */
export function openSqliteSql(path: string, lock: Lock): SqlDatabase {
  const conn = new Sqlite(path);
  conn.pragma("journal_mode = WAL");
  conn.pragma("busy_timeout = 5000");
  // WAL + NORMAL: no fsync per commit (each one blocks the event loop for a disk flush); a
  // commit still survives kill -9. Durable transactions (the inbox's) switch to FULL for theirs,
  // which also flushes every commit before it.
  conn.pragma("synchronous = NORMAL");
  conn.pragma("wal_autocheckpoint = 0");
  const checkpointer = startCheckpointer(path, () => conn.open && conn.pragma("wal_autocheckpoint = 1000"));
  const cache = new Map<string, Sqlite.Statement>();
  const prepared = (sql: string) => {
    let st = cache.get(sql);
    if (!st) {
      st = conn.prepare(sql);
      // Statements with IN (?, ?, …) differ by length: keep the cache bounded, oldest out first.
      if (cache.size >= 500) cache.delete(cache.keys().next().value!);
      cache.set(sql, st);
    }
    return st;
  };
  const bind = (params: SqlValue[] = []) => params.map((p) => (p instanceof Date ? p.getTime() : typeof p === "boolean" ? (p ? 1 : 0) : p));
  const direct: Sql = {
    dialect: "sqlite",
    all: async <T>(sql: string, params?: SqlValue[]) => prepared(sql).all(bind(params)) as T[],
    get: async <T>(sql: string, params?: SqlValue[]) => prepared(sql).get(bind(params)) as T | undefined,
    run: async (sql: string, params?: SqlValue[]) => prepared(sql).run(bind(params)).changes,
  };
  const locked = underLock(lock);
  return {
    dialect: "sqlite",
    all: locked(direct.all) as Sql["all"],
    get: locked(direct.get) as Sql["get"],
    run: locked(direct.run),
    transaction: locked(async <T>(fn: (tx: Sql) => Promise<T>, o?: { durable?: boolean }) => {
      // The safety level is set between transactions (SQLite refuses it inside one).
      if (o?.durable) conn.pragma("synchronous = FULL");
      try {
        prepared("BEGIN IMMEDIATE").run();
        try {
          const r = await fn(direct);
          prepared("COMMIT").run();
          return r;
        } catch (e) {
          if (conn.inTransaction) prepared("ROLLBACK").run();
          throw e;
        }
      } finally {
        if (o?.durable) conn.pragma("synchronous = NORMAL");
      }
    }),
    close: async () => {
      await checkpointer.stop();
      conn.close();
    },
  };
}

/** PostgreSQL: a pool of our own, each statement prepared once per connection (named by its text). */
export function openPostgresSql(connectionString: string, schema: string | undefined): SqlDatabase {
  const pool = new pg.Pool({ connectionString, max: 10, ...(schema ? { options: `-c search_path="${schema.replace(/"/g, "")}"` } : {}) });
  // An idle connection the server (or the network) dropped: the pool discards it and opens a new
  // one on demand; the queries of the moment fail on their own. Unhandled, this event would end
  // the process.
  pool.on("error", () => undefined);
  const texts = new Map<string, { name: string; text: string }>();
  const statement = (sql: string) => {
    let s = texts.get(sql);
    if (!s) {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      s = { name: `s${createHash("sha1").update(text).digest("hex").slice(0, 16)}`, text };
      if (texts.size >= 1000) texts.delete(texts.keys().next().value!);
      texts.set(sql, s);
    }
    return s;
  };
  const on = (c: pg.Pool | pg.PoolClient): Sql => ({
    dialect: "postgresql",
    all: async <T>(sql: string, params: SqlValue[] = []) => (await c.query({ ...statement(sql), values: params })).rows as T[],
    get: async <T>(sql: string, params: SqlValue[] = []) => (await c.query({ ...statement(sql), values: params })).rows[0] as T | undefined,
    run: async (sql: string, params: SqlValue[] = []) => (await c.query({ ...statement(sql), values: params })).rowCount ?? 0,
  });
  return {
    ...on(pool),
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A connection lost mid-transaction is reported here (else an uncaught 'error' event); the
      // statement in flight fails on its own, and the broken client is destroyed, not reused.
      let broken: Error | undefined;
      const lost = (e: Error) => {
        broken = e;
      };
      client.on("error", lost);
      try {
        await client.query("BEGIN");
        const r = await fn(on(client));
        await client.query("COMMIT");
        return r;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.off("error", lost);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
