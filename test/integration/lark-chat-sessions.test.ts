import { afterAll, beforeAll, expect, it } from "vitest";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, startTestApp, TEST_ENCRYPT_KEY, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

let app: TestApp;
let drop: () => Promise<void>;

beforeAll(async () => {
  const db = testDatabaseUrl();
  drop = db.drop;
  app = await startTestApp(db.url, { SESSION_IDLE_MINUTES: "30" });
});
afterAll(async () => {
  await app.stop();
  await drop();
});

it("a Lark chat idle past SESSION_IDLE_MINUTES starts a new session; the old one is closed", async () => {
  const chatId = "oc_idle_chat";
  const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
  const times = [t0, t0 + 60_000, t0 + 2 * 3600_000];
  for (const createTime of times) {
    const req = larkRequest(imMessageEvent({ chatId, createTime, text: "hi" }), { encryptKey: TEST_ENCRYPT_KEY });
    expect((await fetch(`${app.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers })).status).toBe(200);
  }
  await eventually(async () => (await app.db.prisma.message.count()) === 3);
  const sessions = await app.db.prisma.session.findMany({ where: { externalKey: chatId }, orderBy: { openedAt: "asc" } });
  expect(sessions.map((s) => [s.status, s.messageCount, s.closeReason])).toEqual([
    ["closed", 2, "idle"],
    ["open", 1, null],
  ]);
  expect(sessions[0]!.closedAt?.getTime()).toBe(times[1]);
});
