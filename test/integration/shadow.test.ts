import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY_PATH } from "../../src/scoring/compliance/policy-schema.ts";
import { eventually, readJson, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const run = promisify(execFile);
const ctx = useTestApp({ SESSION_IDLE_MINUTES: "30" });
const auth = { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" };

async function conversation(sessionId: string, turns: Array<[role: "customer" | "agent", text: string, seconds: number]>) {
  const t0 = 1_780_000_000; // a fixed instant: the shadow replay reads the stored times only
  const messages = turns.map(([role, text, s], i) => ({ sessionId, messageId: `${sessionId}-${i}`, role, senderId: `${role}-1`, text, ts: t0 + s }));
  const res = await fetch(`${ctx.app.url}/v1/messages`, { method: "POST", headers: auth, body: JSON.stringify({ messages }) });
  expect(res.status).toBe(202);
  await eventually(async () => {
    const body = await readJson(await fetch(`${ctx.app.url}/v1/sessions/${sessionId}`, { headers: auth }));
    return body.session?.messages?.length === turns.length && body.session.messages.every((m: { score: unknown }) => m.score);
  }, `session ${sessionId} scored`);
}

describe("eval shadow: a changed policy tried on stored sessions before it goes live", () => {
  it("prints, per rule, the hits a candidate adds and removes with examples, and what happens to alerts, hints and QA", async () => {
    await conversation("shadow-calm", [
      ["customer", "请问这件外套有XL码吗", 0],
      ["agent", "亲，有的，XL码有货哦", 5],
      ["customer", "好的", 20],
      ["agent", "还有其他问题吗？", 25],
    ]);
    await conversation("shadow-late", [
      ["customer", "快递五天了还没到，到底怎么回事！", 0],
      ["agent", "已经发出了，请耐心等待", 6],
      ["customer", "好吧", 30],
      ["agent", "还有其他问题吗？", 35],
    ]);

    // The candidate: the greeting rule switched off, and a new rule of the team's own.
    const policy = JSON.parse(readFileSync(DEFAULT_POLICY_PATH, "utf8"));
    policy.rules = policy.rules.map((r: { id: string; enabled?: boolean }) => (r.id === "greeting.first_reply" ? { ...r, enabled: false } : r));
    policy.rules.push({
      id: "team.no_just_wait",
      kind: "brush_off",
      description: { zh: "不要只让顾客等待", en: "Never just tell the customer to wait" },
      severity: "medium",
      check: { type: "phrases", phrases: { zh: ["请耐心等待"], en: ["please be patient"] } },
    });
    const file = join(tmpdir(), `cs-coach-candidate-${process.pid}-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(policy));
    try {
      const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli/eval.ts", "shadow", "--policy", file, "--db", ctx.app.config.database.url, "--json"], {
        env: { PATH: process.env.PATH, NODE_ENV: "test", TZ: process.env.TZ },
        timeout: 60_000,
      });
      const lines = stdout.trim().split("\n");
      const r = JSON.parse(lines[lines.length - 1]!);
      expect(r.sessions).toBe(2);
      const byId = Object.fromEntries(r.rules.map((x: { ruleId: string }) => [x.ruleId, x]));

      // The new rule would fire once, on the agent's reply in the late-parcel chat.
      expect(byId["team.no_just_wait"]).toMatchObject({ current: 0, candidate: 1, added: 1, removed: 0 });
      expect(byId["team.no_just_wait"].examples.added[0]).toMatchObject({ session: "shadow-late", index: 1, text: "已经发出了，请耐心等待" });
      // The greeting rule's hits now would all go: the late chat's agent never greeted.
      expect(byId["greeting.first_reply"]).toMatchObject({ removed: 1, candidate: 0 });
      expect(byId["greeting.first_reply"].examples.removed[0].session).toBe("shadow-late");
      // Unchanged rules report no change.
      expect(byId["apology.after_negative"]).toMatchObject({ added: 0, removed: 0 });
      expect(byId["apology.after_negative"].current).toBeGreaterThan(0);

      // QA moves for the late chat only (a medium hit replaces a low one), and the printout says so.
      expect(r.qa.sessionsChanged).toBe(1);
      expect(r.qa.biggest[0].session).toBe("shadow-late");
      expect(r.qa.candidateMean).not.toBe(r.qa.currentMean);
      expect(typeof r.alerts.current).toBe("number");
      expect(r.hints.candidate).toBeGreaterThanOrEqual(r.hints.current);
      expect(stdout).toContain("team.no_just_wait");
      expect(stdout).toMatch(/\+ shadow-late #1: 已经发出了，请耐心等待/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
