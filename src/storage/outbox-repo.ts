import { redactClip } from "../shared/redact.ts";
import { randomUUID } from "node:crypto";
import type { Database } from "./db.ts";
import type { Sql } from "./sql.ts";

import type { OutboxKind } from "../clients/lark-sender.ts";

export interface OutboxItem {
  kind: OutboxKind;
  /** create: "<receive_id_type>:<id>" (e.g. chat_id:oc_…); reply/patch/urgent: a message_id; ephemeral: chat_id; webhook: its URL. */
  target: string;
  payload: Record<string, unknown>;
  /** Which per-recipient limit this send counts against; defaults to the target. */
  rateKey?: string;
  /** Caller-chosen idempotency key; Lark dedupes create/reply on it for an hour. */
  uuid?: string;
  /** Send only after this row has been delivered; an empty target then means "its message_id". */
  dependsOnId?: number;
}

export interface OutboxRow {
  id: number;
  uuid: string;
  kind: string;
  target: string;
  payload: string;
  rateKey: string;
  attempts: number;
  dependsOnId: number | null;
}

/** Writes a send in the caller's transaction, so the decision and the send commit together. */
export async function enqueueOutbox(tx: Sql, item: OutboxItem): Promise<number> {
  const row = await tx.get<{ id: number }>(
    // Due at once (nextAttemptAt 0), whatever the worker's clock says (the database's now() is not our clock).
    `INSERT INTO "OutboxMessage" ("uuid", "kind", "target", "payload", "rateKey", "dependsOnId", "nextAttemptAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
    [item.uuid ?? randomUUID(), item.kind, item.target, JSON.stringify(item.payload), item.rateKey ?? (item.target || `dep:${item.dependsOnId}`), item.dependsOnId ?? null, new Date(0), new Date()],
  );
  return Number(row!.id);
}

/**
 * A patch that only the latest state matters for (a live digest card): a patch still waiting
 * — not yet claimed by a worker — takes the new content instead of a second patch queuing
 * behind it. Returns the row that will carry it.
 */
export async function enqueueOrReplacePatch(tx: Sql, createId: number, payload: Record<string, unknown>, uuid: string): Promise<number> {
  const waiting = await tx.get<{ id: number }>(
    `SELECT "id" FROM "OutboxMessage" WHERE "kind" = 'message.patch' AND "dependsOnId" = ? AND "status" = 'pending' AND "attempts" = 0 AND "lockedUntil" IS NULL ORDER BY "id" DESC LIMIT 1`,
    [createId],
  );
  if (!waiting) return enqueueOutbox(tx, { kind: "message.patch", target: "", dependsOnId: createId, payload, uuid });
  await tx.run(`UPDATE "OutboxMessage" SET "payload" = ?, "uuid" = ? WHERE "id" = ?`, [JSON.stringify(payload), uuid, waiting.id]);
  return Number(waiting.id);
}

export function createOutboxRepo(db: Database) {
  const { prisma } = db;
  return {
    /**
     * Claims due rows with a lease, so two workers (or two instances) never send the same row at
     * once; a crashed worker's lease simply expires and the row is retried.
     */
    async claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
      const candidates = await prisma.outboxMessage.findMany({
        where: { status: "pending", nextAttemptAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
        orderBy: { id: "asc" },
        take: limit,
        select: { id: true, lockedUntil: true },
      });
      const claimed: number[] = [];
      for (const c of candidates) {
        const r = await prisma.outboxMessage.updateMany({
          where: { id: c.id, status: "pending", lockedUntil: c.lockedUntil },
          data: { lockedUntil: new Date(now.getTime() + leaseMs) },
        });
        if (r.count === 1) claimed.push(c.id);
      }
      if (!claimed.length) return [];
      return prisma.outboxMessage.findMany({
        where: { id: { in: claimed } },
        orderBy: { id: "asc" },
        select: { id: true, uuid: true, kind: true, target: true, payload: true, rateKey: true, attempts: true, dependsOnId: true },
      });
    },
    dependency: (id: number) => prisma.outboxMessage.findUnique({ where: { id }, select: { status: true, resultMessageId: true } }),
    markSent: (id: number, status: "sent" | "dry_run", messageId: string | undefined, attempts: number) =>
      prisma.outboxMessage.update({
        where: { id },
        data: { status, resultMessageId: messageId ?? null, sentAt: new Date(), lockedUntil: null, attempts, lastError: null },
      }),
    reschedule: (id: number, at: Date, attempts: number, error?: string) =>
      prisma.outboxMessage.update({
        where: { id },
        data: { nextAttemptAt: at, lockedUntil: null, attempts, ...(error ? { lastError: redactClip(error, 2000) } : {}) },
      }),
    markFailed: (id: number, attempts: number, error: string) =>
      prisma.outboxMessage.update({ where: { id }, data: { status: "failed", lockedUntil: null, attempts, lastError: redactClip(error, 2000) } }),
    get: (id: number) => prisma.outboxMessage.findUnique({ where: { id } }),
    enqueue: (item: OutboxItem) => enqueueOutbox(db.sql, item),
    list: () => prisma.outboxMessage.findMany({ orderBy: { id: "asc" } }),
    nextDueAt: async (): Promise<Date | undefined> =>
      (await prisma.outboxMessage.findFirst({ where: { status: "pending" }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true } }))?.nextAttemptAt,
  };
}

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
