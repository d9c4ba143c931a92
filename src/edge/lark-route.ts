import { Router } from "express";
import { larkDedupKey } from "../ingest/normalize-lark.ts";
import { larkEventProblem } from "../ingest/lark-event-shape.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import { rawJsonBody } from "./raw-json.ts";
import { AppError } from "../shared/errors.ts";
import { verifyLarkRequest } from "./lark-verify.ts";
import type { LarkEnvelope } from "../ingest/lark-envelope.ts";
import type { RecordEvent } from "./record-event.ts";

export interface LarkRouteOptions {
  encryptKey?: string;
  verificationToken?: string;
  windowSeconds: number;
  maxBodyBytes: number;
  clock: Clock;
  record: RecordEvent;
  /** card.action.trigger is answered synchronously with a toast and an updated card. */
  onCardAction?: (envelope: LarkEnvelope) => Promise<Record<string, unknown>>;
  log: Logger;
}

/**
 * POST /lark/events — transport only: verify the raw body, decrypt, answer the challenge,
 * record the event durably, and answer 200. Processing happens after the answer.
 */
export function larkRoute(o: LarkRouteOptions): Router {
  const router = Router();
  router.post("/lark/events", ...rawJsonBody(o.maxBodyBytes), async (req, res, next) => {
    try {
      const verified = verifyLarkRequest(req.body as Buffer, req.headers, {
        encryptKey: o.encryptKey,
        verificationToken: o.verificationToken,
        windowSeconds: o.windowSeconds,
        nowMs: o.clock.now(),
      });
      if (verified.kind === "challenge") {
        res.json({ challenge: verified.challenge });
        return;
      }
      const { envelope } = verified;
      if (envelope.header.event_type === "card.action.trigger" && verified.ageSeconds > o.windowSeconds) {
        throw new AppError("stale_request", `card callback older than ${o.windowSeconds}s; replayed or clock skew`);
      }
      if (verified.ageSeconds > o.windowSeconds) o.log.info("late Lark delivery accepted (a retry)", { eventId: envelope.header.event_id, ageSeconds: Math.round(verified.ageSeconds) });
      if (envelope.header.event_type === "card.action.trigger" && o.onCardAction) {
        res.status(200).json(await o.onCardAction(envelope));
        return;
      }
      const problem = larkEventProblem(envelope);
      if (problem) throw new AppError("malformed_body", `event refused: ${problem}`);
      const fresh = await o.record({
        dedupKey: larkDedupKey(envelope),
        source: "lark_http",
        eventType: envelope.header.event_type,
        payload: JSON.stringify(envelope),
      });
      o.log.debug("lark event recorded", { eventId: envelope.header.event_id, eventType: envelope.header.event_type, duplicate: !fresh });
      res.status(200).json({});
    } catch (e) {
      next(e);
    }
  });
  return router;
}
