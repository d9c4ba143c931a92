import { describe, expect, it } from "vitest";
import { imMessageEvent, larkRequest, encryptForLark } from "../helpers/lark-events.ts";
import { TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const ctx = useTestApp();

/** Deterministic pseudo-random bytes: the same cases on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const send = (path: string, body: string | Buffer, headers: Record<string, string>) => fetch(`${ctx.app.url}${path}`, { method: "POST", body, headers });

/** Refused with a clear 4xx and a JSON reason; never a 5xx. */
async function expectRefused(res: Response) {
  expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  const body = (await res.json()) as { error?: string; message?: string };
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
}

const stored = async () => ({ inbox: await ctx.app.db.prisma.inboxEvent.count(), messages: await ctx.app.db.prisma.message.count() });

describe("bad input at the edge: a clear 4xx, never a 5xx, nothing stored", () => {
  it("random bytes, truncated and non-JSON bodies, wrong content types", async () => {
    const r = rng(7);
    const valid = larkRequest(imMessageEvent({ text: "hi" }), { encryptKey: TEST_ENCRYPT_KEY });
    const cases: Array<[string, string | Buffer, Record<string, string>]> = [];
    for (let i = 0; i < 40; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
      cases.push(["/lark/events", bytes, { "content-type": "application/json" }]);
      cases.push(["/v1/messages", bytes, { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` }]);
      const cut = valid.body.slice(0, Math.floor(r() * valid.body.length));
      cases.push(["/lark/events", cut, valid.headers]);
    }
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]) {
      cases.push(["/lark/events", valid.body, { ...valid.headers, "content-type": type }]);
      cases.push(["/v1/messages", "{}", { "content-type": type, authorization: `Bearer ${TEST_INGEST_TOKEN}` }]);
    }
    // Invalid UTF-8 inside otherwise well-formed JSON.
    cases.push([
      "/v1/messages",
      Buffer.concat([Buffer.from('{"sessionId":"s","messageId":"m","role":"customer","senderId":"c","ts":1,"text":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
      { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` },
    ]);
    for (const [path, body, headers] of cases) await expectRefused(await send(path, body, headers));
    expect(await stored()).toEqual({ inbox: 0, messages: 0 });
  });

  it("huge strings, deep JSON, oversized bodies and type confusion", async () => {
    const auth = { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` };
    const msg = { sessionId: "s", messageId: "m", role: "customer", senderId: "c", text: "x", ts: 1_763_900_000 };
    const deep = "[".repeat(5_000) + "]".repeat(5_000);
    const cases: unknown[] = [
      { ...msg, text: "长".repeat(30_000) },
      { ...msg, sessionId: "s".repeat(1_000) },
      { ...msg, ts: -5 },
      { ...msg, ts: "not a date" },
      { ...msg, role: "robot" },
      { ...msg, meta: "not an object" },
      { messages: [] },
      { messages: Array.from({ length: 501 }, (_, i) => ({ ...msg, messageId: `m${i}` })) },
      [null],
      42,
      "string",
      { __proto__: { role: "agent" }, sessionId: "s" },
    ];
    for (const c of cases) await expectRefused(await send("/v1/messages", JSON.stringify(c), auth));
    await expectRefused(await send("/v1/messages", deep, auth));
    await expectRefused(await send("/v1/messages", JSON.stringify({ ...msg, text: "y".repeat(ctx.app.config.env.MAX_BODY_BYTES) }), auth));
    expect(await stored()).toEqual({ inbox: 0, messages: 0 });
  });

  it("encrypted garbage, forged and replayed signatures on the Lark endpoint", async () => {
    const r = rng(11);
    for (let i = 0; i < 20; i++) {
      const junk = Buffer.from(Array.from({ length: 16 + Math.floor(r() * 200) }, () => Math.floor(r() * 256))).toString("base64");
      // Correctly signed ciphertext of random bytes, and ciphertext of non-JSON plaintext.
      for (const encrypt of [junk, encryptForLark(`not json ${i}`, TEST_ENCRYPT_KEY)]) {
        const signed = larkRequest({}, { encryptKey: TEST_ENCRYPT_KEY });
        const body = JSON.stringify({ encrypt });
        const { larkSignature } = await import("../../src/edge/lark-verify.ts");
        const headers = {
          ...signed.headers,
          "x-lark-signature": larkSignature(signed.headers["x-lark-request-timestamp"]!, signed.headers["x-lark-request-nonce"]!, TEST_ENCRYPT_KEY, Buffer.from(body)),
        };
        await expectRefused(await send("/lark/events", body, headers));
      }
    }
    // A captured request replayed past Lark's retry horizon, and one with its signature moved to another body.
    const old = larkRequest(imMessageEvent({ text: "old" }), { encryptKey: TEST_ENCRYPT_KEY, timestamp: Math.floor(Date.now() / 1000) - 8 * 3600 });
    await expectRefused(await send("/lark/events", old.body, old.headers));
    const a = larkRequest(imMessageEvent({ text: "a" }), { encryptKey: TEST_ENCRYPT_KEY });
    const b = larkRequest(imMessageEvent({ text: "b" }), { encryptKey: TEST_ENCRYPT_KEY });
    await expectRefused(await send("/lark/events", b.body, a.headers));
    expect(await stored()).toEqual({ inbox: 0, messages: 0 });
  });
});
