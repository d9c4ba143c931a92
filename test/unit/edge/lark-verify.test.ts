import { describe, expect, it } from "vitest";
import { larkSignature, verifyLarkRequest } from "../../../src/edge/lark-verify.ts";
import { AppError } from "../../../src/shared/errors.ts";
import { imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../../helpers/lark-events.ts";

const KEY = "k-unit";
const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const opts = { encryptKey: KEY, verificationToken: TEST_VERIFICATION_TOKEN, windowSeconds: 300, nowMs: now };
const headers = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : "other";
  }
  return undefined;
}

describe("verifyLarkRequest", () => {
  it("opens a correctly signed, encrypted event", () => {
    const ev = imMessageEvent({ text: "hi" });
    const req = larkRequest(ev, { encryptKey: KEY, timestamp: now / 1000 });
    const v = verifyLarkRequest(Buffer.from(req.body), headers(req.headers), opts);
    expect(v.kind).toBe("event");
    expect(v.kind === "event" && v.envelope.header.event_id).toBe(ev.header.event_id);
  });

  it("verifies the bytes received, not re-serialised JSON (extra whitespace still verifies)", () => {
    const ev = imMessageEvent();
    const req = larkRequest(ev, { encryptKey: KEY, timestamp: now / 1000 });
    const spaced = req.body.replace("{", "{ \n  ");
    const resigned = larkRequest(ev, { encryptKey: KEY, timestamp: now / 1000 });
    // Sign the spaced body ourselves, as Lark would have.
    const h = { ...headers(resigned.headers), "x-lark-signature": larkSignature(resigned.headers["x-lark-request-timestamp"]!, resigned.headers["x-lark-request-nonce"]!, KEY, Buffer.from(spaced)) };
    expect(verifyLarkRequest(Buffer.from(spaced), h, opts).kind).toBe("event");
  });

  it("refuses timestamps too far ahead, and older than Lark's retry horizon", () => {
    for (const skew of [301, -(7.5 * 3600 + 1)]) {
      const req = larkRequest(imMessageEvent(), { encryptKey: KEY, timestamp: now / 1000 + skew });
      expect(code(() => verifyLarkRequest(Buffer.from(req.body), headers(req.headers), opts))).toBe("stale_request");
    }
  });

  it("takes a correctly signed event Lark retried an hour later (its first timestamp kept), telling its age", () => {
    const req = larkRequest(imMessageEvent(), { encryptKey: KEY, timestamp: now / 1000 - 3600 });
    const v = verifyLarkRequest(Buffer.from(req.body), headers(req.headers), opts);
    expect(v.kind === "event" && Math.round(v.ageSeconds)).toBe(3600);
  });

  it("checks the token when only a verification token is configured (plaintext events)", () => {
    const plain = { ...opts, encryptKey: undefined };
    expect(verifyLarkRequest(Buffer.from(JSON.stringify(imMessageEvent())), {}, plain).kind).toBe("event");
    expect(code(() => verifyLarkRequest(Buffer.from(JSON.stringify(imMessageEvent({ token: "x" }))), {}, plain))).toBe("bad_token");
  });

  it("answers a plaintext challenge", () => {
    const v = verifyLarkRequest(Buffer.from(JSON.stringify({ type: "url_verification", challenge: "c1", token: TEST_VERIFICATION_TOKEN })), {}, { ...opts, encryptKey: undefined });
    expect(v).toEqual({ kind: "challenge", challenge: "c1" });
  });

  it("refuses when nothing is configured, and refuses non-2.0 or shapeless events", () => {
    expect(code(() => verifyLarkRequest(Buffer.from("{}"), {}, { windowSeconds: 300, nowMs: now }))).toBe("not_configured");
    const plain = { ...opts, encryptKey: undefined };
    expect(code(() => verifyLarkRequest(Buffer.from(JSON.stringify({ uuid: "x", token: TEST_VERIFICATION_TOKEN, type: "event_callback", event: {} })), {}, plain))).toBe("malformed_body");
    expect(code(() => verifyLarkRequest(Buffer.from("[1,2]"), {}, plain))).toBe("malformed_body");
    const noType = imMessageEvent();
    noType.header.event_type = "";
    expect(code(() => verifyLarkRequest(Buffer.from(JSON.stringify(noType)), {}, plain))).toBe("malformed_body");
  });
});
