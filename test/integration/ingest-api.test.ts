import { describe, expect, it } from "vitest";
import { eventually, readJson, useTestApp, TEST_INGEST_TOKEN } from "../helpers/start-test-app.ts";
import { testClock } from "../fakes/test-clock.ts";

/** The app's clock, at a fixed instant of the test's choosing (never the machine's date). */
const clock = testClock(Date.UTC(2026, 10, 20, 2, 0, 0));
const ctx = useTestApp({ SESSION_IDLE_MINUTES: "30" }, { clock });

let seq = 0;
const uid = (p: string) => `${p}-${Date.now().toString(36)}-${++seq}`;

const auth = { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" };
const postMessages = (body: unknown, headers: Record<string, string> = auth) =>
  fetch(`${ctx.app.url}/v1/messages`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
const get = (path: string, headers: Record<string, string> = auth) => fetch(`${ctx.app.url}${path}`, { headers });

const msg = (sessionId: string, over: Record<string, unknown> = {}) => ({
  sessionId,
  messageId: uid("m"),
  role: "customer",
  senderId: "cust-1",
  text: "where is my parcel?",
  ts: Math.floor(clock.now() / 1000),
  channel: "shop-web",
  ...over,
});

describe("POST /v1/messages", () => {
  it("refuses a missing or wrong bearer token with 401 and stores nothing", async () => {
    const s = uid("s");
    expect((await postMessages(msg(s), { "content-type": "application/json" })).status).toBe(401);
    expect((await postMessages(msg(s), { ...auth, authorization: "Bearer wrong" })).status).toBe(401);
    expect(await ctx.app.db.prisma.inboxEvent.count({ where: { payload: { contains: s } } })).toBe(0);
  });

  it("answers 400 with every reason for an invalid message, and stores none of the batch", async () => {
    const s = uid("s");
    const res = await postMessages([msg(s), { ...msg(s), role: "robot", ts: "yesterday" }]);
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.error).toBe("malformed_body");
    const paths = body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["1.role", "1.ts"]));
    expect(await ctx.app.db.prisma.inboxEvent.count({ where: { payload: { contains: s } } })).toBe(0);
  });

  it("refuses times before 2000 or in the future and empty texts, with the reason; a missing ts is the time received", async () => {
    const s = uid("s");
    const now = Math.floor(clock.now() / 1000);
    const res = await postMessages([
      msg(s, { ts: now + 3 * 365 * 86400 }), // years ahead
      msg(s, { ts: "1999-12-31T23:00:00Z" }),
      msg(s, { ts: 1e300 }),
      msg(s, { text: "   " }),
    ]);
    expect(res.status).toBe(400);
    const body = await readJson(res);
    const byPath = Object.fromEntries(body.details.map((d: { path: string; message: string }) => [d.path, d.message]));
    expect(Object.keys(byPath).sort()).toEqual(["0.ts", "1.ts", "2.ts", "3.text"]);
    expect(byPath["0.ts"]).toMatch(/between 2000-01-01 and now .*leave it out/);
    expect(byPath["3.text"]).toMatch(/must not be empty/);
    expect(await ctx.app.db.prisma.inboxEvent.count({ where: { payload: { contains: s } } })).toBe(0);

    const ok = await postMessages({ sessionId: s, messageId: uid("m"), role: "customer", senderId: "c-now", text: "还在吗" });
    expect(ok.status).toBe(202);
    const stored = await eventually(() => ctx.app.db.prisma.message.findFirst({ where: { session: { externalKey: s } } }), "stored");
    expect(Math.abs(stored.sentAt.getTime() - clock.now())).toBeLessThan(60_000);
  });

  it("GET /v1/sessions?since= names the forms it accepts", async () => {
    for (const bad of ["yesterday", "99999999999999999999", "2026-13-45"]) {
      const res = await get(`/v1/sessions?since=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(JSON.stringify(await readJson(res))).toMatch(/ISO-8601 time with an offset .* or unix milliseconds/);
    }
    expect((await get(`/v1/sessions?since=${clock.now() - 3600_000}`)).status).toBe(200);
    expect((await get(`/v1/sessions?since=2026-11-20T09:00:00%2B08:00`)).status).toBe(200);
  });

  it("accepts a batch, is idempotent on messageId, and keeps the conversation in order", async () => {
    const s = uid("s");
    const t0 = 1_763_900_000;
    const batch = [
      msg(s, { text: "我买的衣服尺码不对，能换吗？", ts: t0, lang: "zh" }),
      msg(s, { role: "agent", senderId: "agent-7", senderName: "小王", text: "亲，您好，可以换的", ts: t0 + 8 }),
      msg(s, { text: "怎么换？", ts: (t0 + 30) * 1000 }), // milliseconds are accepted too
    ];
    const first = await postMessages({ messages: batch });
    expect(first.status).toBe(202);
    expect(await readJson(first)).toMatchObject({ accepted: 3, duplicates: 0 });
    const again = await postMessages(batch[1]);
    expect(await readJson(again)).toMatchObject({ accepted: 0, duplicates: 1, results: [{ messageId: batch[1]!.messageId, status: "duplicate" }] });

    const session = await eventually(async () => {
      const r = await get(`/v1/sessions/${s}`);
      const b = r.status === 200 ? await readJson(r) : null;
      return b?.session?.messages?.length === 3 ? b.session : null;
    });
    expect(session.messages.map((m: { role: string; text: string }) => m.role)).toEqual(["customer", "agent", "customer"]);
    expect(session.messages[1].participant).toMatchObject({ externalId: "agent-7", name: "小王", role: "agent" });
    expect(session).toMatchObject({ channel: "api", externalKey: s, messageCount: 3, status: "open" });
    expect(new Date(session.messages[2].sentAt).getTime()).toBe((t0 + 30) * 1000);

    // The same session by our own id, and in the list.
    const byId = await readJson(await get(`/v1/sessions/${session.id}`));
    expect(byId.session.id).toBe(session.id);
    const list = await readJson(await get(`/v1/sessions?since=${new Date((t0 - 60) * 1000).toISOString()}`));
    expect(list.sessions.map((x: { id: string }) => x.id)).toContain(session.id);
  });

  it("reopens a platform-named session after idleness instead of splitting it", async () => {
    const s = uid("s");
    const t0 = 1_763_000_000;
    await postMessages([msg(s, { ts: t0 }), msg(s, { ts: t0 + 3 * 3600 })]);
    await eventually(async () => (await ctx.app.db.prisma.message.count({ where: { session: { externalKey: s } } })) === 2);
    expect(await ctx.app.db.prisma.session.count({ where: { externalKey: s } })).toBe(1);
  });

  it("refuses bad JSON, wrong content type and a bad query with clear 4xx", async () => {
    const bad = await postMessages("{oops");
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).message).toMatch(/not valid JSON/);
    expect((await postMessages("x", { ...auth, "content-type": "text/plain" })).status).toBe(415);
    expect((await get("/v1/sessions?limit=0")).status).toBe(400);
    expect((await get("/v1/sessions/does-not-exist")).status).toBe(404);
  });
});

describe("health", () => {
  it("reports the database as reachable", async () => {
    const res = await get("/healthz", {});
    expect(res.status).toBe(200);
    expect(await readJson(res)).toMatchObject({ status: "ok", db: "ok", dryRun: true });
  });
});
