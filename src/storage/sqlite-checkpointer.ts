import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * SQLite's WAL is copied back into the database file by a checkpoint, which by default runs
 * inside whichever commit crosses 1,000 pages: that commit then takes milliseconds (a disk
 * flush included) on the event loop — about two thirds of a commit's cost under load. Here a
 * worker thread with its own connection does it instead, every `everyMs`; a PASSIVE checkpoint
 * never blocks the writer, and the writer's own connection has automatic checkpoints off.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Sqlite = require(workerData.driver);
const db = new Sqlite(workerData.path);
db.pragma("busy_timeout = 1000");
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or closing: the next tick tries again.
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** `onFailure`: the worker could not run (or died); the caller turns SQLite's own checkpoints back on. */
export function startCheckpointer(path: string, onFailure: (e: unknown) => void, everyMs = 500): Checkpointer {
  const worker = new Worker(WORKER, { eval: true, workerData: { path, everyMs, driver: createRequire(import.meta.url).resolve("better-sqlite3") } });
  // It never keeps the process alive.
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("error", (e) => {
    if (!stopping) onFailure(e);
  });
  return {
    stop: async () => {
      stopping = true;
      worker.postMessage("stop");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
    },
  };
}
