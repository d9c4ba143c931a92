import { redactClip } from "../shared/redact.ts";
import type { InboxRow } from "../ingest/normalize.ts";
import { createBatcher } from "../shared/batcher.ts";
import type { Database, Tx } from "./db.ts";

export interface InboxRecord {
  dedupKey: string;
  source: "lark_http" | "lark_ws" | "api";
  eventType: string;
  payload: string;
}

/** Bounds one multi-row INSERT well below SQLite's 32,766 bound-parameter limit. */
const ROWS_PER_STATEMENT = 400;

/**
 * The durable inbox. accept() resolves only after the row is committed (or found to be a
 * duplicate), which is what lets the edge answer 200. Concurrent calls share one INSERT.
 */
export function createInboxRepo(db: Database) {
  const { prisma, provider } = db;
  const placeholder = provider === "sqlite" ? () => "?" : (i: number) => `$${i}`;

  const SQLITE_INSERT = `INSERT INTO "InboxEvent" ("dedupKey", "source", "eventType", "payload", "receivedAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("dedupKey") DO NOTHING RETURNING "dedupKey"`;

  /** SQLite: one prepared statement, one transaction (one commit) for the whole batch. */
  const insertSqlite = (records: InboxRecord[], now: Date, fresh: Set<string>) =>
    db.sqlite!((c) => {
      // raw(false): rows as objects, whatever mode a cached statement was last left in.
      const st = c.statement(SQLITE_INSERT).raw(false);
      c.transaction(() => {
        // receivedAt as integer ms: the client's timestampFormat is "unixepoch-ms".
        for (const r of records) if (st.get([r.dedupKey, r.source, r.eventType, r.payload, now.getTime()])) fresh.add(r.dedupKey);
      })();
    });

  async function insertMany(records: InboxRecord[]): Promise<boolean[]> {
    const fresh = new Set<string>();
    const now = new Date();
    if (db.sqlite) await insertSqlite(records, now, fresh);
    else
      for (let start = 0; start < records.length; start += ROWS_PER_STATEMENT) {
        const chunk = records.slice(start, start + ROWS_PER_STATEMENT);
        const params: unknown[] = [];
        const rows = chunk.map((r) => {
          const base = params.length;
          params.push(r.dedupKey, r.source, r.eventType, r.payload, now);
          return `(${[1, 2, 3, 4, 5].map((k) => placeholder(base + k)).join(", ")})`;
        });
        // ON CONFLICT DO NOTHING ... RETURNING tells us, in one round trip, which keys are new.
        const inserted = await prisma.$queryRawUnsafe<{ dedupKey: string }[]>(
          `INSERT INTO "InboxEvent" ("dedupKey", "source", "eventType", "payload", "receivedAt") VALUES ${rows.join(", ")} ON CONFLICT ("dedupKey") DO NOTHING RETURNING "dedupKey"`,
          ...params,
        );
        for (const r of inserted) fresh.add(r.dedupKey);
      }
    // A key repeated inside one batch is new only at its first position.
    const seen = new Set<string>();
    return records.map((r) => {
      const isNew = fresh.has(r.dedupKey) && !seen.has(r.dedupKey);
      seen.add(r.dedupKey);
      return isNew;
    });
  }

  const batcher = createBatcher(insertMany);

  return {
    /** true when the record is new, false when it was already recorded (a redelivery). */
    accept: (record: InboxRecord): Promise<boolean> => batcher.submit(record),
    acceptMany: (records: InboxRecord[]): Promise<boolean[]> => batcher.submitMany(records),

    pending: (limit: number): Promise<InboxRow[]> =>
      prisma.inboxEvent.findMany({
        where: { status: "pending" },
        orderBy: { id: "asc" },
        take: limit,
        select: { id: true, source: true, eventType: true, payload: true, receivedAt: true, attempts: true },
      }),

    /**
     * Inside the processing transaction: marks the row done only if it is still pending.
     * false means another worker got there first, and the caller must roll back.
     */
    async complete(tx: Tx, id: number, status: "done" | "ignored", note?: string): Promise<boolean> {
      const r = await tx.inboxEvent.updateMany({
        where: { id, status: "pending" },
        data: { status, processedAt: new Date(), error: note ?? null },
      });
      return r.count === 1;
    },

    async recordFailure(id: number, attempts: number, error: string, maxAttempts: number) {
      await prisma.inboxEvent.update({
        where: { id },
        data: { attempts, error: redactClip(error, 2000), ...(attempts >= maxAttempts ? { status: "failed", processedAt: new Date() } : {}) },
      });
    },

    /** Events recorded but not processed yet (an indexed count). */
    backlog: () => prisma.inboxEvent.count({ where: { status: "pending" } }),
    countByStatus: async () => {
      const rows = await prisma.inboxEvent.groupBy({ by: ["status"], _count: { _all: true } });
      return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
    },
  };
}

export type InboxRepo = ReturnType<typeof createInboxRepo>;
