import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/storage/db.ts";
import { createInboxRepo } from "../../src/storage/inbox-repo.ts";
import { migrate } from "../../src/storage/migrate.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

let db: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  const t = testDatabaseUrl();
  drop = t.drop;
  await migrate(t.url);
  db = openDatabase(t.url);
});
afterAll(async () => {
  await db.close();
  await drop();
});

it("an event recorded while another request's transaction is open survives that transaction's rollback", async () => {
  const inbox = createInboxRepo(db);
  let accepted: Promise<boolean> | undefined;
  await db.prisma
    .$transaction(async (tx) => {
      await tx.session.create({ data: { id: "s-rolled-back", channel: "api", externalKey: "k", openedAt: new Date(), lastMessageAt: new Date() } });
      accepted = inbox.accept({ dedupKey: "iso-1", source: "api", eventType: "t", payload: "{}" });
      await new Promise((r) => setTimeout(r, 20));
      throw new Error("roll back");
    })
    .catch(() => {});
  expect(await accepted).toBe(true);
  expect(await db.prisma.inboxEvent.count({ where: { dedupKey: "iso-1" } })).toBe(1);
  expect(await db.prisma.session.count({ where: { id: "s-rolled-back" } })).toBe(0);
});

it("migrations are idempotent: a second run applies nothing", async () => {
  expect(await migrate(db.url)).toEqual([]);
});
