import express, { type RequestHandler } from "express";
import { AppError } from "../shared/errors.ts";

/**
 * Keeps the body as the exact bytes received (signatures are computed over them) and refuses
 * anything that is not declared JSON. Size is enforced by the parser (413).
 */
export function rawJsonBody(limitBytes: number): RequestHandler[] {
  return [
    (req, _res, next) => {
      const type = req.get("content-type") ?? "";
      if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
        return next(new AppError("unsupported_media_type", `Content-Type must be application/json (got ${type || "none"})`));
      }
      next();
    },
    express.raw({ type: () => true, limit: limitBytes }),
  ];
}

export function parseJsonBody(body: unknown): unknown {
  const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  if (!raw.length) throw new AppError("malformed_body", "empty body");
  const text = raw.toString("utf8");
  // Invalid UTF-8 decodes to U+FFFD; refuse it rather than store a silently altered message.
  if (text.includes("\uFFFD") && !Buffer.from(text, "utf8").equals(raw)) throw new AppError("malformed_body", "body is not valid UTF-8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError("malformed_body", `body is not valid JSON: ${(e as Error).message}`);
  }
}
