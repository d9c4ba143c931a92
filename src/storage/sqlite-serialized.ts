import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

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
export function serializeSqlite(factory: Factory): Factory {
  const lock = createLock();
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
  return new Proxy(factory, {
    get(target, prop) {
      if (prop === "connect") return async () => wrapAdapter(await target.connect());
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
