import type { RequestHandler } from "express";
import type { Logger } from "../shared/logger.ts";

/**
 * How busy the edge is, shared between the HTTP server and the inbox worker (same event loop).
 *
 * Two jobs. Shedding: past maxInFlight concurrent requests, new ones get an immediate 503 with
 * Retry-After instead of joining a queue whose wait would blow Lark's 3 s window; Lark and the
 * ingest clients retry, and nothing was recorded, so nothing is lost. Priority: while requests
 * are in flight the inbox worker (which shares this loop) limits itself to a share of the time,
 * so acks keep their throughput under a burst and the backlog is processed right after it.
 *
 * A request counts once its body has arrived whole: a sender trickling a body costs the server
 * nothing but a socket (cut by the server's request timeout), so junk connections can never
 * hold the slots that verified Lark events and ingest batches need.
 */
export function createEdgeLoad(maxInFlight: number, log: Logger, now: () => number = () => performance.now()) {
  let inFlight = 0;
  /** Connections still sending their request (not counted against the limit). */
  let receiving = 0;
  let lastActivity = -Infinity;
  let shed = 0;
  let lastShedLog = -Infinity;

  const gate: RequestHandler = (req, res, next) => {
    if (inFlight >= maxInFlight) {
      shed++;
      // One line a second at most: under overload, logging each refusal would add to the load.
      if (now() - lastShedLog > 1000) {
        lastShedLog = now();
        log.warn("overloaded: shedding requests with 503", { inFlight, maxInFlight, shedSoFar: shed });
      }
      res.set("Retry-After", "1").status(503).json({ error: "overloaded", message: "too many requests in flight; nothing was recorded, retry shortly" });
      return;
    }
    let admitted = false;
    let done = false;
    let started = now();
    const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
    const admit = () => {
      if (admitted || done) return;
      admitted = true;
      if (hasBody) receiving--;
      inFlight++;
      started = now();
    };
    const end = () => {
      if (done) return;
      done = true;
      if (admitted) inFlight--;
      else if (hasBody) receiving--;
      lastActivity = now();
      // Lark gives up at ~3 s: an answer this slow is worth a line.
      if (admitted && lastActivity - started > 1000) log.warn("slow answer", { path: req.path, ms: Math.round(lastActivity - started), inFlight });
    };
    res.once("finish", end);
    res.once("close", end);
    if (hasBody) {
      receiving++;
      req.once("end", admit); // the body parser has read the last byte
    } else admit();
    next();
  };

  return {
    gate,
    /** An event arrived another way (the long connection): the same priority applies. */
    touch: () => {
      lastActivity = now();
    },
    /** Requests are in flight, or one finished a moment ago (the next of a burst is likely on its way). */
    busy: () => inFlight > 0 || now() - lastActivity < 5,
    /** For /healthz: requests in flight now, and how many were shed since start. */
    stats: () => ({ inFlight, receiving, shed }),
  };
}
export type EdgeLoad = ReturnType<typeof createEdgeLoad>;
