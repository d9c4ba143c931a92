import { Router } from "express";
import { apiDedupKey, parseApiBatch } from "../ingest/api-message.ts";
import { AppError } from "../shared/errors.ts";
import { parseJsonBody, rawJsonBody } from "./raw-json.ts";
import type { RecordEvents } from "./record-event.ts";

/**
 * POST /v1/messages — other chat platforms post one message, an array, or {messages: [...]}.
 * Validated as a whole (one bad message refuses the batch, with the path of each problem), then
 * recorded in one write; 202 says what was new and what was a repeat of an earlier messageId.
 */
export function ingestRoute(o: { maxBodyBytes: number; recordMany: RecordEvents; now: () => number }): Router {
  const router = Router();
  router.post("/v1/messages", ...rawJsonBody(o.maxBodyBytes), async (req, res, next) => {
    try {
      const parsed = parseApiBatch(parseJsonBody(req.body), o.now());
      if (!parsed.ok) throw new AppError("malformed_body", "invalid message(s): nothing was stored", parsed.issues);
      const { messages } = parsed;
      const fresh = await o.recordMany(messages.map((m) => ({ dedupKey: apiDedupKey(m), source: "api" as const, eventType: "api.message", payload: JSON.stringify(m) })));
      const results = messages.map((m, i) => ({ messageId: m.messageId, status: fresh[i] ? "accepted" : "duplicate" }));
      res.status(202).json({ accepted: fresh.filter(Boolean).length, duplicates: fresh.filter((f) => !f).length, results });
    } catch (e) {
      next(e);
    }
  });
  return router;
}
