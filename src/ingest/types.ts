/** The one shape every source is turned into. After ingest/, no code reads raw Lark JSON. */
export type Role = "agent" | "customer";
export type SessionChannel = "lark_p2p" | "lark_group" | "helpdesk" | "api";

export interface SessionRef {
  channel: SessionChannel;
  externalKey: string;
  /**
   * True when the platform names the session (a ticket, an ingest sessionId): an idle session is
   * reopened by its next message. False for Lark chats, which live forever: idleness starts a new one.
   */
  platformNamed: boolean;
}

export interface NormalizedMessage {
  kind: "message";
  source: "lark" | "helpdesk" | "api";
  externalId: string;
  session: SessionRef;
  sender: { platform: "lark" | "api"; externalId: string; role: Role; name?: string };
  msgType: string;
  text: string;
  lang?: string;
  sentAt: Date;
  meta?: Record<string, unknown>;
}

export interface NormalizedSessionEvent {
  kind: "session_event";
  session: SessionRef;
  event: "ticket_created" | "ticket_updated" | "handover_to_human" | "ticket_closed";
  at: Date;
  stage?: "bot" | "human";
  customer?: { externalId: string; name?: string };
  agentExternalId?: string;
  data?: Record<string, unknown>;
}

export interface Ignored {
  kind: "ignored";
  reason: string;
}

export type NormalizedEvent = NormalizedMessage | NormalizedSessionEvent | Ignored;

/** Who is who: from configuration (AGENT_OPEN_IDS). */
export interface Roster {
  agentOpenIds: ReadonlySet<string>;
  /** The bot's own chats (supervisors', stand-up): not customer conversations. */
  ownChatIds?: ReadonlySet<string>;
}
