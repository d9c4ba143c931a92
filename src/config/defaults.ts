/** Defaults in one place, named, so tuning never means hunting for literals. */
export const DEFAULTS = {
  port: 3000,
  databaseUrl: "file:./data/cs-coach.db",
  /** Lark resends an event it gets no 200 for within ~3 s; we ack long before that. */
  maxBodyBytes: 1_000_000,
  /** Signed requests older (or newer) than this are refused as replays. */
  signatureWindowSeconds: 300,
  /** A chat with no message for this long starts a new session with its next message. */
  sessionIdleMinutes: 30,
  /** The inbox worker polls this often for events left over from a crash or another instance. */
  inboxPollMs: 1_000,
  outboxPollMs: 500,
  llmPollMs: 1_000,
  /** How often the waiting timer looks for unanswered customers. */
  waitingCheckMs: 5_000,
  /** How often the scheduler checks whether the stand-up is due. */
  standupCheckMs: 60_000,
  /** A judge slower than this is abandoned; the offline score stands. */
  llmTimeoutMs: 8_000,
  outboxMaxAttempts: 12,
  outboxBaseBackoffMs: 1_000,
  outboxMaxBackoffMs: 5 * 60_000,
  /** Lark: about 5 QPS per receiving chat or user, and 50 per second per app. */
  larkPerTargetQps: 5,
  larkPerAppQps: 50,
  /** SDK default is 0 (no watchdog): half-open sockets would never reconnect. */
  wsPingTimeoutSeconds: 30,
  shutdownGraceMs: 10_000,
  /**
   * Past this many concurrent requests new ones get 503 + Retry-After at once. At ~1,000 acks/s a
   * full queue waits well under a second, far inside Lark's 3 s window.
   */
  maxInFlightRequests: 256,
  /**
   * A request must arrive whole (headers and body) this fast: Lark's are a few KB and ingest
   * batches at most a megabyte from a server. Slower senders are cut, so they cannot hold sockets.
   */
  requestTimeoutMs: 5_000,
  /** An idle socket is closed after this long (Node's default is never). */
  socketIdleMs: 30_000,
  /** How often Node checks that deadline (its default, 30 s, would let a slow body linger). */
  connectionsCheckingIntervalMs: 500,
  /** While requests are in flight, event processing takes at most this share of the loop. */
  processingShareUnderLoad: 0.25,
} as const;
