import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The child shares this process's clock: under libfaketime (CI runs the suite at other times of
 * day) the preload and its settings pass on, as they would to any child of a shell.
 */
const clockEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k === "LD_PRELOAD" || k.startsWith("FAKETIME")));

/**
 * Runs `src/main.ts` in its own process, as `npm start` does: benchmarks keep the load generator
 * off its event loop, fault tests kill it.
 */
export async function startServerProcess(
  env: Record<string, string>,
  entry = join(ROOT, "src", "main.ts"),
): Promise<{ url: string; proc: ChildProcess; stop: () => Promise<void>; kill9: () => Promise<void> }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...(process.env.PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : []), "--import", "tsx", entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...clockEnv(), HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // stdout carries the dry-run print of every card as well as the JSON log: pass on the log only.
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    if (line.startsWith('{"time"')) process.stderr.write(`${line}\n`);
  });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - started > 30_000) throw new Error("server did not start within 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
    /** No shutdown hook runs: in-flight requests, transactions and sends are cut where they are. */
    kill9: () =>
      new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGKILL");
      }),
  };
}
