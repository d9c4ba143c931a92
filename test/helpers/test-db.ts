import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A fresh, empty database per call: a SQLite file under the temp dir, or — when
 * TEST_DATABASE_URL is a PostgreSQL URL (CI runs the suite both ways) — a new schema in it.
 */
export function testDatabaseUrl(): { url: string; drop: () => Promise<void> } {
  const base = process.env.TEST_DATABASE_URL;
  if (base && /^postgres(ql)?:\/\//.test(base)) {
    const schema = `t_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
    const u = new URL(base);
    u.searchParams.set("schema", schema);
    return {
      url: u.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      },
    };
  }
  const file = join(tmpdir(), `cs-coach-test-${randomUUID()}.db`);
  return {
    url: `file:${file}`,
    drop: async () => {
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
    },
  };
}
