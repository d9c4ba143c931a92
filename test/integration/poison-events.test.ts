import { describe, expect, it } from "vitest";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, readJson, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const ctx = useTestApp({}, { pollMs: { inbox: 20, outbox: 50 } });
const postLark = async (event: unknown) => {
  const r = larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY });
  return fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers });
};

describe("events that cannot be stored", () => {
  it.each([
    ["content as an object", (e: any) => (e.event.message.content = { text: "hi" }), /event\.message\.content/],
    ["mentions holding null", (e: any) => (e.event.message.mentions = [null]), /event\.message\.mentions\.0/],
    ["a create_time that is no time", (e: any) => (e.event.message.create_time = "1e300"), /event\.message\.create_time/],
  ])("are refused at the door: %s → 400 with the reason, nothing recorded", async (_name, spoil, reason) => {
    const e = imMessageEvent({ chatId: "oc_spoiled", text: "x" });
    spoil(e);
    const res = await postLark(e);
    expect(res.status).toBe(400);
    expect((await readJson(res)).message).toMatch(reason);
    expect(await ctx.app.db.prisma.inboxEvent.count({ where: { payload: { contains: "oc_spoiled" } } })).toBe(0);
  });

  it("a post whose content is not an array, and a mention whose name holds later mention keys, are read safely", async () => {
    const post = imMessageEvent({ chatId: "oc_odd_post", messageType: "post", content: { title: "标题", content: "not an array" } });
    const names = Array.from({ length: 26 }, (_, i) => ({ key: `@_user_${i + 1}`, name: Array.from({ length: 26 }, (_, j) => `@_user_${j + 1}`).join("") }));
    const mentions = imMessageEvent({ chatId: "oc_mentions", text: names.map((n) => n.key).join(" ") });
    mentions.event.message.mentions = names;
    expect((await postLark(post)).status).toBe(200);
    expect((await postLark(mentions)).status).toBe(200);
    const m = await eventually(() => ctx.app.db.prisma.message.findFirst({ where: { session: { externalKey: "oc_mentions" } } }), "stored");
    // Each key replaced once by its name: 26 names of 26 keys, not a text doubled 26 times.
    expect(m.text.length).toBeLessThan(26 * 26 * 10 + 100);
    expect((await ctx.app.db.prisma.message.findFirst({ where: { session: { externalKey: "oc_odd_post" } } }))?.text).toBe("标题");
  });

  it("a row that fails in processing is retried, then parked, and holds back no other conversation", async () => {
    // A row no version of the reader understands (written by an older build, say).
    await ctx.app.db.prisma.inboxEvent.create({ data: { dedupKey: "lark:evt:poison-1", source: "lark_http", eventType: "im.message.receive_v1", payload: JSON.stringify({ schema: "2.0" }) } });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${ctx.app.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` },
      body: JSON.stringify({ sessionId: "after-poison", messageId: "ap-1", role: "customer", senderId: "c", text: "你好，在吗", ts }),
    });
    expect(res.status).toBe(202);
    await eventually(() => ctx.app.db.prisma.message.findFirst({ where: { session: { externalKey: "after-poison" } } }), "the later event is processed");
    // Processed while the poison row was still being retried, not after it was given up on.
    const poison = await ctx.app.db.prisma.inboxEvent.findUniqueOrThrow({ where: { dedupKey: "lark:evt:poison-1" } });
    expect(poison.status).toBe("pending");
    const parked = await eventually(
      async () => {
        const r = await ctx.app.db.prisma.inboxEvent.findUniqueOrThrow({ where: { dedupKey: "lark:evt:poison-1" } });
        return r.status === "failed" ? r : undefined;
      },
      "parked after its attempts",
      15_000,
    );
    expect(parked.attempts).toBe(5);
    expect(parked.error).toBeTruthy();
  });
});
