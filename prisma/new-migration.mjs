// npm run db:new-migration -- <name>
// Writes prisma/migrations/{sqlite,postgres}/NNNN_<name>.sql: the difference between the schema
// as of the last migration (migrations/schema.snapshot.prisma) and schema.prisma, for each
// provider, then moves the snapshot forward. Review both files before committing them.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliEnv, derivePostgresSchema } from "./generate.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_");
if (!name) {
  console.error("usage: npm run db:new-migration -- <name>");
  process.exit(2);
}
const migrations = join(here, "migrations");
const snapshot = join(migrations, "schema.snapshot.prisma");
const schema = join(here, "schema.prisma");
const prisma = join(here, "..", "node_modules", ".bin", "prisma");
const tmp = join(here, "generated");
mkdirSync(tmp, { recursive: true });

function diff(fromFile, toFile) {
  const from = fromFile ? ["--from-schema-datamodel", fromFile] : ["--from-empty"];
  return execFileSync(prisma, ["migrate", "diff", "--config", join(here, "prisma.config.ts"), ...from, "--to-schema-datamodel", toFile, "--script"], {
    env: cliEnv,
    encoding: "utf8",
  });
}

const next = String(readdirSync(join(migrations, "sqlite"), { withFileTypes: true }).filter((f) => f.name.endsWith(".sql")).length + 1).padStart(4, "0");
for (const [provider, derive] of [
  ["sqlite", (t) => t],
  ["postgres", derivePostgresSchema],
]) {
  const to = join(tmp, `to.${provider}.prisma`);
  writeFileSync(to, derive(readFileSync(schema, "utf8")));
  let from;
  if (existsSync(snapshot)) {
    from = join(tmp, `from.${provider}.prisma`);
    writeFileSync(from, derive(readFileSync(snapshot, "utf8")));
  }
  const sql = diff(from, to);
  if (!/CREATE|ALTER|DROP/i.test(sql)) {
    console.log(`${provider}: no changes`);
    continue;
  }
  const out = join(migrations, provider, `${next}_${name}.sql`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, sql);
  console.log(`wrote ${out}`);
}
copyFileSync(schema, snapshot);
