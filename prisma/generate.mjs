// Generates one Prisma client per provider from the single schema.prisma.
// The datasource provider is fixed per generated client, so the PostgreSQL twin is derived
// here (never hand-edited) and both clients expose the same models.
// The env vars point the CLI at an existing file so it skips downloading native engines
// (unreachable here); the generated "client" engine is WebAssembly and needs none at run time.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sqliteSchema = join(here, "schema.prisma");
const pgSchema = join(here, "generated", "postgres.prisma");

export function derivePostgresSchema(text) {
  return text
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('url      = "file:./unused.db"', 'url      = "postgresql://unused@localhost/unused"')
    .replace('output     = "../src/generated/sqlite"', 'output     = "../../src/generated/postgres"');
}

export const cliEnv = {
  ...process.env,
  PRISMA_QUERY_ENGINE_LIBRARY: "/bin/true",
  PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};

export function writePostgresSchema() {
  mkdirSync(dirname(pgSchema), { recursive: true });
  const derived = derivePostgresSchema(readFileSync(sqliteSchema, "utf8"));
  if (!derived.includes('"postgresql"') || !derived.includes("src/generated/postgres")) {
    throw new Error("prisma/generate.mjs: could not derive the PostgreSQL schema; update derivePostgresSchema()");
  }
  writeFileSync(pgSchema, derived);
  return pgSchema;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const prisma = join(here, "..", "node_modules", ".bin", "prisma");
  for (const schema of [sqliteSchema, writePostgresSchema()]) {
    execFileSync(prisma, ["generate", "--schema", schema], { stdio: "inherit", env: cliEnv });
  }
}
