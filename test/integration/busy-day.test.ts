import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { zonedTime } from "../../src/reports/time-zone.ts";
import { testClock } from "../fakes/test-clock.ts";
import { turnsDuring } from "../helpers/event-loop.ts";
import { dryRunCookie } from "../helpers/console-client.ts";
import { useTestApp } from "../helpers/start-test-app.ts";

// 15:00 in Shanghai on a fixed day: the day's sessions were written between 08:00 and 14:59.
const DAY = "2026-11-20";
const TZ = "Asia/Shanghai";
const clock = testClock(zonedTime(DAY, "15:00", TZ).getTime());
const ctx = useTestApp({ TZ }, { clock, startWorkers: false });

const N = 4_500;
const PER_SESSION = 4;

/** A busy day written straight into the database (what thousands of processed chats leave behind). */
async function seedBusyDay() {
  const db = ctx.app.db.sql;
  const agents = Array.from({ length: 30 }, (_, i) => ({ id: randomUUID(), externalId: `ou_busy_agent_${i}` }));
  const customer = randomUUID();
  await db.transaction(async (tx) => {
    for (const a of agents)
      await tx.run(`INSERT INTO "Participant" ("id", "platform", "externalId", "role", "name", "createdAt") VALUES (?, 'api', ?, 'agent', ?, ?)`, [a.id, a.externalId, a.externalId, new Date(0)]);
    await tx.run(`INSERT INTO "Participant" ("id", "platform", "externalId", "role", "createdAt") VALUES (?, 'api', 'busy-customer', 'customer', ?)`, [customer, new Date(0)]);
    for (let i = 0; i < N; i++) {
      const id = randomUUID();
      const opened = zonedTime(DAY, `${String(8 + (i % 7)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}`, TZ);
      const unhappy = i % 3 === 0;
      await tx.run(
        `INSERT INTO "Session" ("id", "channel", "externalKey", "status", "openedAt", "lastMessageAt", "messageCount", "agentId", "customerId", "qaScore", "valenceAvg", "valenceMin", "firstResponseSecs") VALUES (?, 'api', ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, `busy-${i}`, opened, opened, PER_SESSION, agents[i % agents.length]!.id, customer, 80, unhappy ? -0.6 : 0.1, unhappy ? -0.8 : 0, 30],
      );
      for (let k = 0; k < PER_SESSION; k++) {
        const mid = randomUUID();
        const role = k % 2 ? "agent" : "customer";
        const text = role === "agent" ? "您好，正在为您查询" : unhappy ? "快递一直不到，物流太慢了" : "请问什么时候发货";
        await tx.run(
          `INSERT INTO "Message" ("id", "sessionId", "participantId", "role", "source", "externalId", "msgType", "text", "raw", "sentAt", "receivedAt") VALUES (?, ?, ?, ?, 'api', ?, 'text', ?, '{}', ?, ?)`,
          [mid, id, role === "agent" ? agents[i % agents.length]!.id : customer, role, `busy-${i}-${k}`, text, new Date(opened.getTime() + k * 1000), new Date(opened.getTime() + k * 1000)],
        );
        if (role === "customer")
          await tx.run(`INSERT INTO "MessageScore" ("messageId", "sessionId", "lang", "valence", "intensity", "category", "evidence", "createdAt") VALUES (?, ?, 'zh', ?, 0.5, ?, '[]', ?)`, [
            mid,
            id,
            unhappy ? -0.8 : 0.1,
            unhappy ? "frustration" : "neutral",
            opened,
          ]);
      }
      if (i % 10 === 0)
        await tx.run(`INSERT INTO "RuleHit" ("sessionId", "ruleId", "kind", "severity", "evidence", "at") VALUES (?, 'apology.after_negative', 'missing_apology', 'medium', '[]', ?)`, [id, opened]);
    }
  });
}

describe("Team today on a busy day", () => {
  it("with 4,500 open sessions it shows the day's numbers from database aggregates, letting the loop turn meanwhile", async () => {
    await seedBusyDay();
    const cookie = await dryRunCookie(ctx.app.url);
    const page = await turnsDuring(async () => {
      const res = await fetch(`${ctx.app.url}/console/team`, { headers: { cookie } });
      return { status: res.status, html: await res.text() };
    });
    expect(page.value.status).toBe(200);
    const row = (label: RegExp) => new RegExp(`<tr><td>${label.source}</td><td class="num">([^<]+)</td>`).exec(page.value.html)?.[1];
    // The metrics table: today's sessions, and the share of sessions whose customer was unhappy.
    expect(page.value.html).toContain(`<td class="num">${N}</td>`);
    expect(row(/负面情绪占比/)).toBe(`${Math.round((Math.ceil(N / 3) / N) * 1000) / 10}%`);
    // The hourly chart: every message in its Shanghai hour (08:00–14:59), none elsewhere.
    const chart = JSON.parse(/<script type="application\/json" id="hourly-data">(.*?)<\/script>/.exec(page.value.html)![1]!.replace(/\\u003c/g, "<"));
    expect(chart.today.reduce((a: number, b: number) => a + b, 0)).toBe(N * PER_SESSION);
    expect(chart.today.slice(0, 8).every((x: number) => x === 0)).toBe(true);
    expect(chart.today[8]).toBeGreaterThan(0);
    expect(chart.today.slice(15).every((x: number) => x === 0)).toBe(true);
    // The complaint texts of 1,500 unhappy sessions were read in rounds with the loop turning between them.
    expect(page.turns).toBeGreaterThanOrEqual(Math.ceil(N / 3 / 200) - 1);
    // Agents ranked with their most-broken rule.
    expect(page.value.html).toContain("ou_busy_agent_0");
  });
});
