import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { eventually, startTestApp, TEST_INGEST_TOKEN, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

const SUPERVISORS = "oc_storm_supervisors";
let fake: FakeLark;
let app: TestApp;
let drop: () => Promise<void>;

beforeAll(async () => {
  fake = await startFakeLark();
  const db = testDatabaseUrl();
  drop = db.drop;
  app = await startTestApp(db.url, {
    LARK_APP_ID: "cli_a1b2c3d4e5f60718",
    LARK_APP_SECRET: "storm-secret",
    LARK_DOMAIN: fake.url,
    SUPERVISOR_CHAT_ID: SUPERVISORS,
    SUPERVISOR_OPEN_IDS: "ou_storm_sup",
    // Lark's own pace for one chat: what makes a storm a problem.
    LARK_PER_TARGET_QPS: "5",
    UI_LANG: "en",
  });
});
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await drop?.();
});

const ingest = (body: unknown) =>
  fetch(`${app.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` }, body: JSON.stringify(body) });

/** The card content Lark was last given for the digest: its create, then each patch of it. */
function latestDigest(): string | undefined {
  const isDigest = (content: unknown) => typeof content === "string" && content.includes("Alert digest");
  const texts = fake.delivered.filter((c) => c.path.startsWith("/open-apis/im/v1/messages") && isDigest(c.body?.content)).map((c) => c.body.content as string);
  return texts.at(-1);
}

describe("alert storm", () => {
  it("30 sessions turning critical together: one live digest names every one and says they share a cause; patches do not queue", async () => {
    const ts = Math.floor(Date.now() / 1000) - 30;
    const sessions = Array.from({ length: 30 }, (_, i) => `storm-${i}`);
    const res = await ingest(
      sessions.map((s) => ({
        sessionId: s,
        messageId: `${s}-1`,
        role: "customer",
        senderId: `cust-${s}`,
        text: "快递一个星期了还没到，物流一直不动，再不处理我就打12315投诉你们！",
        ts,
        meta: { carrier: "SF Express" },
      })),
    );
    expect(res.status).toBe(202);
    const digest = await eventually(() => {
      const d = latestDigest();
      return d && sessions.every((s) => d.includes(s)) ? d : undefined;
    }, "a digest naming all 30 sessions");
    expect(digest).toContain("30 sessions need attention");
    expect(digest).toContain("Incident: 30 customers in 1 min: logistics, carrier SF Express");
    // Every session still gets its own card (at Lark's pace, behind the digest).
    await eventually(
      () =>
        sessions.every((s) =>
          fake.delivered.some(
            (c) => c.path === "/open-apis/im/v1/messages" && c.body?.receive_id === SUPERVISORS && String(c.body?.content).includes(`${s}`) && !String(c.body?.content).includes("Alert digest"),
          ),
        ),
      "each session's own card",
      20_000,
    );
    // The digest was patched far fewer times than sessions joined: a waiting patch takes the newest state.
    const patches = fake.delivered.filter((c) => c.method === "PATCH" && String(c.body?.content).includes("Alert digest"));
    expect(patches.length).toBeLessThan(sessions.length - 4);
    expect(await app.db.prisma.alertDigest.count()).toBe(1);
  });

  it("a lone alert is no storm: its own card, no digest", async () => {
    const before = await app.db.prisma.alertDigest.findFirstOrThrow();
    // Long after the storm (its window has passed): one more session alone.
    const ts = Math.floor(Date.now() / 1000) + 5 * 60;
    expect((await ingest({ sessionId: "calm-1", messageId: "calm-1-1", role: "customer", senderId: "cust-calm", text: "再不处理我就打12315投诉你们！", ts })).status).toBe(202);
    await eventually(() => fake.delivered.some((c) => c.path === "/open-apis/im/v1/messages" && String(c.body?.content).includes("calm-1")), "its own card");
    const after = await app.db.prisma.alertDigest.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(after.id).toBe(before.id);
    expect(JSON.parse(after.alertIds)).toHaveLength(30);
  });
});
