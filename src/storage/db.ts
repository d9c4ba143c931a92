import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.ts";
import { PrismaClient as PostgresClient } from "../generated/postgres/client.ts";
import { lockedAdapterFactory } from "./locked-adapter.ts";
import { createLock, openPostgresSql, openSqliteSql, type SqlDatabase } from "./sql.ts";

/**
 * The models are identical for both providers (one schema, two generated clients), so the
 * SQLite client's type stands for both; only this file knows there are two.
 */
export type Db = SqliteClient;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type Provider = "sqlite" | "postgresql";

export interface Database {
  prisma: Db;
  provider: Provider;
  url: string;
  /** The hot path's own connection: plain SQL on prepared statements (see sql.ts). */
  sql: SqlDatabase;
  close(): Promise<void>;
}

export function sqlitePath(url: string): string {
  return resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
}

/** PostgreSQL URLs may carry ?schema=name (tests use one schema per run). */
export function pgSchemaOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get("schema") ?? undefined;
  } catch {
    return undefined;
  }
}

/** Both connections, closed together. */
const database = (prisma: Db, provider: Provider, url: string, sql: SqlDatabase): Database => ({
  prisma,
  provider,
  url,
  sql,
  close: async () => {
    await prisma.$disconnect();
    await sql.close();
  },
});

export function openDatabase(url: string): Database {
  if (url.startsWith("file:")) {
    const path = sqlitePath(url);
    mkdirSync(dirname(path), { recursive: true });
    // One lock for both connections to the file: Prisma's (cold paths) and ours (the hot path).
    const lock = createLock();
    // Integer milliseconds compare and sort like the numbers they are, in raw SQL too.
    const prisma = new SqliteClient({ adapter: lockedAdapterFactory(new PrismaBetterSQLite3({ url: `file:${path}` }, { timestampFormat: "unixepoch-ms" }), lock) });
    const sql = openSqliteSql(path, lock);
    return database(prisma, "sqlite", url, sql);
  }
  const schema = pgSchemaOf(url);
  const clean = new URL(url);
  clean.searchParams.delete("schema");
  // The adapter's schema option qualifies model queries; search_path covers our raw statements too.
  const adapter = new PrismaPg({ connectionString: clean.toString(), max: 10, ...(schema ? { options: `-c search_path="${schema.replace(/"/g, "")}"` } : {}) }, schema ? { schema } : undefined);
  const prisma = new PostgresClient({ adapter });
  const sql = openPostgresSql(clean.toString(), schema);
  return database(prisma as unknown as Db, "postgresql", url, sql);
}

/**
 * Runs several reads against one consistent snapshot. A nested Prisma read is several
 * statements; on PostgreSQL's default isolation each sees its own snapshot, so a session row and
 * its messages could disagree while a write commits in between. (SQLite transactions are
 * already serial.)
 */
export function readSnapshot<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // The SQLite client's types know only "Serializable"; the PostgreSQL client takes this level.
  const run = db.prisma.$transaction as unknown as (f: typeof fn, o?: { isolationLevel: string }) => Promise<T>;
  return run.call(db.prisma, fn, db.provider === "postgresql" ? { isolationLevel: "RepeatableRead" } : undefined);
}
