import { readFileSync } from "node:fs";
import type { z } from "zod";

/** Reads a JSON-lines file, validating each line; a bad line stops with its number and reason. */
export function readJsonl<T>(path: string, schema: z.ZodType<T>): T[] {
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${path}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const r = schema.safeParse(value);
    if (!r.success) throw new Error(`${path}:${i + 1}: ${r.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
    out.push(r.data);
  });
  return out;
}

/** A progress bar on stderr, only for a terminal and only for long runs. */
export function progress(total: number, label: string) {
  const tty = process.stderr.isTTY && total >= 2000;
  let last = 0;
  return {
    tick(done: number) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
      if (done >= total) process.stderr.write("\n");
    },
  };
}
