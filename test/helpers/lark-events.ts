import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { larkSignature } from "../../src/edge/lark-verify.ts";

/** The token the test app is configured with; builders stamp it on events unless told otherwise. */
export const TEST_VERIFICATION_TOKEN = "test-verification-token-9a2b";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "lark");

/** Drops // comments outside strings (the official callback example is JSONC). */
function stripJsonComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else out += c;
  }
  return out;
}

/** An official example, parsed (.jsonc comments stripped). */
export function fixture<T = any>(name: string): T {
  return JSON.parse(stripJsonComments(readFileSync(join(FIXTURES, name), "utf8"))) as T;
}

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(++seq).toString(36)}`;

export interface ImMessageOverrides {
  eventId?: string;
  messageId?: string;
  chatId?: string;
  chatType?: "p2p" | "group";
  senderOpenId?: string;
  senderType?: string;
  text?: string;
  messageType?: string;
  content?: unknown;
  createTime?: number;
  token?: string;
}

/** im.message.receive_v1 built from the official example, with overrides. */
export function imMessageEvent(o: ImMessageOverrides = {}) {
  const e = fixture("im.message.receive_v1.group_text.json");
  e.header.event_id = o.eventId ?? `evt_${uniq()}`;
  e.header.token = o.token ?? TEST_VERIFICATION_TOKEN;
  const m = e.event.message;
  m.message_id = o.messageId ?? `om_${uniq()}`;
  if (o.chatId) m.chat_id = o.chatId;
  if (o.chatType) m.chat_type = o.chatType;
  if (o.createTime) m.create_time = String(o.createTime);
  if (o.messageType) m.message_type = o.messageType;
  if (o.content !== undefined) m.content = JSON.stringify(o.content);
  else if (o.text !== undefined) m.content = JSON.stringify({ text: o.text });
  if (o.senderOpenId) e.event.sender.sender_id.open_id = o.senderOpenId;
  if (o.senderType) e.event.sender.sender_type = o.senderType;
  return e;
}

/** Lark's encryption: AES-256-CBC, key sha256(encryptKey), random IV prefixed, base64. */
export function encryptForLark(plain: string, encryptKey: string): string {
  const key = createHash("sha256").update(encryptKey).digest();
  const iv = randomBytes(16);
  const c = createCipheriv("aes-256-cbc", key, iv);
  return Buffer.concat([iv, c.update(plain, "utf8"), c.final()]).toString("base64");
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** Encrypts (when a key is given) and signs a payload exactly as Lark does. */
export function larkRequest(payload: unknown, opts: { encryptKey?: string; timestamp?: number; nonce?: string; signed?: boolean } = {}): SignedRequest {
  const body = opts.encryptKey ? JSON.stringify({ encrypt: encryptForLark(JSON.stringify(payload), opts.encryptKey) }) : JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (opts.encryptKey && opts.signed !== false) {
    const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = opts.nonce ?? uniq();
    headers["x-lark-request-timestamp"] = ts;
    headers["x-lark-request-nonce"] = nonce;
    headers["x-lark-signature"] = larkSignature(ts, nonce, opts.encryptKey, Buffer.from(body));
  }
  return { body, headers };
}
