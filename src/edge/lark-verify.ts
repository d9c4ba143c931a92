import { createHash, timingSafeEqual } from "node:crypto";
import { AESCipher } from "@larksuiteoapi/node-sdk";
import { AppError } from "../shared/errors.ts";
import type { LarkEnvelope } from "../ingest/lark-envelope.ts";

export interface LarkVerifyOptions {
  encryptKey?: string;
  verificationToken?: string;
  windowSeconds: number;
  nowMs: number;
}

/**
 * Lark re-sends an event it got no 200 for after about 5 s, 5 min, 1 h and 6 h. Its docs do not
 * say whether a retry carries a fresh X-Lark-Request-Timestamp, so a correctly signed event up to
 * this old is still taken (deduplication on message_id / event_id makes a replay a no-op).
 * Card callbacks, answered at once and never retried that way, keep the short window.
 */
export const LARK_RETRY_HORIZON_SECONDS = 7 * 3600 + 30 * 60;

export type LarkHeaders = Record<string, string | string[] | undefined>;

/** What the edge hands on: the decrypted envelope, or a challenge to echo. */
export type VerifiedLarkRequest = { kind: "challenge"; challenge: string } | { kind: "event"; envelope: LarkEnvelope /** seconds since the signed timestamp (0 when unsigned) */; ageSeconds: number };

const header = (h: LarkHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Lark's signature: sha256(timestamp + nonce + encryptKey + raw body), hex. */
export function larkSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash("sha256")
    .update(timestamp + nonce + encryptKey)
    .update(rawBody)
    .digest("hex");
}

function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  // Lengths are public (a sha256 hex is always 64); only equal-length buffers are compared in constant time.
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function parseJson(raw: Buffer | string, what: string): unknown {
  try {
    return JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8"));
  } catch (e) {
    throw new AppError("malformed_body", `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

function checkToken(token: unknown, expected: string | undefined) {
  if (!expected) return;
  if (typeof token !== "string" || !safeEqualHex(token, expected)) {
    throw new AppError("bad_token", "verification token does not match LARK_VERIFICATION_TOKEN");
  }
}

/**
 * Verifies and opens one POST to /lark/events. Pure: no I/O, the clock is passed in.
 * Order matters: the signature is checked on the exact bytes received (never on re-serialised
 * JSON, which breaks on any formatting difference), before anything is decrypted or parsed.
 */
export function verifyLarkRequest(rawBody: Buffer, headers: LarkHeaders, opts: LarkVerifyOptions): VerifiedLarkRequest {
  if (!opts.encryptKey && !opts.verificationToken) {
    throw new AppError("not_configured", "Lark events are not configured: set LARK_VERIFICATION_TOKEN (and LARK_ENCRYPT_KEY if the app encrypts events)");
  }
  const signature = header(headers, "x-lark-signature");
  const timestamp = header(headers, "x-lark-request-timestamp");
  const nonce = header(headers, "x-lark-request-nonce");
  const signed = Boolean(signature || timestamp || nonce);
  let ageSeconds = 0;

  if (opts.encryptKey && signed) {
    if (!signature || !timestamp || !nonce) throw new AppError("bad_signature", "incomplete signature headers (X-Lark-Signature, X-Lark-Request-Timestamp, X-Lark-Request-Nonce)");
    const ts = Number(timestamp);
    if (!Number.isFinite(ts)) throw new AppError("bad_signature", "X-Lark-Request-Timestamp is not a number");
    const age = opts.nowMs / 1000 - ts;
    ageSeconds = Math.max(0, age);
    if (age < -opts.windowSeconds || age > Math.max(opts.windowSeconds, LARK_RETRY_HORIZON_SECONDS)) {
      throw new AppError("stale_request", `request timestamp is outside the accepted window (${opts.windowSeconds}s ahead, Lark's retry horizon behind); replayed or clock skew`);
    }
    if (!safeEqualHex(signature, larkSignature(timestamp, nonce, opts.encryptKey, rawBody))) {
      throw new AppError("bad_signature", "X-Lark-Signature does not match the body; check LARK_ENCRYPT_KEY");
    }
  }

  let body = parseJson(rawBody, "body");
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new AppError("malformed_body", "body must be a JSON object");

  if ("encrypt" in body) {
    const encrypted = (body as { encrypt: unknown }).encrypt;
    if (!opts.encryptKey) throw new AppError("decrypt_failed", "received an encrypted event but LARK_ENCRYPT_KEY is not set");
    if (typeof encrypted !== "string" || encrypted.length < 24) throw new AppError("malformed_body", "encrypt must be a base64 string");
    let plain: string;
    try {
      plain = new AESCipher(opts.encryptKey).decrypt(encrypted);
    } catch {
      throw new AppError("decrypt_failed", "could not decrypt the event; check LARK_ENCRYPT_KEY");
    }
    body = parseJson(plain, "decrypted event");
    if (!body || typeof body !== "object") throw new AppError("decrypt_failed", "decrypted event is not a JSON object");
  } else if (opts.encryptKey) {
    // With an encrypt key configured, Lark only ever sends ciphertext; plaintext means someone else.
    throw new AppError("bad_signature", "LARK_ENCRYPT_KEY is set but the event is not encrypted");
  }

  const b = body as Record<string, unknown>;
  if (b.type === "url_verification") {
    // Encrypted challenges arrive unsigned; the token inside is what proves the sender.
    checkToken(b.token, opts.verificationToken);
    if (typeof b.challenge !== "string") throw new AppError("malformed_body", "url_verification without a challenge string");
    return { kind: "challenge", challenge: b.challenge };
  }

  if (opts.encryptKey && !signed) throw new AppError("bad_signature", "missing X-Lark-Signature header");

  return { kind: "event", envelope: toEnvelope(b, opts.verificationToken), ageSeconds };
}

/**
 * Shape check shared by the webhook and the long connection: a schema 2.0 envelope with an
 * event id and type. The token is checked when one is expected (webhook); the long connection
 * is authenticated by the app secret instead.
 */
export function toEnvelope(b: Record<string, unknown>, verificationToken?: string): LarkEnvelope {
  const h = b.header as LarkEnvelope["header"] | undefined;
  if (b.schema !== "2.0" || !h || typeof h !== "object") {
    throw new AppError("malformed_body", "only schema 2.0 events are supported (enable v2.0 in the Lark console)");
  }
  checkToken(h.token, verificationToken);
  if (typeof h.event_id !== "string" || !h.event_id || typeof h.event_type !== "string" || !h.event_type) {
    throw new AppError("malformed_body", "header.event_id and header.event_type are required");
  }
  if (!b.event || typeof b.event !== "object" || Array.isArray(b.event)) throw new AppError("malformed_body", "event must be an object");
  return b as unknown as LarkEnvelope;
}
