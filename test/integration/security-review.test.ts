import { describe, expect, it } from "vitest";
import { createDryRunSender } from "../../src/clients/lark-sender.ts";
import { exportSessions, toCsv } from "../../src/reports/export.ts";
import { createMemoryLogger } from "../../src/shared/logger.ts";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { AGENT_OPEN_ID, eventually, TEST_ENCRYPT_KEY, useTestApp } from "../helpers/start-test-app.ts";

// Customer PII of each kind, and the secrets configured below: none may appear in any output.
const PHONE = "13912345678";
const ID_CARD = "110105199003071234";
const CARD = "6222020200112233445";
const STREET = "朝阳区建国路88号";
// International forms and e-mail (a US cell in two spellings, a London landline).
const US_PHONE = "415-555-0132";
const US_PHONE_INTL = "+1 415 555 0132";
const UK_PHONE = "+44 20 7946 0958";
const EMAIL = "li.lei@example.com";
const SECRETS = ["sec-app-secret-9d2f", "sec-ingest-token-5b1e", "sec-openai-key-7c3a"];

const printed: string[] = [];
const log = createMemoryLogger("debug");
const ctx = useTestApp(
  // Real-looking credentials (the LLM endpoint refuses connections, so its calls fail and log).
  {
    LARK_APP_ID: "cli_a1b2c3d4e5f60718",
    LARK_APP_SECRET: SECRETS[0],
    INGEST_TOKEN: SECRETS[1],
    OPENAI_API_KEY: SECRETS[2],
    OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
    OPENAI_TIMEOUT_MS: "200",
    SUPERVISOR_CHAT_ID: "oc_sup_pii",
    SUPERVISOR_OPEN_IDS: "ou_sup",
  },
  // Dry-run sender printing into memory: what an operator would see on stdout.
  { log, sender: createDryRunSender(log, (l) => printed.push(l)), pollMs: { inbox: 20, outbox: 20, llm: 20 } },
);

describe("security review: PII and secrets never leave in logs, prints or exports", () => {
  it("a conversation full of PII, with an alert and hints, leaves none of it in the log, the printed cards or the default export", async () => {
    const t0 = Date.now() - 60_000;
    const say = async (text: string, k: number, agent = false) => {
      const r = larkRequest(imMessageEvent({ chatId: "oc_pii", text, createTime: t0 + k * 1000, ...(agent ? { senderOpenId: AGENT_OPEN_ID } : {}) }), { encryptKey: TEST_ENCRYPT_KEY });
      expect((await fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers })).status).toBe(200);
    };
    await say(`我的手机${PHONE}，身份证${ID_CARD}，退款打到卡${CARD}`, 0);
    await say(`地址是北京市${STREET}，快递什么时候到？我在美国的电话 ${US_PHONE}，伦敦办公室 ${UK_PHONE}，邮箱 ${EMAIL}`, 1);
    await say(`好的，已记下您的电话${PHONE}`, 2, true);
    await say(`美国的号码 ${US_PHONE_INTL} 我们也会联系`, 3, true);
    // The number straddles where a quote is shortened (40 characters): it must be redacted first.
    await say(`再不处理我就打12315投诉你们！我等了一个星期了，你们打我电话${PHONE}，身份证${ID_CARD}`, 4);
    const p = ctx.app.db.prisma;
    // Wait for what the assertions read: every message processed (the 12315 one too, not only
    // the privacy alert that comes before it), then every send done.
    await eventually(
      async () =>
        (await p.message.count()) === 5 &&
        (await p.inboxEvent.count({ where: { status: "pending" } })) === 0 &&
        (await p.finding.count({ where: { detector: "escalation" } })) > 0 &&
        (await p.outboxMessage.count({ where: { status: "pending" } })) === 0 &&
        (await p.outboxMessage.count()) > 0,
      "processed and sent",
    );
    // Both agent turns that wrote a number are privacy leaks, the international one included.
    const leaks = await p.ruleHit.findMany({ where: { kind: "privacy_leak" }, select: { evidence: true } });
    expect(leaks).toHaveLength(2);
    for (const l of leaks) expect(l.evidence).toBe("[PHONE]");
    // The raw text is stored (the team's own record)…
    expect((await p.message.findMany({ select: { text: true } })).map((m) => m.text).join()).toContain(PHONE);

    // …but no log line, printed card or default export carries it, nor any secret.
    const exported = toCsv(await exportSessions(ctx.app.db, { from: new Date(t0 - 60_000), to: new Date(), includePii: false }));
    const outputs = { log: [...log.lines, ...ctx.app.logLines].join("\n"), printed: printed.join("\n"), export: exported };
    expect(outputs.printed.length).toBeGreaterThan(0);
    expect(outputs.export).toContain("12315");
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of [PHONE, ID_CARD, CARD, STREET, US_PHONE, "415 555 0132", "7946 0958", EMAIL, ...SECRETS]) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
      // Nor a shortened piece of a number (a clipped quote that escaped redaction).
      for (const piece of [PHONE.slice(0, 7), ID_CARD.slice(0, 8)]) expect(text.includes(piece), `${piece}… in ${where}`).toBe(false);
    }
  });
});
