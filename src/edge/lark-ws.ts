import * as lark from "@larksuiteoapi/node-sdk";
import { larkDomain } from "../clients/lark-sender.ts";
import { larkDedupKey } from "../ingest/normalize-lark.ts";
import type { Logger } from "../shared/logger.ts";
import { toEnvelope } from "./lark-verify.ts";
import type { LarkEnvelope } from "../ingest/lark-envelope.ts";
import type { RecordEvent } from "./record-event.ts";

export interface LarkWsOptions {
  appId: string;
  appSecret: string;
  domain: string;
  pingTimeoutSeconds: number;
  record: RecordEvent;
  onCardAction?: (e: LarkEnvelope) => Promise<Record<string, unknown>>;
  log: Logger;
}

/**
 * What WSClient calls for each event frame (it only ever calls invoke(), with the envelope
 * parsed but not flattened). Resolving acks the frame; throwing makes the SDK answer 500.
 */
export function createWsDispatcher(record: RecordEvent, onCardAction?: (e: LarkEnvelope) => Promise<Record<string, unknown>>, log?: Logger) {
  return {
    async invoke(data: unknown): Promise<Record<string, unknown> | undefined> {
      const envelope = toEnvelope((data ?? {}) as Record<string, unknown>);
      // The SDK sends what we return back on the ack frame: the callback's toast and card.
      if (envelope.header.event_type === "card.action.trigger" && onCardAction) return onCardAction(envelope);
      const fresh = await record({ dedupKey: larkDedupKey(envelope), source: "lark_ws", eventType: envelope.header.event_type, payload: JSON.stringify(envelope) });
      log?.debug("lark event recorded", { eventId: envelope.header.event_id, eventType: envelope.header.event_type, duplicate: !fresh, via: "ws" });
      return undefined;
    },
  };
}

/**
 * LARK_EVENT_MODE=ws: the same events over the SDK's long connection (no public URL needed).
 * The SDK acks a frame when our handler resolves, so we resolve only after the event is
 * recorded — exactly the webhook's contract — and throw (→ 500, Lark redelivers) if it is not.
 */
export function startLarkWs(o: LarkWsOptions) {
  const log = o.log.child({ component: "lark-ws" });
  const dispatcher = createWsDispatcher(o.record, o.onCardAction, log) as unknown as lark.EventDispatcher;

  const client = new lark.WSClient({
    appId: o.appId,
    appSecret: o.appSecret,
    domain: larkDomain(o.domain),
    loggerLevel: lark.LoggerLevel.warn,
    logger: {
      error: (...a: unknown[]) => log.error("ws", { detail: a.flat() }),
      warn: (...a: unknown[]) => log.warn("ws", { detail: a.flat() }),
      info: (...a: unknown[]) => log.info("ws", { detail: a.flat() }),
      debug: (...a: unknown[]) => log.debug("ws", { detail: a.flat() }),
      trace: (...a: unknown[]) => log.debug("ws", { detail: a.flat() }),
    },
    // Without a ping timeout a half-open socket (laptop sleep, NAT drop) never reconnects.
    wsConfig: { pingTimeout: o.pingTimeoutSeconds },
    onReady: () => log.info("long connection ready"),
    onReconnecting: () => log.warn("long connection reconnecting"),
    onReconnected: () => log.info("long connection reconnected"),
    onError: (e: Error) => log.error("long connection error", { error: e }),
  } as ConstructorParameters<typeof lark.WSClient>[0]);
  void client.start({ eventDispatcher: dispatcher });
  return { close: () => client.close({ force: true }), status: () => client.getConnectionStatus() };
}
