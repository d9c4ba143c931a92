import { own } from "../shared/own.ts";
import { z } from "zod";
import type { LarkEnvelope } from "./lark-envelope.ts";

/**
 * The fields CS Coach stores from a message event, in the shape Lark documents. An event that
 * is not (content that is not a JSON string, mentions that are not objects, a create_time that
 * is no time) is refused at the door with the reason, instead of failing later in the inbox.
 */
const millis = z.string().regex(/^\d{10,13}$/, "must be unix milliseconds as a string");
const imMessage = z.object({
  sender: z.object({ sender_id: z.object({ open_id: z.string().max(128).optional() }).optional(), sender_type: z.string().max(32).optional() }),
  message: z.object({
    message_id: z.string().min(1).max(128),
    chat_id: z.string().min(1).max(128),
    chat_type: z.string().max(32).optional(),
    message_type: z.string().min(1).max(32),
    content: z.string().max(200_000, "is too long"),
    create_time: millis.optional(),
    mentions: z
      .array(z.object({ key: z.string().max(64), name: z.string().max(256).optional() }))
      .max(200)
      .optional(),
  }),
});
const helpdeskMessage = z.object({
  message_id: z.string().max(128).optional(),
  text: z.string().max(200_000).optional(),
  sender_type: z.number().int().optional(),
  ticket: z.object({ ticket_id: z.union([z.string().max(64), z.number()]) }),
});

const SHAPES: Record<string, z.ZodType> = {
  "im.message.receive_v1": imMessage,
  "helpdesk.ticket_message.created_v1": helpdeskMessage,
};

/** Why the event cannot be stored, or undefined when it can. */
export function larkEventProblem(envelope: LarkEnvelope): string | undefined {
  const shape = own(SHAPES, envelope.header.event_type);
  if (!shape) return undefined;
  const r = shape.safeParse(envelope.event);
  if (r.success) return undefined;
  return r.error.issues.map((i) => `event.${i.path.join(".")}: ${i.message}`).join("; ");
}
