import { describe, expect, it } from "vitest";
import { larkDedupKey, normalizeLarkEnvelope } from "../../../src/ingest/normalize-lark.ts";
import { contentToText } from "../../../src/ingest/message-content.ts";
import { fixture, imMessageEvent } from "../../helpers/lark-events.ts";

const roster = { agentOpenIds: new Set(["ou_agent"]) };

describe("im.message.receive_v1", () => {
  it("normalises the official group example, resolving the mention", () => {
    const ev = fixture("im.message.receive_v1.group_text.json");
    const n = normalizeLarkEnvelope(ev, roster, 0);
    expect(n).toMatchObject({
      kind: "message",
      source: "lark",
      externalId: "om_5ce6d572455d361153b7cb51da133945",
      session: { channel: "lark_group", externalKey: "oc_5ce6d572455d361153b7xx51da133945", platformNamed: false },
      sender: { platform: "lark", externalId: "ou_84aad35d084aa403a838cf73ee18467", role: "customer" },
      text: "@Tom hello",
    });
    expect(n.kind === "message" && n.sentAt.getTime()).toBe(1609073151345);
  });

  it("marks configured agents, ignores app senders", () => {
    expect(normalizeLarkEnvelope(imMessageEvent({ senderOpenId: "ou_agent" }), roster, 0)).toMatchObject({ sender: { role: "agent" } });
    expect(normalizeLarkEnvelope(imMessageEvent({ senderType: "app" }), roster, 0).kind).toBe("ignored");
  });

  it("keys redeliveries on message_id, other events on event_id", () => {
    const a = imMessageEvent({ messageId: "om_1", eventId: "e1" });
    const b = imMessageEvent({ messageId: "om_1", eventId: "e2" });
    expect(larkDedupKey(a)).toBe(larkDedupKey(b));
    expect(larkDedupKey(fixture("helpdesk.ticket.created_v1.json"))).toBe("lark:evt:5e3702a84e847582be8db7fb73283c02");
  });

  it("ignores event types it does not handle", () => {
    const e = imMessageEvent();
    e.header.event_type = "im.chat.disbanded_v1";
    expect(normalizeLarkEnvelope(e, roster, 0)).toMatchObject({ kind: "ignored", reason: expect.stringContaining("not handled") });
  });
});

describe("message content", () => {
  it("flattens a received post (no locale wrapper) and a sent one (with zh_cn)", () => {
    const post = fixture("message_content.post.json");
    const text = contentToText("post", JSON.stringify(post), [{ key: "@_user_1", name: "Ann" }]);
    expect(text.split("\n")).toEqual(
      ["我是一个标题", "第一行 :超链接@Ann", "[image]", "第二行:文本测试", "[image]", "[video]", "[smile]", "func main() int64 {\n    return 0\n}"].flatMap((l) => l.split("\n")),
    );
    expect(contentToText("post", JSON.stringify({ zh_cn: { title: "T", content: [[{ tag: "text", text: "x" }]] } }))).toBe("T\nx");
  });

  it("gives media a placeholder and survives broken JSON", () => {
    expect(contentToText("file", '{"file_key":"f"}')).toBe("[file]");
    expect(contentToText("sticker", "{}")).toBe("[sticker]");
    expect(contentToText("text", "{not json")).toBe("{not json");
  });
});

describe("Service Desk", () => {
  // The official example, with each documented sender_type: 1 bot, 2 guest (customer), 3 agent.
  const withSender = (senderType: number | undefined, openId?: string) => {
    const ev = fixture("helpdesk.ticket_message.created_v1.json");
    if (senderType === undefined) delete ev.event.sender_type;
    else ev.event.sender_type = senderType;
    if (openId) ev.event.sender_id.open_id = openId;
    return normalizeLarkEnvelope(ev, roster, 0);
  };

  it("sender_type 1 is the desk's bot: not scored", () => {
    expect(withSender(1)).toMatchObject({ kind: "ignored" });
  });

  it("sender_type 2 is the guest: the customer, even when the roster or the ticket owner says otherwise", () => {
    expect(withSender(2)).toMatchObject({
      kind: "message",
      source: "helpdesk",
      externalId: "om_8baa3656c7b41900d29bf9104bf5310b",
      session: { channel: "helpdesk", externalKey: "6626871355780366331", platformNamed: true },
      sender: { role: "customer" },
      text: "请问vpn怎么下载",
    });
    expect(withSender(2, "ou_37019b7c830210acd88fdce886e25c71")).toMatchObject({ sender: { role: "customer" } });
  });

  it("sender_type 3 is an agent, named from the ticket's agent owner", () => {
    expect(withSender(3)).toMatchObject({ kind: "message", sender: { role: "agent" } });
    expect(withSender(3, "ou_37019b7c830210acd88fdce886e25c71")).toMatchObject({ sender: { role: "agent", name: "abc" } });
  });

  it("without a sender_type, falls back to the roster and the ticket's owner", () => {
    expect(withSender(undefined, "ou_37019b7c830210acd88fdce886e25c71")).toMatchObject({ sender: { role: "agent" } });
    expect(withSender(undefined)).toMatchObject({ sender: { role: "customer" } });
  });

  it("turns ticket updates into created / handover / closed", () => {
    expect(normalizeLarkEnvelope(fixture("helpdesk.ticket.created_v1.json"), roster, 0)).toMatchObject({ kind: "session_event", event: "ticket_created", stage: "bot" });
    const handover = fixture("helpdesk.ticket.updated_v1.json");
    handover.event.object.stage = 2;
    handover.event.object.status = 2;
    handover.event.old_object = { stage: 1, status: 2 };
    expect(normalizeLarkEnvelope(handover, roster, 0)).toMatchObject({ event: "handover_to_human", stage: "human" });
    const closed = fixture("helpdesk.ticket.updated_v1.json");
    closed.event.object.status = 50;
    closed.event.old_object = { status: 2 };
    expect(normalizeLarkEnvelope(closed, roster, 0)).toMatchObject({ event: "ticket_closed" });
  });
});
