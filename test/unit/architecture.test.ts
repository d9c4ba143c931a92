import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The folders of src/ in layers, lowest first. A file may import its own folder and any lower
 * layer, never a higher one or a folder of its own layer: that keeps the folders free of import
 * cycles and says where new code goes (a pure judgement never reaches for the database).
 */
const LAYERS: string[][] = [
  ["shared"],
  ["config", "clients"],
  ["ingest"],
  ["scoring"],
  ["detection"],
  ["engine", "coaching"],
  ["storage"],
  ["actions", "reports"],
  ["eval", "edge", "console"],
  ["processing"],
  ["app"],
  ["cli", "(root)"],
];
/** Packages that talk to a database: only storage/ (and the CLI that runs migrations through it) may import them. */
const DATABASE_PACKAGES = [/^@prisma\//, /^better-sqlite3$/, /^pg$/, /generated\//];

const SRC = resolve(import.meta.dirname, "../../src");
const files: string[] = [];
const walk = (d: string) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) {
      if (f !== "generated") walk(p);
    } else if (p.endsWith(".ts")) files.push(p);
  }
};
walk(SRC);

const folderOf = (p: string) => {
  const parts = relative(SRC, p).split("/");
  return parts.length > 1 ? parts[0]! : "(root)";
};
const layerOf = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));
const importsOf = (file: string) => [...readFileSync(file, "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^"'`]*?from\s+"([^"]+)"/g)].map((m) => m[1]!);

describe("architecture", () => {
  it("every folder of src/ has a layer", () => {
    const folders = new Set(files.map(folderOf));
    expect([...folders].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it("imports only go down the layers (no cycles between folders)", () => {
    const wrong: string[] = [];
    for (const f of files) {
      const from = folderOf(f);
      for (const spec of importsOf(f)) {
        if (!spec.startsWith(".")) continue;
        const to = folderOf(resolve(dirname(f), spec));
        if (to === from || to === "generated") continue;
        if (layerOf(to) >= layerOf(from)) wrong.push(`${relative(SRC, f)} → ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("only storage/ talks to the database: no SQL and no ORM calls anywhere else", () => {
    const talks = /\.prisma\b|\b(?:tx|sql|q)\.(?:get|all|run)\(|`\s*(?:SELECT|INSERT|UPDATE|DELETE|SAVEPOINT)\b|"(?:SAVEPOINT|BEGIN|COMMIT)\b/;
    const wrong = files.filter((f) => folderOf(f) !== "storage" && talks.test(readFileSync(f, "utf8"))).map((f) => relative(SRC, f));
    expect(wrong).toEqual([]);
  });

  it("only storage/ imports a database client", () => {
    const wrong: string[] = [];
    for (const f of files) {
      if (folderOf(f) === "storage") continue;
      for (const spec of importsOf(f)) if (DATABASE_PACKAGES.some((p) => p.test(spec))) wrong.push(`${relative(SRC, f)} → ${spec}`);
    }
    expect(wrong).toEqual([]);
  });
});
