import type { Database } from "./storage/db.ts";
import type { InboxRepo } from "./storage/inbox-repo.ts";
import { storeMessage, storeSessionEvent } from "./storage/conversation-repo.ts";
import { normalizeInboxEvent, type InboxRow } from "./ingest/normalize.ts";
import type { Roster } from "./ingest/types.ts";
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

/**
 * The whole flow for one recorded event, in order:
 *   1. normalize  — raw Lark envelope or ingest message → NormalizedEvent (pure)
 *   2. store      — session, participant, message (or session event), in one transaction that
 *                   also marks the inbox row done, so an event's effects happen exactly once
 *   (scoring, detection and actions join here as later stages.)
 */
export function createPipeline(deps: PipelineDeps) {
  const { db, inbox, roster, sessionIdleMs } = deps;

  return async function processInboxEvent(row: InboxRow): Promise<ProcessOutcome> {
    const log = deps.log.child({ inboxId: row.id, eventType: row.eventType });
    const event = normalizeInboxEvent(row, roster);
    try {
      return await db.prisma.$transaction(async (tx) => {
        if (event.kind === "ignored") {
          if (!(await inbox.complete(tx, row.id, "ignored", event.reason))) throw new AlreadyProcessed();
          log.debug("event ignored", { reason: event.reason });
          return "ignored";
        }
        if (event.kind === "session_event") {
          if (!(await inbox.complete(tx, row.id, "done"))) throw new AlreadyProcessed();
          const session = await storeSessionEvent(tx, event, sessionIdleMs);
          log.info("session event", { sessionId: session.id, event: event.event });
          return "session_event";
        }
        // The same message can reach us under two event ids (Service Desk redelivery); keep the first.
        const known = await tx.message.findUnique({ where: { source_externalId: { source: event.source, externalId: event.externalId } }, select: { id: true } });
        if (known) {
          if (!(await inbox.complete(tx, row.id, "ignored", `duplicate of message ${known.id}`))) throw new AlreadyProcessed();
          return "ignored";
        }
        if (!(await inbox.complete(tx, row.id, "done"))) throw new AlreadyProcessed();
        const { session, message } = await storeMessage(tx, event, row.payload, row.id, sessionIdleMs);
        log.info("message stored", { sessionId: session.id, messageId: message.id, role: message.role });
        return "stored";
      });
    } catch (e) {
      if (e instanceof AlreadyProcessed) return "already_processed";
      throw e;
    }
  };
}

export type ProcessInboxEvent = ReturnType<typeof createPipeline>;
