// Config for the Prisma CLI only (migration diffs): use the WebAssembly schema engine through a
// driver adapter, since native engines cannot be downloaded here. The app never reads this file.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "schema.prisma",
  async adapter() {
    return new PrismaBetterSQLite3({ url: ":memory:" });
  },
});
