import { expect, it } from "vitest";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, useTestApp, TEST_ENCRYPT_KEY } from "../helpers/start-test-app.ts";

const ctx = useTestApp({ SESSION_IDLE_MINUTES: "30" });

it("a Lark chat idle past SESSION_IDLE_MINUTES starts a new session; the old one is closed", async () => {
  const chatId = "oc_idle_chat";
  const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
  const times = [t0, t0 + 60_000, t0 + 2 * 3600_000];
  for (const createTime of times) {
    const req = larkRequest(imMessageEvent({ chatId, createTime, text: "hi" }), { encryptKey: TEST_ENCRYPT_KEY });
    expect((await fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: req.body, headers: req.headers })).status).toBe(200);
  }
  await eventually(async () => (await ctx.app.db.prisma.message.count()) === 3);
  const sessions = await ctx.app.db.prisma.session.findMany({ where: { externalKey: chatId }, orderBy: { openedAt: "asc" } });
  expect(sessions.map((s) => [s.status, s.messageCount, s.closeReason])).toEqual([
    ["closed", 2, "idle"],
    ["open", 1, null],
  ]);
  expect(sessions[0]!.closedAt?.getTime()).toBe(times[1]);
});
