import { redactClip } from "../shared/redact.ts";
import type { InboxRow } from "../ingest/normalize.ts";
import { createBatcher } from "../shared/batcher.ts";
import type { Database } from "./db.ts";
import { asDate, type Sql } from "./sql.ts";

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
  const { prisma, sql } = db;

  async function insertMany(records: InboxRecord[]): Promise<boolean[]> {
    const fresh = new Set<string>();
    const now = new Date();
    // One transaction (one commit) for the batch; ON CONFLICT DO NOTHING … RETURNING says which keys are new.
    await sql.transaction(
      async (tx) => {
        for (let start = 0; start < records.length; start += ROWS_PER_STATEMENT) {
          const chunk = records.slice(start, start + ROWS_PER_STATEMENT);
          const inserted = await tx.all<{ dedupKey: string }>(
            `INSERT INTO "InboxEvent" ("dedupKey", "source", "eventType", "payload", "receivedAt") VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")} ON CONFLICT ("dedupKey") DO NOTHING RETURNING "dedupKey"`,
            chunk.flatMap((r) => [r.dedupKey, r.source, r.eventType, r.payload, now]),
          );
          for (const r of inserted) fresh.add(r.dedupKey);
        }
      },
      { durable: true },
    );
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

    async pending(limit: number): Promise<InboxRow[]> {
      const rows = await sql.all<InboxRow & { receivedAt: unknown }>(
        `SELECT "id", "source", "eventType", "payload", "receivedAt", "attempts" FROM "InboxEvent" WHERE "status" = 'pending' ORDER BY "id" LIMIT ?`,
        [limit],
      );
      return rows.map((r) => ({ ...r, receivedAt: asDate(r.receivedAt) }));
    },

    /**
     * Inside the processing transaction: marks the row done only if it is still pending.
     * false means another worker got there first, and the caller must roll back.
     */
    async complete(tx: Sql, id: number, status: "done" | "ignored", note?: string): Promise<boolean> {
      return (await tx.run(`UPDATE "InboxEvent" SET "status" = ?, "processedAt" = ?, "error" = ? WHERE "id" = ? AND "status" = 'pending'`, [status, new Date(), note ?? null, id])) === 1;
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
