import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";
import { type Lock, underLock } from "./sql.ts";

/**
 * Prisma's SQLite adapter, with every statement and every transaction taken under our lock —
 * the one our own connection (sql.ts) takes too. Written against Prisma's public driver-adapter
 * interface, by composition: the adapter's own connection is never touched.
 *
 * Why: the adapter shares one connection between transactions and plain queries and locks only
 * transactions, so a plain INSERT issued while another request's transaction is open would run
 * inside it — and vanish if it rolled back. And our connection must never write while Prisma's
 * transaction holds the file.
 */
export function lockedAdapterFactory(inner: SqlDriverAdapterFactory, lock: Lock): SqlDriverAdapterFactory {
  const under = underLock(lock);
  const lockedTransaction = (tx: Transaction, release: () => void): Transaction => {
    let done = false;
    const finish = async (end: () => Promise<void>) => {
      try {
        await end();
      } finally {
        if (!done) {
          done = true;
          release();
        }
      }
    };
    return {
      provider: tx.provider,
      adapterName: tx.adapterName,
      options: tx.options,
      queryRaw: (q: SqlQuery) => tx.queryRaw(q),
      executeRaw: (q: SqlQuery) => tx.executeRaw(q),
      commit: () => finish(() => tx.commit()),
      rollback: () => finish(() => tx.rollback()),
    };
  };
  const lockedAdapter = (a: SqlDriverAdapter): SqlDriverAdapter => ({
    provider: a.provider,
    adapterName: a.adapterName,
    queryRaw: under((q: SqlQuery) => a.queryRaw(q)),
    executeRaw: under((q: SqlQuery) => a.executeRaw(q)),
    executeScript: under((s: string) => a.executeScript(s)),
    // Held from BEGIN to COMMIT or ROLLBACK.
    async startTransaction(isolation) {
      const release = await lock.acquire();
      try {
        return lockedTransaction(await a.startTransaction(isolation), release);
      } catch (e) {
        release();
        throw e;
      }
    },
    ...(a.getConnectionInfo ? { getConnectionInfo: () => a.getConnectionInfo!() } : {}),
    dispose: () => a.dispose(),
  });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => lockedAdapter(await inner.connect()),
  };
}
