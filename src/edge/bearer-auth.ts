import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { AppError } from "../shared/errors.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * `Authorization: Bearer <INGEST_TOKEN>`, compared in constant time (hashing first makes the
 * lengths equal). With no token configured (the embedded default) only loopback callers are let
 * in, so a fresh install works locally and is still closed to the network.
 */
export function bearerAuth(token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return (req, _res, next) => {
    if (!expected) {
      const ip = req.socket.remoteAddress ?? "";
      // Behind a reverse proxy on the same host every caller arrives from loopback: a forwarded
      // request is someone else's, so without a token it is refused.
      if (req.get("x-forwarded-for") !== undefined || req.get("forwarded") !== undefined || req.get("x-real-ip") !== undefined) {
        return next(new AppError("unauthorized", "INGEST_TOKEN is not set and this request came through a proxy: only direct loopback callers are accepted; set INGEST_TOKEN"));
      }
      return next(LOOPBACK.has(ip) ? undefined : new AppError("unauthorized", "INGEST_TOKEN is not set: only loopback callers are accepted; set INGEST_TOKEN to accept others"));
    }
    const header = req.get("authorization") ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !timingSafeEqual(digest(m[1]!.trim()), expected)) {
      return next(new AppError("unauthorized", "missing or wrong bearer token (Authorization: Bearer <INGEST_TOKEN>)"));
    }
    next();
  };
}
