import type { LarkEnvelope } from "./lark-envelope.ts";
import { apiMessageSchema, normalizeApiMessage } from "./api-message.ts";
import { normalizeLarkEnvelope } from "./normalize-lark.ts";
import type { NormalizedEvent, Roster } from "./types.ts";

export interface InboxRow {
  id: number;
  source: string;
  eventType: string;
  payload: string;
  receivedAt: Date;
  /** Failed processing attempts so far. */
  attempts?: number;
}

/**
 * Pipeline step 1: a recorded inbox event → a NormalizedEvent.
 *   1. parse the payload stored at the edge (already verified and decrypted);
 *   2. route by source: the ingest API's message, or a Lark envelope by event type;
 *   3. return a typed message, a session event, or the reason it is ignored.
 */
function readInboxEvent(row: InboxRow, roster: Roster): NormalizedEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    return { kind: "ignored", reason: "stored payload is not JSON" };
  }
  if (row.source === "api") {
    const parsed = apiMessageSchema.safeParse(payload);
    if (!parsed.success || parsed.data.ts === undefined) return { kind: "ignored", reason: "stored API message no longer validates" };
    return normalizeApiMessage({ ...parsed.data, ts: parsed.data.ts });
  }
  return normalizeLarkEnvelope(payload as LarkEnvelope, roster, row.receivedAt.getTime());
}

/** NUL characters are not text (and PostgreSQL refuses them): dropped here, once, for every source. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const NUL = /\u0000/g;

export function normalizeInboxEvent(row: InboxRow, roster: Roster): NormalizedEvent {
  const e = readInboxEvent(row, roster);
  if (e.kind !== "message") return e;
  return { ...e, text: e.text.replace(NUL, ""), sender: e.sender.name ? { ...e.sender, name: e.sender.name.replace(NUL, "") } : e.sender };
}
