import { z } from "zod";
import type { NormalizedMessage } from "./types.ts";

const id = z.string().trim().min(1).max(256);

/** One message from another chat platform, as POST /v1/messages accepts it. */
export const apiMessageSchema = z.object({
  sessionId: id,
  messageId: id,
  role: z.enum(["customer", "agent"]),
  senderId: id,
  senderName: z.string().max(256).optional(),
  text: z.string().max(20_000),
  /** Unix seconds, unix milliseconds, or an ISO-8601 string. */
  ts: z.union([z.number().positive(), z.iso.datetime({ offset: true })]),
  channel: z.string().trim().min(1).max(64).optional(),
  lang: z.string().max(16).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;

export const MAX_BATCH = 500;
const batchSchema = z.array(apiMessageSchema).min(1).max(MAX_BATCH);

export type BatchParse = { ok: true; messages: ApiMessage[] } | { ok: false; issues: Array<{ path: string; message: string }> };

/**
 * Accepts one message, an array, or {messages: [...]}. The shape is decided first so each
 * problem is reported at its own path ("messages.1.role"), not as "matched no alternative".
 */
export function parseApiBatch(body: unknown): BatchParse {
  const wrapped = body !== null && typeof body === "object" && !Array.isArray(body) && "messages" in body;
  const single = !Array.isArray(body) && !wrapped;
  const list = wrapped ? (body as { messages: unknown }).messages : single ? [body] : body;
  const parsed = batchSchema.safeParse(list);
  if (parsed.success) return { ok: true, messages: parsed.data };
  const prefix = wrapped ? ["messages"] : [];
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({
      path: [...prefix, ...(single ? i.path.slice(1) : i.path)].join(".") || "(body)",
      message: i.message,
    })),
  };
}

export function apiTimestamp(ts: number | string): Date {
  if (typeof ts === "string") return new Date(ts);
  // Ten-digit numbers are seconds, thirteen-digit ones milliseconds.
  return new Date(ts < 1e11 ? ts * 1000 : ts);
}

export const apiDedupKey = (m: Pick<ApiMessage, "messageId">) => `api:msg:${m.messageId}`;

export function normalizeApiMessage(m: ApiMessage): NormalizedMessage {
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
