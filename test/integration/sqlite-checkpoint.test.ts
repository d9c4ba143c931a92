import { randomUUID } from "node:crypto";
import { rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { openDatabase } from "../../src/storage/db.ts";
import { migrate } from "../../src/storage/migrate.ts";
import { startCheckpointer } from "../../src/storage/sqlite-checkpointer.ts";

const size = (f: string) => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};

it("SQLite: the WAL is copied back into the database by the background checkpointer, not by commits on the event loop", async () => {
  const file = join(tmpdir(), `cs-coach-ckpt-${randomUUID()}.db`);
  await migrate(`file:${file}`);
  const db = openDatabase(`file:${file}`);
  try {
    const before = size(file);
    // ~4 MB of events in small transactions: well past the 1,000 pages at which SQLite would
    // otherwise checkpoint inside a commit.
    const payload = "x".repeat(4000);
    for (let i = 0; i < 1000; i++) {
      await db.sql.transaction((tx) =>
        tx.run(`INSERT INTO "InboxEvent" ("dedupKey", "source", "eventType", "payload", "receivedAt") VALUES (?, ?, ?, ?, ?)`, [`k${i}`, "api", "t", payload, new Date(0)]),
      );
    }
    // The pages reach the main file (a checkpoint ran) without any commit doing it…
    for (let waited = 0; size(file) < before + 3_000_000 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(size(file)).toBeGreaterThan(before + 3_000_000);
    // …and everything written is there.
    expect((await db.sql.get<{ n: number }>(`SELECT count(*) AS "n" FROM "InboxEvent"`))!.n).toBe(1000);
  } finally {
    await db.close();
    for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true });
  }
});

it("SQLite: the hot connection never checkpoints inside its own commits (automatic checkpoints off)", async () => {
  const file = join(tmpdir(), `cs-coach-ckpt-${randomUUID()}.db`);
  await migrate(`file:${file}`);
  const db = openDatabase(`file:${file}`);
  try {
    expect((await db.sql.get<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint"))!.wal_autocheckpoint).toBe(0);
  } finally {
    await db.close();
    for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true });
  }
});

it("SQLite: a checkpointer that cannot run says so, so the connection turns SQLite's own checkpoints back on", async () => {
  const failed = new Promise<unknown>((resolve) => startCheckpointer(join(tmpdir(), randomUUID(), "no-such-dir", "x.db"), resolve));
  expect(String(await failed)).toMatch(/directory does not exist|unable to open|SQLITE_CANTOPEN/i);
});
