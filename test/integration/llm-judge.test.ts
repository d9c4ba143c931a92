import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { AGENT_OPEN_ID, eventually, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const LLM = "http://llm.test";
const ctx = useTestApp({ OPENAI_API_KEY: "sk-test-not-real", OPENAI_BASE_URL: `${LLM}/v1`, OPENAI_MODEL: "judge-model", OPENAI_TIMEOUT_MS: "400" }, { pollMs: { inbox: 20, outbox: 50, llm: 20 } });

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1"));
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const completion = (content: string) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "judge-model",
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const judgement = (valence: number, category: string, rubric: unknown[] = []) => JSON.stringify({ emotion: { valence, intensity: 0.8, category, rationale: "because" }, rubric });

let seq = 0;
async function send(role: "customer" | "agent", text: string, sessionId = `llm-${Date.now().toString(36)}-${++seq}`) {
  const messageId = `${sessionId}-${++seq}`;
  const res = await fetch(`${ctx.app.url}/v1/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ sessionId, messageId, role, senderId: `${role}-1`, text, ts: Math.floor(Date.now() / 1000) }),
  });
  expect(res.status).toBe(202);
  return eventually(() => ctx.app.db.prisma.message.findUnique({ where: { source_externalId: { source: "api", externalId: messageId } }, select: { id: true, sessionId: true } }));
}
const scoreOf = (messageId: string) => ctx.app.db.prisma.messageScore.findUnique({ where: { messageId } });

describe("LLM judge (OPENAI_* set, endpoint mocked)", () => {
  it("refines the emotion, and the prompt carries no customer PII", async () => {
    const bodies: string[] = [];
    nock(LLM)
      .post("/v1/chat/completions", (b) => {
        bodies.push(JSON.stringify(b));
        return true;
      })
      .reply(200, completion(judgement(-0.9, "anger")));
    const m = await send("customer", "我的手机号13912345678，地址北京市朝阳区建国路88号，快递三天没到，气死了");
    const s = await eventually(async () => {
      const r = await scoreOf(m.id);
      return r?.llmStatus === "done" ? r : null;
    });
    expect(s).toMatchObject({ source: "llm", valence: -0.9, category: "anger" });
    expect(JSON.parse(s.llmResult!).offline.valence).toBeLessThan(0);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).not.toContain("13912345678");
    expect(bodies[0]).not.toContain("建国路88号");
    expect(bodies[0]).toContain("[PHONE]");
    expect(JSON.parse(bodies[0]!).response_format.type).toBe("json_schema");
  });

  it("judges rubric items rules cannot, storing them as hits from the LLM", async () => {
    nock(LLM)
      .post("/v1/chat/completions")
      .reply(200, completion(judgement(0, "neutral", [{ ruleId: "language.plain_llm", violated: true, evidence: "二线" }])));
    const m = await send("agent", "您好，这个要转二线按标准作业程序处理");
    await eventually(async () => (await scoreOf(m.id))?.llmStatus === "done");
    const hits = await ctx.app.db.prisma.ruleHit.findMany({ where: { messageId: m.id, source: "llm" } });
    expect(hits.map((h) => [h.ruleId, h.kind, h.evidence])).toEqual([["language.plain_llm", "jargon", "二线"]]);
  });

  it("a slow judge times out: after the retries the offline score stands", async () => {
    nock(LLM)
      .post("/v1/chat/completions")
      .times(5)
      .delay(1_000)
      .reply(200, completion(judgement(0.9, "satisfaction")));
    const m = await send("customer", "东西坏了，很失望");
    const s = await eventually(
      async () => {
        const r = await scoreOf(m.id);
        return r?.llmStatus === "failed" ? r : null;
      },
      "llm marked failed",
      10_000,
    );
    expect(s.source).toBe("offline");
    expect(s.valence).toBeLessThan(0);
    expect(s.llmAttempts).toBe(3);
  });

  it("a malformed answer is refused: the offline score stands", async () => {
    nock(LLM).post("/v1/chat/completions").times(3).reply(200, completion('{"emotion": {"valence": 7}}'));
    const m = await send("customer", "谢谢，问题解决了");
    const s = await eventually(async () => {
      const r = await scoreOf(m.id);
      return r?.llmStatus === "failed" ? r : null;
    });
    expect(s.source).toBe("offline");
    expect(s.valence).toBeGreaterThan(0);
    expect(JSON.parse(s.llmResult!).error).toMatch(/schema/);
  });

  it("caches answers: the same message in the same context is judged once", async () => {
    const scope = nock(LLM)
      .post("/v1/chat/completions")
      .once()
      .reply(200, completion(judgement(0.5, "satisfaction")));
    const a = await send("customer", "好的谢谢你");
    const b = await send("customer", "好的谢谢你");
    for (const m of [a, b]) await eventually(async () => (await scoreOf(m.id))?.llmStatus === "done");
    expect(scope.isDone()).toBe(true);
  });
});

describe("LLM-drafted knowledge-base replies (hybrid retrieval, grounded)", () => {
  let clock = Date.now();
  const say = async (chat: string, who: "agent" | "customer", text: string) => {
    const req = larkRequest(imMessageEvent({ chatId: chat, chatType: "group", text, senderOpenId: who === "agent" ? AGENT_OPEN_ID : "ou_cust_llm", createTime: (clock += 2_000) }), {
      encryptKey: TEST_ENCRYPT_KEY,
    });
    expect((await fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers })).status).toBe(200);
  };
  const hintsOf = async (chat: string) => {
    const s = await ctx.app.db.prisma.session.findFirst({ where: { externalKey: chat } });
    return s ? ctx.app.db.prisma.hint.findMany({ where: { sessionId: s.id } }) : [];
  };
  /** Answers the judge and the drafter by schema name; embeddings by position. */
  const mockLlm = (draft: unknown, bodies: string[]) => {
    nock(LLM)
      .persist()
      .post("/v1/embeddings", (b) => {
        bodies.push(JSON.stringify(b));
        return true;
      })
      .reply(200, (_uri, body: any) => ({
        object: "list",
        data: (body.input as string[]).map((_t, index) => ({ object: "embedding", index, embedding: [1, index % 3, 0.5] })),
        model: "e",
        usage: { prompt_tokens: 1, total_tokens: 1 },
      }));
    nock(LLM)
      .persist()
      .post("/v1/chat/completions", (b) => {
        bodies.push(JSON.stringify(b));
        return true;
      })
      .reply(200, (_uri, body: any) => completion(body.response_format.json_schema.name === "kb_reply" ? JSON.stringify(draft) : judgement(0, "neutral")));
  };

  it("drafts the reply from the retrieved passages only, and sends it privately", async () => {
    const bodies: string[] = [];
    mockLlm({ answerable: true, reply: "亲，仓库收到退货后 1–2 个工作日内原路退款，到账时间以支付渠道为准。", articleId: "zh-refund-time" }, bodies);
    const chat = "oc_llm_hint";
    await say(chat, "agent", "您好，很高兴为您服务");
    await say(chat, "customer", "我手机13912345678，退的钱啥时候回来？");
    const hint = await eventually(async () => (await hintsOf(chat)).find((h) => h.kind === "kb" && h.status === "queued"), "drafted hint queued");
    const content = JSON.parse(hint.content);
    expect(content.reply).toContain("原路退款");
    expect(content.source).toContain("LLM");
    expect(hint.refId).toBe("zh-refund-time");
    const out = await ctx.app.db.prisma.outboxMessage.findUnique({ where: { id: hint.outboxId! } });
    expect(out?.kind).toBe("ephemeral.send");
    expect(out?.payload).toContain("原路退款");
    expect(bodies.some((b) => b.includes("zh-refund-time"))).toBe(true); // passages were in the prompt
    expect(bodies.join("\n")).not.toContain("13912345678");
  });

  it("an LLM draft is text on the card, never markup, and a question's $& reaches the prompt as typed", async () => {
    const bodies: string[] = [];
    mockLlm({ answerable: true, reply: "亲 <at id=all></at> [点这里](https://evil.example) **退款** :OK:", articleId: "zh-refund-time" }, bodies);
    const chat = "oc_llm_hint_markup";
    await say(chat, "agent", "您好，很高兴为您服务");
    await say(chat, "customer", "退的钱啥时候回来？$& $' $`");
    const hint = await eventually(async () => (await hintsOf(chat)).find((h) => h.kind === "kb" && h.status === "queued"), "drafted hint queued");
    const out = await ctx.app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: hint.outboxId! } });
    const card = JSON.stringify(JSON.parse(out.payload));
    expect(card).not.toContain("<at id=all>");
    expect(card).toContain("\\\\<at id=all\\\\>");
    expect(card).not.toContain("](https://evil");
    expect(card).not.toContain(":OK:");
    // The prompt carries the customer's characters, not the template's text that `$&` would have expanded to.
    const prompt = bodies.find((b) => b.includes("kb_reply"))!;
    expect(prompt).toContain("$& $' $`");
  });

  it("no passage, no answer: when the LLM finds nothing in the passages, no hint is sent", async () => {
    mockLlm({ answerable: false, reply: "", articleId: "" }, []);
    const chat = "oc_llm_no_answer";
    await say(chat, "agent", "您好，很高兴为您服务");
    await say(chat, "customer", "退货怎么寄回去？");
    const hint = await eventually(async () => (await hintsOf(chat)).find((h) => h.kind === "kb" && h.status !== "drafting"), "hint decided");
    expect(hint.status).toBe("no_answer");
    expect(hint.outboxId).toBeNull();
  });
});
