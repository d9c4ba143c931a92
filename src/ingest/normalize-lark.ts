import type { LarkEnvelope } from "./lark-envelope.ts";
import { contentToText, type Mention } from "./message-content.ts";
import type { NormalizedEvent, Roster } from "./types.ts";

// biome-ignore lint/suspicious/noExplicitAny: Lark's payloads, read defensively (every field checked where used)
type Obj = Record<string, any>;

/** Latest instant a Date can hold (±8.64e15 ms): a larger "time" is junk, not a date. */
const MAX_DATE_MS = 8.64e15;
const ms = (v: unknown, fallback: number): Date => {
  const n = Number(v);
  return new Date(Number.isFinite(n) && n > 0 && n < MAX_DATE_MS ? n : fallback);
};

/**
 * Service Desk sender_type, as the event's field table documents it (and the official Go and
 * Java SDKs' TicketMessageEvent): 1 the desk's bot, 2 the guest (the customer), 3 an agent.
 * The example payload on the same page shows 1 on a customer's question: an example value,
 * not the mapping.
 */
const HELPDESK_BOT = 1;
const HELPDESK_GUEST = 2;
const HELPDESK_AGENT = 3;
/** Ticket status codes from 50 up are the closed states (closed by bot, by agent, …). */
const HELPDESK_FIRST_CLOSED_STATUS = 50;
const HELPDESK_STAGE: Record<number, "bot" | "human"> = { 1: "bot", 2: "human" };

function imMessage(e: Obj, roster: Roster, receivedAt: number): NormalizedEvent {
  const sender = e.sender ?? {};
  const msg = e.message ?? {};
  if (sender.sender_type && sender.sender_type !== "user") return { kind: "ignored", reason: `sender_type ${sender.sender_type} (bots are not scored)` };
  const openId: string | undefined = sender.sender_id?.open_id ?? sender.sender_id?.user_id;
  if (typeof openId !== "string" || typeof msg.message_id !== "string" || typeof msg.chat_id !== "string") return { kind: "ignored", reason: "message without sender, id or chat" };
  if (roster.ownChatIds?.has(msg.chat_id)) return { kind: "ignored", reason: "the bot's own chat (supervisors or stand-up), not a customer conversation" };
  const mentions: Mention[] = Array.isArray(msg.mentions)
    ? msg.mentions.filter((m: unknown) => m && typeof m === "object").map((m: Obj) => ({ key: typeof m.key === "string" ? m.key : "", name: typeof m.name === "string" ? m.name : undefined }))
    : [];
  const type = typeof msg.message_type === "string" ? msg.message_type : "text";
  return {
    kind: "message",
    source: "lark",
    externalId: msg.message_id,
    session: { channel: msg.chat_type === "p2p" ? "lark_p2p" : "lark_group", externalKey: msg.chat_id, platformNamed: false },
    sender: { platform: "lark", externalId: openId, role: roster.agentOpenIds.has(openId) ? "agent" : "customer" },
    msgType: type,
    text: contentToText(type, msg.content, mentions),
    sentAt: ms(msg.create_time, receivedAt),
    meta: { chatType: msg.chat_type, threadId: msg.thread_id, parentId: msg.parent_id },
  };
}

function helpdeskMessage(e: Obj, header: LarkEnvelope["header"], roster: Roster, receivedAt: number): NormalizedEvent {
  const ticket = e.ticket ?? {};
  const openId: string | undefined = e.sender_id?.open_id;
  const id: string | undefined = e.message_id ?? e.ticket_message_id;
  if (!openId || !id || !ticket.ticket_id) return { kind: "ignored", reason: "ticket message without sender, id or ticket" };
  const senderType = Number(e.sender_type);
  if (senderType === HELPDESK_BOT) return { kind: "ignored", reason: "helpdesk sender_type 1 (the desk's bot is not scored)" };
  // The documented type decides; only when it is missing or unknown do the roster and the ticket's owner.
  const isAgent = senderType === HELPDESK_AGENT ? true : senderType === HELPDESK_GUEST ? false : roster.agentOpenIds.has(openId) || ticket.agent_owner?.id === openId;
  const type = String(e.msg_type ?? e.content?.msg_type ?? "text");
  const text = typeof e.text === "string" && e.text ? e.text : typeof e.content?.content === "string" ? e.content.content : "";
  return {
    kind: "message",
    source: "helpdesk",
    externalId: id,
    session: { channel: "helpdesk", externalKey: String(ticket.ticket_id), platformNamed: true },
    sender: { platform: "lark", externalId: openId, role: isAgent ? "agent" : "customer", name: isAgent ? ticket.agent_owner?.name : undefined },
    msgType: type,
    text: type === "text" || type === "post" ? text : contentToText(type, undefined),
    sentAt: ms(header.create_time, receivedAt),
    meta: { chatId: e.chat_id, ticketMessageId: e.ticket_message_id, ticketStatus: ticket.status },
  };
}

function ticketEvent(t: Obj, old: Obj | undefined, created: boolean, header: LarkEnvelope["header"], receivedAt: number): NormalizedEvent {
  if (!t.ticket_id) return { kind: "ignored", reason: "ticket event without ticket_id" };
  const stage = HELPDESK_STAGE[t.stage as number];
  const event = created
    ? "ticket_created"
    : t.status >= HELPDESK_FIRST_CLOSED_STATUS && !(old?.status >= HELPDESK_FIRST_CLOSED_STATUS)
      ? "ticket_closed"
      : old?.stage === 1 && t.stage === 2
        ? "handover_to_human"
        : "ticket_updated";
  const guestId: string | undefined = t.guest?.id?.open_id;
  return {
    kind: "session_event",
    session: { channel: "helpdesk", externalKey: String(t.ticket_id), platformNamed: true },
    event,
    at: ms(header.create_time, receivedAt),
    stage,
    customer: guestId ? { externalId: guestId, name: t.guest?.name && t.guest.name !== "-" ? t.guest.name : undefined } : undefined,
    data: { status: t.status, stage: t.stage, oldStatus: old?.status, oldStage: old?.stage, chatId: t.chat_id, helpdeskId: t.helpdesk_id },
  };
}

/** One decrypted Lark v2 envelope → the event CS Coach understands (or why it is ignored). */
export function normalizeLarkEnvelope(envelope: LarkEnvelope, roster: Roster, receivedAt: number): NormalizedEvent {
  const e = envelope.event as Obj;
  switch (envelope.header.event_type) {
    case "im.message.receive_v1":
      return imMessage(e, roster, receivedAt);
    case "helpdesk.ticket_message.created_v1":
      return helpdeskMessage(e, envelope.header, roster, receivedAt);
    case "helpdesk.ticket.created_v1":
      return ticketEvent(e, undefined, true, envelope.header, receivedAt);
    case "helpdesk.ticket.updated_v1":
      return ticketEvent(e.object ?? {}, e.old_object, false, envelope.header, receivedAt);
    default:
      return { kind: "ignored", reason: `event type ${envelope.header.event_type} is not handled` };
  }
}

/** Lark's docs: im.message.receive_v1 may be redelivered with a new event_id, so key it on message_id. */
export function larkDedupKey(envelope: LarkEnvelope): string {
  const messageId = (envelope.event as Obj).message?.message_id;
  return envelope.header.event_type === "im.message.receive_v1" && typeof messageId === "string" ? `lark:msg:${messageId}` : `lark:evt:${envelope.header.event_id}`;
}
