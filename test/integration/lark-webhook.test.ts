import { beforeEach, describe, expect, it } from "vitest";
import { fixture, imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { AGENT_OPEN_ID, eventually, readJson, useTestApp, TEST_ENCRYPT_KEY, TEST_VERIFICATION_TOKEN } from "../helpers/start-test-app.ts";

const ctx = useTestApp();

const post = (req: { body: string | Buffer; headers: Record<string, string> }) => fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers });

const counts = async () => ({
  inbox: await ctx.app.db.prisma.inboxEvent.count(),
  messages: await ctx.app.db.prisma.message.count(),
});

beforeEach(async () => {
  // Each test starts from empty tables (the app and its schema stay up).
  await ctx.app.workers.stop("inbox");
  await ctx.app.db.prisma.alertFeedback.deleteMany();
  await ctx.app.db.prisma.finding.deleteMany();
  await ctx.app.db.prisma.alert.deleteMany();
  await ctx.app.db.prisma.messageScore.deleteMany();
  await ctx.app.db.prisma.ruleHit.deleteMany();
  await ctx.app.db.prisma.message.deleteMany();
  await ctx.app.db.prisma.sessionEvent.deleteMany();
  await ctx.app.db.prisma.session.deleteMany();
  await ctx.app.db.prisma.participant.deleteMany();
  await ctx.app.db.prisma.inboxEvent.deleteMany();
  ctx.app.workers.start("inbox");
});

describe("POST /lark/events — signed and encrypted delivery", () => {
  it("stores a message once even when Lark delivers it three times", async () => {
    const event = imMessageEvent({ text: "@_user_1 我的订单怎么还没发货？", chatType: "p2p", chatId: "oc_p2p_1" });
    for (let i = 0; i < 3; i++) {
      // Each redelivery is freshly encrypted and signed, with a new nonce, like Lark's.
      const res = await post(larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY }));
      expect(res.status).toBe(200);
    }
    const stored = await eventually(() => ctx.app.db.prisma.message.findMany({ include: { session: true, participant: true } }).then((m) => (m.length ? m : null)));
    await new Promise((r) => setTimeout(r, 150));
    expect(await counts()).toEqual({ inbox: 1, messages: 1 });
    const m = stored[0]!;
    expect(m.text).toBe("@Tom 我的订单怎么还没发货？");
    expect(m.role).toBe("customer");
    expect(m.externalId).toBe(event.event.message.message_id);
    expect(m.sentAt.getTime()).toBe(Number(event.event.message.create_time));
    expect(JSON.parse(m.raw).header.event_id).toBe(event.header.event_id);
    expect(m.session).toMatchObject({ channel: "lark_p2p", externalKey: "oc_p2p_1", status: "open", messageCount: 1 });
    expect(m.participant?.externalId).toBe(event.event.sender.sender_id.open_id);
  });

  it("treats a redelivery under a new event_id as the same message (keyed on message_id)", async () => {
    const event = imMessageEvent({ text: "hello" });
    await post(larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY }));
    const again = { ...event, header: { ...event.header, event_id: "evt_other" } };
    await post(larkRequest(again, { encryptKey: TEST_ENCRYPT_KEY }));
    await eventually(async () => (await counts()).messages === 1);
    expect((await counts()).inbox).toBe(1);
  });

  it("knows agents from AGENT_OPEN_IDS and skips messages sent by bots", async () => {
    const chatId = "oc_group_roles";
    await post(larkRequest(imMessageEvent({ chatId, text: "您好，我是客服小王，很高兴为您服务", senderOpenId: AGENT_OPEN_ID }), { encryptKey: TEST_ENCRYPT_KEY }));
    await post(larkRequest(imMessageEvent({ chatId, text: "I am a bot", senderType: "app" }), { encryptKey: TEST_ENCRYPT_KEY }));
    await eventually(async () => (await ctx.app.db.prisma.inboxEvent.count({ where: { status: { not: "pending" } } })) === 2);
    const messages = await ctx.app.db.prisma.message.findMany();
    expect(messages.map((m) => m.role)).toEqual(["agent"]);
    const ignored = await ctx.app.db.prisma.inboxEvent.findFirst({ where: { status: "ignored" } });
    expect(ignored?.error).toMatch(/bots are not scored/);
  });

  it("turns rich text into plain text and media into placeholders", async () => {
    const post1 = imMessageEvent({ messageType: "post", content: fixture("message_content.post.json") });
    const image = imMessageEvent({ messageType: "image", content: { image_key: "img_1" } });
    await post(larkRequest(post1, { encryptKey: TEST_ENCRYPT_KEY }));
    await post(larkRequest(image, { encryptKey: TEST_ENCRYPT_KEY }));
    const msgs = await eventually(() => ctx.app.db.prisma.message.findMany({ orderBy: { receivedAt: "asc" } }).then((m) => (m.length === 2 ? m : null)));
    expect(msgs[0]!.text).toContain("我是一个标题");
    expect(msgs[0]!.text).toContain("第一行 :超链接@Tom");
    expect(msgs[0]!.text).toContain("[image]");
    expect(msgs[1]!.text).toBe("[image]");
  });
});

