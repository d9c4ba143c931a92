import { z } from "zod";
import type { NormalizedMessage } from "./types.ts";

const id = z.string().trim().min(1).max(256);

/** Earliest and latest times a message may claim: a typo'd year is refused, not filed in 1970 or 2099. */
const EARLIEST = Date.UTC(2000, 0, 1);
const MAX_SKEW_MS = 10 * 60_000;

const tsSchema = z.union([z.number().positive().finite(), z.iso.datetime({ offset: true })], { error: "must be unix seconds, unix milliseconds or an ISO-8601 time with an offset" });

/** One message from another chat platform, as POST /v1/messages accepts it at `nowMs` (or as stored, without a clock). */
function messageSchema(nowMs?: number) {
  const ts =
    nowMs === undefined
      ? tsSchema
      : tsSchema.refine(
          (v) => {
            const t = apiTimestamp(v).getTime();
            return Number.isFinite(t) && t >= EARLIEST && t <= nowMs + MAX_SKEW_MS;
          },
          `must be between 2000-01-01 and now (${new Date(nowMs).toISOString()}); leave it out to use the time received`,
        );
  return z.object({
    sessionId: id,
    messageId: id,
    role: z.enum(["customer", "agent"]),
    senderId: id,
    senderName: z.string().max(256).optional(),
    text: z
      .string()
      .max(20_000)
      .refine((t) => t.trim().length > 0, "must not be empty (send the message's text, or a placeholder such as [image])"),
    /** Unix seconds, unix milliseconds, or an ISO-8601 string; absent: the time it is received. */
    ts: ts.optional(),
    channel: z.string().trim().min(1).max(64).optional(),
    lang: z.string().max(16).optional(),
    meta: z
      .record(z.string().max(64), z.unknown())
      .refine((m) => depthAtMost(m, 4), "may nest at most 4 levels (it is a few facts about the session, shown to supervisors)")
      .optional(),
  });
}
export const apiMessageSchema = messageSchema();

/** Iterative (no recursion to overflow): true when no value nests deeper than max. */
function depthAtMost(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x && typeof x === "object") {
      if (d >= max) return false;
      for (const child of Object.values(x)) stack.push([child, d + 1]);
    }
  }
  return true;
}
export type ApiMessage = z.infer<typeof apiMessageSchema>;
/** As stored: the time is always there (filled in at the door when the platform sent none). */
export type StoredApiMessage = ApiMessage & { ts: number | string };

export const MAX_BATCH = 500;

export type BatchParse = { ok: true; messages: StoredApiMessage[] } | { ok: false; issues: Array<{ path: string; message: string }> };

/**
 * Accepts one message, an array, or {messages: [...]}. The shape is decided first so each
 * problem is reported at its own path ("messages.1.role"), not as "matched no alternative".
 */
export function parseApiBatch(body: unknown, nowMs: number): BatchParse {
  const wrapped = body !== null && typeof body === "object" && !Array.isArray(body) && "messages" in body;
  const single = !Array.isArray(body) && !wrapped;
  const list = wrapped ? (body as { messages: unknown }).messages : single ? [body] : body;
  const prefix = wrapped ? ["messages"] : [];
  const at = (p: PropertyKey[]) => [...prefix, ...(single ? p.slice(1) : p)].join(".") || "(body)";
  const parsed = z.array(messageSchema(nowMs)).min(1).max(MAX_BATCH).safeParse(list);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: at(i.path), message: i.message })) };
  const received = new Date(nowMs).toISOString();
  return { ok: true, messages: parsed.data.map((m) => ({ ...m, ts: m.ts ?? received })) };
}

export function apiTimestamp(ts: number | string): Date {
  if (typeof ts === "string") return new Date(ts);
  // Ten-digit numbers are seconds, thirteen-digit ones milliseconds.
  return new Date(ts < 1e11 ? ts * 1000 : ts);
}

export const apiDedupKey = (m: Pick<ApiMessage, "messageId">) => `api:msg:${m.messageId}`;

export function normalizeApiMessage(m: StoredApiMessage): NormalizedMessage {
  return {
    kind: "message",
    source: "api",
    externalId: m.messageId,
    session: { channel: "api", externalKey: m.sessionId, platformNamed: true },
    sender: { platform: "api", externalId: m.senderId, role: m.role, name: m.senderName },
    msgType: "text",
    text: m.text,
    lang: m.lang,
    sentAt: apiTimestamp(m.ts),
    meta: { ...(m.meta ?? {}), ...(m.channel ? { channel: m.channel } : {}) },
  };
}
