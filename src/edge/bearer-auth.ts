import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { AppError } from "../shared/errors.ts";
import { fromLoopback, wasForwarded } from "../shared/loopback.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * `Authorization: Bearer <INGEST_TOKEN>`, compared in constant time (hashing first makes the
 * lengths equal). With no token configured (the embedded default) only loopback callers are let
 * in, so a fresh install works locally and is still closed to the network.
 */
export function bearerAuth(token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return (req, _res, next) => {
    if (!expected) {
      // Behind a reverse proxy on the same host every caller arrives from loopback: a forwarded
      // request is someone else's, so without a token it is refused.
      if (wasForwarded(req.headers)) {
        return next(new AppError("unauthorized", "INGEST_TOKEN is not set and this request came through a proxy: only direct loopback callers are accepted; set INGEST_TOKEN"));
      }
      return next(fromLoopback(req.socket.remoteAddress) ? undefined : new AppError("unauthorized", "INGEST_TOKEN is not set: only loopback callers are accepted; set INGEST_TOKEN to accept others"));
    }
    const header = req.get("authorization") ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !timingSafeEqual(digest(m[1]!.trim()), expected)) {
      return next(new AppError("unauthorized", "missing or wrong bearer token (Authorization: Bearer <INGEST_TOKEN>)"));
    }
    next();
  };
}