describe("POST /lark/events — refusals store nothing", () => {
  const refused = async (req: { body: string | Buffer; headers: Record<string, string> }, status: number, error: string) => {
    const res = await post(req);
    expect(res.status).toBe(status);
    const body = await readJson(res);
    expect(body.error).toBe(error);
    expect(typeof body.message).toBe("string");
    await new Promise((r) => setTimeout(r, 50));
    expect(await counts()).toEqual({ inbox: 0, messages: 0 });
  };

  it("tampered body → 401", async () => {
    const req = larkRequest(imMessageEvent(), { encryptKey: TEST_ENCRYPT_KEY });
    const tampered = req.body.replace(/"encrypt":"(.)/, (_m, c) => `"encrypt":"${c === "A" ? "B" : "A"}`);
    await refused({ body: tampered, headers: req.headers }, 401, "bad_signature");
  });

  it("signature from another key → 401", async () => {
    const req = larkRequest(imMessageEvent(), { encryptKey: TEST_ENCRYPT_KEY });
    const other = larkRequest(imMessageEvent(), { encryptKey: "another-key" });
    await refused({ body: req.body, headers: { ...req.headers, "x-lark-signature": other.headers["x-lark-signature"]! } }, 401, "bad_signature");
  });

  it("missing signature headers on an encrypted event → 401", async () => {
    await refused(larkRequest(imMessageEvent(), { encryptKey: TEST_ENCRYPT_KEY, signed: false }), 401, "bad_signature");
  });

  it("stale timestamp (replay) → 401: past Lark's retry horizon, or a card callback past the window", async () => {
    await refused(larkRequest(imMessageEvent(), { encryptKey: TEST_ENCRYPT_KEY, timestamp: Math.floor(Date.now() / 1000) - 8 * 3600 }), 401, "stale_request");
    const click = fixture("card.action.trigger.callback.jsonc");
    click.header.token = TEST_VERIFICATION_TOKEN;
    await refused(larkRequest(click, { encryptKey: TEST_ENCRYPT_KEY, timestamp: Math.floor(Date.now() / 1000) - 600 }), 401, "stale_request");
  });

  it("a Lark retry an hour later (first timestamp kept) is taken, once", async () => {
    const ev = imMessageEvent({ text: "retried by Lark" });
    const late = larkRequest(ev, { encryptKey: TEST_ENCRYPT_KEY, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    for (let i = 0; i < 2; i++) expect((await fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: late.body, headers: late.headers })).status).toBe(200);
    await eventually(async () => (await ctx.app.db.prisma.message.count({ where: { text: "retried by Lark" } })) === 1);
    expect(await ctx.app.db.prisma.inboxEvent.count({ where: { payload: { contains: "retried by Lark" } } })).toBe(1);
  });

  it("wrong verification token → 401", async () => {
    await refused(larkRequest(imMessageEvent({ token: "not-the-token" }), { encryptKey: TEST_ENCRYPT_KEY }), 401, "bad_token");
  });

  it("garbled ciphertext (correctly signed) → 400", async () => {
    const body = JSON.stringify({ encrypt: Buffer.from("0123456789abcdef-this-is-not-a-valid-ciphertext-block!").toString("base64") });
    const req = larkRequest({}, { encryptKey: TEST_ENCRYPT_KEY });
    const { larkSignature } = await import("../../src/edge/lark-verify.ts");
    const headers = { ...req.headers, "x-lark-signature": larkSignature(req.headers["x-lark-request-timestamp"]!, req.headers["x-lark-request-nonce"]!, TEST_ENCRYPT_KEY, Buffer.from(body)) };
    await refused({ body, headers }, 400, "decrypt_failed");
  });

  it("plaintext event while an encrypt key is configured → 401", async () => {
    await refused(larkRequest(imMessageEvent()), 401, "bad_signature");
  });

  it("malformed JSON → 400 with the reason", async () => {
    const res = await post({ body: "{not json", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect((await readJson(res)).message).toMatch(/not valid JSON/);
  });

  it("not JSON content type → 415; over the size limit → 413", async () => {
    await refused({ body: "hello", headers: { "content-type": "text/plain" } }, 415, "unsupported_media_type");
    const huge = JSON.stringify({ encrypt: "x".repeat(ctx.app.config.env.MAX_BODY_BYTES + 10) });
    await refused({ body: huge, headers: { "content-type": "application/json" } }, 413, "payload_too_large");
  });
});

describe("POST /lark/events — url_verification", () => {
  it("answers an encrypted challenge whose token matches", async () => {
    const res = await post(larkRequest({ challenge: "abc-123", token: TEST_VERIFICATION_TOKEN, type: "url_verification" }, { encryptKey: TEST_ENCRYPT_KEY, signed: false }));
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ challenge: "abc-123" });
  });

  it("refuses a challenge with the wrong token", async () => {
    const res = await post(larkRequest({ challenge: "abc", token: "nope", type: "url_verification" }, { encryptKey: TEST_ENCRYPT_KEY, signed: false }));
    expect(res.status).toBe(401);
  });
});

describe("Service Desk events", () => {
  it("follows a ticket: created by the bot, customer and agent messages, handover to a human", async () => {
    const created = fixture("helpdesk.ticket.created_v1.json");
    created.header.token = TEST_VERIFICATION_TOKEN;
    const msg = fixture("helpdesk.ticket_message.created_v1.json");
    msg.header.token = TEST_VERIFICATION_TOKEN;
    msg.header.event_id = "evt_hd_msg_1";
    msg.event.sender_type = 2; // the guest
    const updated = fixture("helpdesk.ticket.updated_v1.json");
    updated.header.token = TEST_VERIFICATION_TOKEN;
    updated.header.event_id = "evt_hd_upd_1";
    updated.event.object.stage = 2;
    updated.event.old_object.stage = 1;
    updated.event.old_object.status = 2;
    updated.event.object.status = 2;
    const agentReply = structuredClone(msg);
    agentReply.header.event_id = "evt_hd_msg_2";
    agentReply.event.message_id = "om_agent_reply";
    agentReply.event.sender_id.open_id = msg.event.ticket.agent_owner.id;
    agentReply.event.sender_type = 3; // an agent
    agentReply.event.text = "您好，这边为您查询一下";

    for (const e of [created, msg, updated, agentReply]) {
      expect((await post(larkRequest(e, { encryptKey: TEST_ENCRYPT_KEY }))).status).toBe(200);
    }
    await eventually(async () => (await ctx.app.db.prisma.inboxEvent.count({ where: { status: "pending" } })) === 0 && (await ctx.app.db.prisma.inboxEvent.count()) === 4);
    const sessions = await ctx.app.db.prisma.session.findMany({ include: { messages: { orderBy: { receivedAt: "asc" } }, events: { orderBy: { id: "asc" } } } });
    expect(sessions).toHaveLength(1);
    const s = sessions[0]!;
    expect(s).toMatchObject({ channel: "helpdesk", externalKey: "6626871355780366331", stage: "human" });
    expect(s.events.map((e) => e.kind)).toEqual(["ticket_created", "handover_to_human"]);
    expect(s.messages.map((m) => [m.role, m.text])).toEqual([
      ["customer", "请问vpn怎么下载"],
      ["agent", "您好，这边为您查询一下"],
    ]);
  });

  it("keeps one message when Service Desk redelivers it under a new event id", async () => {
    const msg = fixture("helpdesk.ticket_message.created_v1.json");
    msg.header.token = TEST_VERIFICATION_TOKEN;
    msg.event.sender_type = 2;
    const again = structuredClone(msg);
    again.header.event_id = "evt_hd_redelivered";
    for (const e of [msg, again]) expect((await post(larkRequest(e, { encryptKey: TEST_ENCRYPT_KEY }))).status).toBe(200);
    await eventually(async () => (await ctx.app.db.prisma.inboxEvent.count({ where: { status: { not: "pending" } } })) === 2);
    expect(await ctx.app.db.prisma.message.count()).toBe(1);
    const rows = await ctx.app.db.prisma.inboxEvent.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.status, r.error])).toEqual([
      ["done", null],
      ["ignored", "duplicate message"],
    ]);
  });
});
