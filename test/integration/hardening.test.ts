import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { AGENT_OPEN_ID, eventually, readJson, startTestApp, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

const SUP_CHAT = "oc_supervisors_here";
const STANDUP_CHAT = "oc_standup_here";
const ctx = useTestApp({ SUPERVISOR_CHAT_ID: SUP_CHAT, STANDUP_CHAT_ID: STANDUP_CHAT, SUPERVISOR_OPEN_IDS: "ou_sup_h" }, { pollMs: { inbox: 20, outbox: 20 } });
const auth = { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" };
const postLark = async (event: unknown) => {
  const r = larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY });
  return fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers });
};

describe("authenticated requests that used to answer 500 get a 400 with the reason", () => {
  it.each([
    ["GET", "/v1/sessions?since=99999999999999999999", undefined],
    ["GET", "/v1/sessions/%E0%A4%A", undefined],
    ["POST", "/v1/reports/standup", JSON.stringify({ date: "9999-12-31", dryRun: true })],
    ["POST", "/v1/messages", `{"sessionId":"deep","messageId":"d1","role":"customer","senderId":"c","text":"hi","meta":{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}}`],
    ["POST", "/v1/messages", JSON.stringify({ sessionId: "nested", messageId: "n1", role: "customer", senderId: "c", text: "hi", meta: { a: { b: { c: { d: { e: 1 } } } } } })],
  ])("%s %s", async (method, path, body) => {
    const res = await fetch(`${ctx.app.url}${path}`, { method, headers: auth, body });
    expect(res.status, await res.clone().text()).toBe(400);
    const j = await readJson(res);
    expect(j.message).toBeTruthy();
  });
});

describe("the ingest API without a token", () => {
  it("accepts direct loopback callers and refuses anything forwarded by a proxy", async () => {
    const db = testDatabaseUrl();
    const open = await startTestApp(db.url, { INGEST_TOKEN: undefined });
    try {
      const msg = JSON.stringify({ sessionId: "nt", messageId: "nt-1", role: "customer", senderId: "c", text: "你好" });
      expect((await fetch(`${open.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: msg })).status).toBe(202);
      const forwarded: Array<Record<string, string>> = [{ "x-forwarded-for": "203.0.113.9" }, { forwarded: "for=203.0.113.9" }, { "x-real-ip": "203.0.113.9" }];
      for (const h of forwarded) {
        const res = await fetch(`${open.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", ...h }, body: msg });
        expect(res.status).toBe(401);
        expect((await readJson(res)).message).toMatch(/proxy.*INGEST_TOKEN/);
      }
    } finally {
      await open.stop();
      await db.drop();
    }
  });
});

describe("the bot's own chats and repeated clicks", () => {
  it("messages in the supervisors' or the stand-up chat are not a customer conversation", async () => {
    for (const chat of [SUP_CHAT, STANDUP_CHAT]) expect((await postLark(imMessageEvent({ chatId: chat, text: "这个告警谁来处理？" }))).status).toBe(200);
    await eventually(async () => (await ctx.app.db.prisma.inboxEvent.count({ where: { status: "ignored" } })) >= 2, "ignored");
    expect(await ctx.app.db.prisma.session.count({ where: { externalKey: { in: [SUP_CHAT, STANDUP_CHAT] } } })).toBe(0);
  });

  it("the hint's owner clicking four times leaves one verdict (the last one)", async () => {
    await postLark(imMessageEvent({ chatId: "oc_clicks", chatType: "p2p", text: "您好，很高兴为您服务", senderOpenId: AGENT_OPEN_ID }));
    await postLark(imMessageEvent({ chatId: "oc_clicks", chatType: "p2p", text: "发票怎么开？", senderOpenId: "ou_cust_clicks" }));
    const session = await eventually(() => ctx.app.db.prisma.session.findFirst({ where: { externalKey: "oc_clicks" } }), "session");
    const hint = await eventually(() => ctx.app.db.prisma.hint.findFirst({ where: { sessionId: session.id } }), "hint");
    for (const [n, useful] of [
      [1, true],
      [2, true],
      [3, true],
      [4, false],
    ] as const) {
      const e = fixture("card.action.trigger.callback.jsonc");
      e.header = { ...e.header, event_id: `evt_clicks_${n}`, token: TEST_VERIFICATION_TOKEN };
      e.event.operator.open_id = AGENT_OPEN_ID;
      e.event.action.value = { cs_coach: "hint", hintId: hint.id, useful };
      expect((await postLark(e)).status).toBe(200);
    }
    expect(await ctx.app.db.prisma.hintFeedback.findMany({ where: { hintId: hint.id }, select: { useful: true } })).toEqual([{ useful: false }]);
  });
});

describe("secrets never reach the log, not even inside another message", () => {
  it("a configured secret quoted in an error string is masked by value", async () => {
    ctx.app.log.error("a library said", { detail: `validation failed for token ${TEST_VERIFICATION_TOKEN} in payload` });
    const line = ctx.app.logLines.find((l) => l.includes("a library said"))!;
    expect(line).not.toContain(TEST_VERIFICATION_TOKEN);
    expect(line).toContain("[SECRET]");
  });
});

describe("KB_PATH stays inside its folder", () => {
  it("a symlink out of the folder is not read, and a folder with no articles stops start-up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kb-escape-"));
    mkdirSync(join(dir, "kb"));
    writeFileSync(join(dir, "outside.md"), "---\nid: secret\ntitle: 外面\nlang: zh\n---\n## 秘密\n不该被读到的内容\n");
    symlinkSync(join(dir, "outside.md"), join(dir, "kb", "escape.md"));
    const db = testDatabaseUrl();
    await expect(startTestApp(db.url, { KB_PATH: join(dir, "kb") })).rejects.toThrow(/KB_PATH: .*has no articles/);
    writeFileSync(join(dir, "kb", "ok.md"), "---\nid: ok\ntitle: 发票\nlang: zh\n---\n## 开票\n下单后在订单页申请电子发票。\n");
    const app = await startTestApp(db.url, { KB_PATH: join(dir, "kb") });
    try {
      const ts = Math.floor(Date.now() / 1000);
      await fetch(`${app.url}/v1/messages`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify([
          { sessionId: "kbx", messageId: "kbx-1", role: "agent", senderId: "a", text: "您好", ts },
          { sessionId: "kbx", messageId: "kbx-2", role: "customer", senderId: "c", text: "不该被读到的秘密在哪？", ts: ts + 1 },
        ]),
      });
      await eventually(async () => (await app.db.prisma.message.count()) === 2, "processed");
      await new Promise((r) => setTimeout(r, 100));
      expect(await app.db.prisma.hint.count({ where: { refId: "secret" } })).toBe(0);
    } finally {
      await app.stop();
      await db.drop();
    }
  });
});
