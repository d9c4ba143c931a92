import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";

type Factory = InstanceType<typeof PrismaBetterSQLite3>;
type Adapter = Awaited<ReturnType<Factory["connect"]>>;
type Tx = Awaited<ReturnType<Adapter["startTransaction"]>>;

/** A FIFO lock: acquire() resolves to the function that releases it. */
function createLock() {
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

/**
 * The better-sqlite3 adapter shares one connection between transactions and plain queries, and
 * only transactions take its lock: a plain INSERT issued while another request's transaction is
 * open runs *inside* that transaction — and vanishes if it rolls back (an acknowledged event,
 * lost). This wrapper puts plain queries and whole transactions behind one FIFO lock, so every
 * statement runs in the transaction it was meant for.
 */
/** The connection for direct use: its transaction() and cached prepared statements. */
export interface DirectSqlite {
  transaction: BetterSqlite3.Database["transaction"];
  statement(sql: string): BetterSqlite3.Statement;
}

export function serializeSqlite(factory: Factory): { factory: Factory; direct: <T>(fn: (c: DirectSqlite) => T) => Promise<T> } {
  const lock = createLock();
  let client: DirectSqlite | undefined;
  const wrapTx = (tx: Tx, release: () => void): Tx => {
    let done = false;
    const finish = <T>(p: Promise<T>) =>
      p.finally(() => {
        if (!done) {
          done = true;
          release();
        }
      });
    return new Proxy(tx, {
      get(target, prop) {
        if (prop === "commit") return () => finish(target.commit());
        if (prop === "rollback") return () => finish(target.rollback());
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  };
  const wrapAdapter = (adapter: Adapter): Adapter =>
    new Proxy(adapter, {
      get(target, prop) {
        if (prop === "queryRaw" || prop === "executeRaw" || prop === "executeScript") {
          const fn = (target[prop] as (q: unknown) => Promise<unknown>).bind(target);
          return async (q: unknown) => {
            const release = await lock.acquire();
            try {
              return await fn(q);
            } finally {
              release();
            }
          };
        }
        if (prop === "startTransaction") {
          return async (iso?: Parameters<Adapter["startTransaction"]>[0]) => {
            const release = await lock.acquire();
            try {
              return wrapTx(await target.startTransaction(iso), release);
            } catch (e) {
              release();
              throw e;
            }
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  const wrapped = new Proxy(factory, {
    get(target, prop) {
      if (prop === "connect")
        return async () => {
          const adapter = await target.connect();
          // The adapter keeps its better-sqlite3 connection as `client` (checked by every storage test).
          const conn = (adapter as unknown as { client: BetterSqlite3.Database }).client;
          client = { transaction: conn.transaction.bind(conn), statement: cachePreparedStatements(conn) };
          return wrapAdapter(adapter);
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return {
    factory: wrapped,
    /**
     * Runs fn on the connection, under the same lock as everything else: the hot path (the
     * inbox insert the edge waits on) without Prisma's per-statement overhead. Connect first.
     */
    async direct<T>(fn: (c: DirectSqlite) => T): Promise<T> {
      const release = await lock.acquire();
      try {
        if (!client) throw new Error("SQLite is not connected yet");
        return fn(client);
      } finally {
        release();
      }
    },
  };
}

/**
 * The adapter prepares every statement anew (a SQL parse each time, ~7 % of processing in a CPU
 * profile). Cache them. better-sqlite3's bind() is permanent, so the cache hands out a shim that
 * passes the arguments at execution instead; it covers what the adapter calls (bind, reader,
 * columns, run, raw().all()).
 */
function cachePreparedStatements(client: BetterSqlite3.Database, max = 500): (sql: string) => BetterSqlite3.Statement {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = client.prepare.bind(client);
  const statement = (sql: string) => {
    let st = cache.get(sql);
    if (!st) {
      st = prepare(sql);
      // Queries with IN (?, ?, …) differ by length: keep the cache bounded, oldest out first.
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(sql, st);
    }
    return st;
  };
  type Shim = { reader: boolean; bind(a: unknown[]): Shim; run(): BetterSqlite3.RunResult; columns(): BetterSqlite3.ColumnDefinition[]; raw(): { all(): unknown[] } };
  const shim = (st: BetterSqlite3.Statement, args: unknown[]): Shim => ({
    reader: st.reader,
    bind: (a) => shim(st, a),
    run: () => st.run(args),
    columns: () => st.columns(),
    raw: () => ({ all: () => st.raw(true).all(args) }),
  });
  client.prepare = ((sql: string) => shim(statement(sql), [])) as unknown as typeof client.prepare;
  return statement;
}
