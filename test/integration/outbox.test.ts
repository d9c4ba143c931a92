import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOutboxRepo, enqueueOutbox } from "../../src/storage/outbox-repo.ts";
import { RATE_LIMITED, SERVER_ERROR, startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { eventually, startTestApp, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

let fake: FakeLark;
let dbUrl: string;
let drop: () => Promise<void>;
let app: TestApp | undefined;

const larkEnv = () => ({ LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "app-secret-for-tests", LARK_DOMAIN: fake.url });
const start = (workers = true) => startTestApp(dbUrl, larkEnv(), { startWorkers: workers, outboxBackoffMs: { base: 20, max: 80 } });
/** The stored outbox row, read through the storage module on the app's own database. */
const outboxRow = (id: number) => createOutboxRepo(app!.db).get(id);
const card = (title: string) => ({ msg_type: "interactive", content: { schema: "2.0", header: { title: { tag: "plain_text", content: title } }, body: { elements: [] } } });

beforeAll(async () => {
  fake = await startFakeLark();
  const db = testDatabaseUrl();
  dbUrl = db.url;
  drop = db.drop;
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  fake.reset();
});
afterAll(async () => {
  await fake.close();
  await drop();
});

describe("outbox delivery to Lark", () => {
  it("delivers exactly once after a 429 and a 5xx, reusing one idempotency uuid", async () => {
    app = await start();
    fake.fail("create", RATE_LIMITED, SERVER_ERROR);
    const id = await enqueueOutbox(app.db.sql, { kind: "message.create", target: "chat_id:oc_supervisors", payload: card("alert 1") });
    app.workers.kick("outbox");
    const row = await eventually(async () => {
      const r = await outboxRow(id);
      return r?.status === "sent" ? r : null;
    });
    const creates = fake.calls.filter((c) => c.path === "/open-apis/im/v1/messages");
    expect(creates).toHaveLength(3);
    expect(new Set(creates.map((c) => c.body.uuid)).size).toBe(1);
    expect(creates[0]!.query.receive_id_type).toBe("chat_id");
    expect(creates[0]!.body.receive_id).toBe("oc_supervisors");
    expect(JSON.parse(creates[0]!.body.content).header.title.content).toBe("alert 1");
    expect(fake.delivered).toHaveLength(1);
    expect(row).toMatchObject({ attempts: 3, resultMessageId: expect.stringMatching(/^om_fake_/), lastError: null });
  });

  it("loses nothing across a restart between attempts", async () => {
    app = await start(false);
    fake.fail("create", SERVER_ERROR);
    const id = await enqueueOutbox(app.db.sql, { kind: "message.create", target: "chat_id:oc_restart", payload: { msg_type: "text", content: { text: "hello" } } });
    expect(await app.workers.runOnce("outbox")).toBe(1);
    expect(await outboxRow(id)).toMatchObject({ status: "pending", attempts: 1 });
    await app.stop();

    app = await start(true);
    await eventually(async () => (await outboxRow(id))?.status === "sent");
    expect(fake.delivered).toHaveLength(1);
    expect(fake.delivered[0]!.body.receive_id).toBe("oc_restart");
  });

  it("refreshes the tenant token when Lark says it is invalid (99991663)", async () => {
    app = await start();
    await enqueueOutbox(app.db.sql, { kind: "message.create", target: "open_id:ou_a", payload: { msg_type: "text", content: { text: "one" } } });
    app.workers.kick("outbox");
    await eventually(() => fake.delivered.length === 1);
    fake.revokeTokens();
    const id = await enqueueOutbox(app.db.sql, { kind: "message.create", target: "open_id:ou_a", payload: { msg_type: "text", content: { text: "two" } } });
    app.workers.kick("outbox");
    await eventually(async () => (await outboxRow(id))?.status === "sent");
    // The credentials check at start, the first token, and one refresh.
    expect(fake.calls.filter((c) => c.path.endsWith("tenant_access_token/internal"))).toHaveLength(3);
    expect(fake.delivered).toHaveLength(2);
  });

  it("patches a card only after it was created, addressing the created message", async () => {
    app = await start(false);
    const created = await enqueueOutbox(app.db.sql, { kind: "message.create", target: "chat_id:oc_sup", payload: card("v1") });
    const patched = await enqueueOutbox(app.db.sql, { kind: "message.patch", target: "", dependsOnId: created, payload: { content: card("v2").content } });
    fake.fail("create", SERVER_ERROR);
    app.workers.start("outbox");
    await eventually(async () => (await outboxRow(patched))?.status === "sent");
    const createdRow = await outboxRow(created);
    const patch = fake.calls.find((c) => c.method === "PATCH");
    expect(patch?.path).toBe(`/open-apis/im/v1/messages/${createdRow!.resultMessageId}`);
    expect(JSON.parse(patch!.body.content).header.title.content).toBe("v2");
  });

  it("sends ephemeral cards, replies and urgent buzzes to their own endpoints", async () => {
    app = await start();
    const eph = await enqueueOutbox(app.db.sql, { kind: "ephemeral.send", target: "oc_group", payload: { open_id: "ou_agent", card: card("tip").content } });
    const rep = await enqueueOutbox(app.db.sql, { kind: "message.reply", target: "om_original", payload: { msg_type: "text", content: { text: "re" } } });
    const urg = await enqueueOutbox(app.db.sql, { kind: "message.urgent", target: "om_alert", payload: { user_id_list: ["ou_sup"] } });
    app.workers.kick("outbox");
    await eventually(async () => {
      const rows = await Promise.all([eph, rep, urg].map((i) => outboxRow(i)));
      return rows.every((r) => r?.status === "sent");
    });
    const paths = fake.delivered.map((c) => `${c.method} ${c.path}`).sort();
    expect(paths).toEqual(["PATCH /open-apis/im/v1/messages/om_alert/urgent_app", "POST /open-apis/ephemeral/v1/send", "POST /open-apis/im/v1/messages/om_original/reply"]);
    const e = fake.delivered.find((c) => c.path.includes("ephemeral"))!;
    expect(e.body).toMatchObject({ chat_id: "oc_group", open_id: "ou_agent", msg_type: "interactive" });
  });

  it("gives up at once on a request Lark rejects as invalid", async () => {
    app = await start();
    fake.fail("create", { status: 400, body: { code: 230001, msg: "invalid receive_id" } });
    const id = await enqueueOutbox(app.db.sql, { kind: "message.create", target: "chat_id:oc_bad", payload: { msg_type: "text", content: { text: "x" } } });
    app.workers.kick("outbox");
    const row = await eventually(async () => {
      const r = await outboxRow(id);
      return r?.status === "failed" ? r : null;
    });
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/230001/);
    expect(fake.delivered).toHaveLength(0);
  });

  it("never logs the app secret or the tenant token", async () => {
    app = await start();
    fake.fail("create", SERVER_ERROR);
    await enqueueOutbox(app.db.sql, { kind: "message.create", target: "chat_id:oc_log", payload: { msg_type: "text", content: { text: "客户电话 13912345678" } } });
    app.workers.kick("outbox");
    await eventually(() => fake.delivered.length === 1);
    const log = app.logLines.join("\n");
    expect(log).toContain("send failed; will retry");
    expect(log).not.toContain("app-secret-for-tests");
    expect(log).not.toMatch(/t-fake-\d/);
    expect(log).not.toContain("13912345678");
  });
});

describe("dry-run (no Lark credentials)", () => {
  it("records the send as dry_run and sends nothing", async () => {
    app = await startTestApp(dbUrl, {}, { outboxBackoffMs: { base: 20, max: 80 } });
    expect(((await (await fetch(`${app.url}/healthz`)).json()) as { dryRun: boolean }).dryRun).toBe(true);
    const id = await enqueueOutbox(app.db.sql, { kind: "message.create", target: "chat_id:oc_x", payload: { msg_type: "text", content: { text: "hi" } } });
    app.workers.kick("outbox");
    await eventually(async () => (await outboxRow(id))?.status === "dry_run");
    expect(fake.calls).toHaveLength(0);
    expect(app.logLines.some((l) => l.includes("dry-run: would send"))).toBe(true);
  });
});
