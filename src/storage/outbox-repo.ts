import { redactClip } from "../shared/redact.ts";
import { randomUUID } from "node:crypto";
import type { Database } from "./db.ts";
import { asDate, placeholders, type Sql } from "./sql.ts";

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
  const { prisma, sql } = db;
  return {
    /**
     * Claims due rows with a lease, so two workers (or two instances) never send the same row at
     * once; a crashed worker's lease simply expires and the row is retried.
     */
    async claimDue(now: Date, limit: number, leaseMs: number, skipRateKeys: readonly string[] = []): Promise<OutboxRow[]> {
      // One transaction for the leases (one commit, not one per row). Lark's sends come before
      // channel webhooks: a supervisor's card never waits behind another platform's feed.
      // Rows of destinations the worker is holding back (busy, or its circuit open) stay unclaimed.
      const claimed = await sql.transaction(async (tx) => {
        const skip = skipRateKeys.length ? ` AND "rateKey" NOT IN (${placeholders(skipRateKeys.length)})` : "";
        const candidates = await tx.all<{ id: number; lockedUntil: unknown }>(
          `SELECT "id", "lockedUntil" FROM "OutboxMessage" WHERE "status" = 'pending' AND "nextAttemptAt" <= ? AND ("lockedUntil" IS NULL OR "lockedUntil" < ?)${skip}
           ORDER BY CASE WHEN "kind" = 'webhook.post' THEN 1 ELSE 0 END ASC, "id" ASC LIMIT ?`,
          [now, now, ...skipRateKeys, limit],
        );
        const ids: number[] = [];
        const until = new Date(now.getTime() + leaseMs);
        for (const c of candidates) {
          // The lease is taken only if nobody took it since we looked (same lockedUntil as read).
          const changed =
            c.lockedUntil === null
              ? await tx.run(`UPDATE "OutboxMessage" SET "lockedUntil" = ? WHERE "id" = ? AND "status" = 'pending' AND "lockedUntil" IS NULL`, [until, c.id])
              : await tx.run(`UPDATE "OutboxMessage" SET "lockedUntil" = ? WHERE "id" = ? AND "status" = 'pending' AND "lockedUntil" = ?`, [until, c.id, asDate(c.lockedUntil)]);
          if (changed === 1) ids.push(Number(c.id));
        }
        return ids;
      });
      if (!claimed.length) return [];
      const rows = await sql.all<OutboxRow>(
        `SELECT "id", "uuid", "kind", "target", "payload", "rateKey", "attempts", "dependsOnId" FROM "OutboxMessage" WHERE "id" IN (${placeholders(claimed.length)}) ORDER BY CASE WHEN "kind" = 'webhook.post' THEN 1 ELSE 0 END ASC, "id" ASC`,
        claimed,
      );
      return rows.map((r) => ({ ...r, id: Number(r.id), dependsOnId: r.dependsOnId === null ? null : Number(r.dependsOnId) }));
    },
    dependency: (id: number) => sql.get<{ status: string; resultMessageId: string | null }>(`SELECT "status", "resultMessageId" FROM "OutboxMessage" WHERE "id" = ?`, [id]),
    markSent: (id: number, status: "sent" | "dry_run", messageId: string | undefined, attempts: number) =>
      sql.run(`UPDATE "OutboxMessage" SET "status" = ?, "resultMessageId" = ?, "sentAt" = ?, "lockedUntil" = NULL, "attempts" = ?, "lastError" = NULL WHERE "id" = ?`, [
        status,
        messageId ?? null,
        new Date(),
        attempts,
        id,
      ]),
    reschedule: (id: number, at: Date, attempts: number, error?: string) =>
      sql.run(`UPDATE "OutboxMessage" SET "nextAttemptAt" = ?, "lockedUntil" = NULL, "attempts" = ?, "lastError" = COALESCE(?, "lastError") WHERE "id" = ?`, [
        at,
        attempts,
        error ? redactClip(error, 2000) : null,
        id,
      ]),
    markFailed: (id: number, attempts: number, error: string) =>
      sql.run(`UPDATE "OutboxMessage" SET "status" = 'failed', "lockedUntil" = NULL, "attempts" = ?, "lastError" = ? WHERE "id" = ?`, [attempts, redactClip(error, 2000), id]),
    get: (id: number) => prisma.outboxMessage.findUnique({ where: { id } }),
    enqueue: (item: OutboxItem) => enqueueOutbox(db.sql, item),
    list: () => prisma.outboxMessage.findMany({ orderBy: { id: "asc" } }),
    nextDueAt: async (): Promise<Date | undefined> =>
      (await prisma.outboxMessage.findFirst({ where: { status: "pending" }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true } }))?.nextAttemptAt,
  };
}

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
