import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY_PATH } from "../../src/scoring/compliance/policy-schema.ts";
import { eventually, readJson, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const policyFile = join(tmpdir(), `cs-coach-policy-${process.pid}-${Date.now()}.json`);
copyFileSync(DEFAULT_POLICY_PATH, policyFile);
// Real time, moved ahead by hand to reach the idle timeout.
let ahead = 0;
const ctx = useTestApp({ POLICY_FILE: policyFile, SESSION_IDLE_MINUTES: "30" }, { clock: { now: () => Date.now() + ahead } });

const auth = { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" };
let seq = 0;
async function conversation(turns: Array<[role: "customer" | "agent", text: string, secondsFromStart: number]>) {
  const sessionId = `score-${Date.now().toString(36)}-${++seq}`;
  const t0 = Math.floor(Date.now() / 1000) - 3600;
  const messages = turns.map(([role, text, s], i) => ({ sessionId, messageId: `${sessionId}-${i}`, role, senderId: `${role}-1`, text, ts: t0 + s }));
  const res = await fetch(`${ctx.app.url}/v1/messages`, { method: "POST", headers: auth, body: JSON.stringify({ messages }) });
  expect(res.status).toBe(202);
  return eventually(async () => {
    const body = await readJson(await fetch(`${ctx.app.url}/v1/sessions/${sessionId}`, { headers: auth }));
    return body.session?.messages?.length === turns.length && body.session.messages.every((m: { score: unknown }) => m.score) ? body.session : null;
  });
}

describe("scoring in the live pipeline", () => {
  it("stores emotion per message, rule hits where they happen, and keeps the session's numbers current", async () => {
    const s = await conversation([
      ["customer", "等了一个星期还没到，太离谱了！我要投诉", 0],
      ["agent", "订单号发一下", 25],
      ["customer", "123456789", 30],
      ["agent", "这不是我们的问题，是快递的问题", 35],
    ]);
    const [c0, a1, , a3] = s.messages;
    expect(c0.score.valence).toBeLessThan(-0.5);
    expect(JSON.parse(c0.score.escalation)).toContain("complaint");
    expect(["anger", "frustration"]).toContain(c0.score.category);
    expect(a1.score).toBeTruthy();
    const hitsAt = (m: { id: string }) =>
      s.hits
        .filter((h: { messageId: string }) => h.messageId === m.id)
        .map((h: { kind: string }) => h.kind)
        .sort();
    expect(hitsAt(a1)).toEqual(["missing_apology", "missing_greeting", "slow_first_response"]);
    expect(hitsAt(a3)).toEqual(["arguing"]);
    expect(s.ruleHitCount).toBe(4);
    // 100 − medium 8 − low 4 − medium 8 − high 15
    expect(s.qaScore).toBe(65);
    expect(s.valenceMin).toBeLessThan(-0.5);
    expect(s.negativeTurns).toBe(1);
    expect(JSON.parse(s.escalationKinds)).toContain("complaint");
    expect(s.firstResponseSecs).toBe(25);
  });

  it("runs the closing check once the session closes as idle", async () => {
    const s = await conversation([
      ["customer", "发票怎么开", 0],
      ["agent", "您好，在订单详情里点申请开票就可以了", 4],
    ]);
    expect(s.hits).toEqual([]);
    ahead = 31 * 60_000;
    const closed = await ctx.app.workers.runOnce("idle sweeper");
    expect(closed).toBeGreaterThanOrEqual(1);
    const after = await readJson(await fetch(`${ctx.app.url}/v1/sessions/${s.id}`, { headers: auth }));
    expect(after.session.status).toBe("closed");
    expect(after.session.hits.map((h: { kind: string }) => h.kind)).toEqual(["missing_closing_check"]);
    expect(after.session.qaScore).toBe(96);
    // Closing again does not add the hit twice.
    await ctx.app.workers.runOnce("idle sweeper");
    ahead = 0;
    expect(await ctx.app.db.prisma.ruleHit.count({ where: { sessionId: s.id } })).toBe(1);
  });

  it("applies an edited policy without a restart, and keeps the last good one when an edit is broken", async () => {
    const policy = JSON.parse(readFileSync(policyFile, "utf8"));
    policy.rules.find((r: { id: string }) => r.id === "language.rude").check.phrases.zh.push("自己百度");
    writeFileSync(policyFile, JSON.stringify(policy));
    // The app watches the file (every 2 s): wait for it to notice, as an operator would.
    await eventually(() => ctx.app.logLines.some((l) => l.includes("policy reloaded")), "the edit picked up", 8_000);
    const s = await conversation([
      ["customer", "这个怎么安装", 0],
      ["agent", "您好，自己百度一下就知道了", 3],
    ]);
    expect(s.hits.map((h: { kind: string }) => h.kind)).toEqual(["rude_language"]);

    writeFileSync(policyFile, "{ not json");
    await eventually(() => ctx.app.logLines.some((l) => l.includes("policy reload failed")), "the broken edit noticed", 8_000);
    const again = await conversation([
      ["customer", "这个怎么安装", 0],
      ["agent", "您好，自己百度一下", 3],
    ]);
    expect(again.hits.map((h: { kind: string }) => h.kind)).toEqual(["rude_language"]);
    rmSync(policyFile, { force: true });
  });
});
