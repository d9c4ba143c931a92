import type { Database, Tx } from "./storage/db.ts";
import type { InboxRepo } from "./storage/inbox-repo.ts";
import { createParticipantCache, storeMessage, storeSessionEvent } from "./storage/conversation-repo.ts";
import { normalizeInboxEvent, type InboxRow } from "./ingest/normalize.ts";
import type { NormalizedEvent, Roster } from "./ingest/types.ts";
import type { Logger } from "./shared/logger.ts";

export interface PipelineDeps {
  db: Database;
  inbox: InboxRepo;
  roster: Roster;
  sessionIdleMs: number;
  log: Logger;
}

export type ProcessOutcome = "stored" | "session_event" | "ignored" | "already_processed";

class AlreadyProcessed extends Error {}

const prismaCode = (e: unknown) => (e as { code?: string })?.code;
/** The unique (source, externalId) on Message: the same message under a second event id. */
const isDuplicateMessage = (e: unknown) => prismaCode(e) === "P2002" && (e as { meta?: { modelName?: string } }).meta?.modelName === "Message";

/**
 * The whole flow for one recorded event, in order:
 *   1. normalize  — raw Lark envelope or ingest message → NormalizedEvent (pure)
 *   2. store      — session, participant, message (or session event), in one transaction that
 *                   also marks the inbox row done, so an event's effects happen exactly once
 *   (scoring, detection and actions join here as later stages.)
 */
export function createPipeline(deps: PipelineDeps) {
  const { db, inbox, roster, sessionIdleMs } = deps;
  const participants = createParticipantCache();

  /** Runs fn in the transaction that marks the inbox row handled; a row handled elsewhere aborts it. */
  const handled = <T>(row: InboxRow, status: "done" | "ignored", note: string | undefined, fn: (tx: Tx) => Promise<T>) =>
    db.prisma.$transaction(async (tx) => {
      if (!(await inbox.complete(tx, row.id, status, note))) throw new AlreadyProcessed();
      return fn(tx);
    });

  async function handle(row: InboxRow, event: NormalizedEvent, log: Logger): Promise<ProcessOutcome> {
    switch (event.kind) {
      case "ignored":
        await handled(row, "ignored", event.reason, async () => undefined);
        log.debug("event ignored", { reason: event.reason });
        return "ignored";
      case "session_event": {
        const session = await handled(row, "done", undefined, (tx) => storeSessionEvent(tx, event, sessionIdleMs));
        log.info("session event", { sessionId: session.id, event: event.event });
        return "session_event";
      }
      case "message": {
        const stored = await handled(row, "done", undefined, (tx) => storeMessage(tx, event, row.payload, row.id, sessionIdleMs, participants));
        participants.remember(event.sender, stored.participant);
        log.info("message stored", { sessionId: stored.session.id, messageId: stored.message.id, role: stored.message.role });
        return "stored";
      }
    }
  }

  return async function processInboxEvent(row: InboxRow): Promise<ProcessOutcome> {
    const log = deps.log.child({ inboxId: row.id, eventType: row.eventType });
    const event = normalizeInboxEvent(row, roster);
    try {
      try {
        return await handle(row, event, log);
      } catch (e) {
        // A remembered participant that no longer exists (erased or purged): forget and retry once.
        if (prismaCode(e) !== "P2003") throw e;
        participants.clear();
        return await handle(row, event, log);
      }
    } catch (e) {
      if (e instanceof AlreadyProcessed) return "already_processed";
      // Rare (a Service Desk redelivery under a new event id), so it costs a second transaction
      // here instead of a lookup on every message.
      if (isDuplicateMessage(e)) {
        await handled(row, "ignored", "duplicate message", async () => undefined).catch(() => undefined);
        return "ignored";
      }
      throw e;
    }
  };
}

export type ProcessInboxEvent = ReturnType<typeof createPipeline>;
