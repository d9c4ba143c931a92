import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "../../src/config/env.ts";
import { createMemoryLogger } from "../../src/shared/logger.ts";
import { startCsCoach, type StartOverrides } from "../../src/app/start.ts";
import { TEST_VERIFICATION_TOKEN } from "./lark-events.ts";
import { testDatabaseUrl } from "./test-db.ts";

export { TEST_VERIFICATION_TOKEN };

export const TEST_ENCRYPT_KEY = "test-encrypt-key-4f1c";
export const TEST_INGEST_TOKEN = "test-ingest-token-77c1";
export const AGENT_OPEN_ID = "ou_agent_0001";

/** Starts the real app on a free loopback port with a test configuration and an in-memory log. */
export async function startTestApp(databaseUrl: string, env: Record<string, string | undefined> = {}, overrides: StartOverrides = {}) {
  const log = createMemoryLogger("debug");
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    LARK_ENCRYPT_KEY: TEST_ENCRYPT_KEY,
    LARK_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN,
    INGEST_TOKEN: TEST_INGEST_TOKEN,
    AGENT_OPEN_IDS: AGENT_OPEN_ID,
    ...env,
  });
  const coach = await startCsCoach(config, { log, pollMs: { inbox: 50, outbox: 50 }, ...overrides });
  return Object.assign(coach, { logLines: log.lines, config });
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** Waits until fn() returns a truthy value (polling), or fails with the message. */
export async function eventually<T>(fn: () => Promise<T> | T, message = "condition not met", timeoutMs = 10_000): Promise<NonNullable<T>> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${message}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Response bodies in tests are whatever the server sent; assertions check their shape. */
export const readJson = (res: Response): Promise<any> => res.json() as Promise<any>;

/**
 * Registers beforeAll/afterAll that start the app on a fresh database and tear both down.
 * Returns a holder: read `.app` inside tests.
 */
export function useTestApp(env: Record<string, string | undefined> = {}, overrides: StartOverrides = {}) {
  const holder = {} as { app: TestApp };
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = testDatabaseUrl();
    drop = db.drop;
    holder.app = await startTestApp(db.url, env, overrides);
  });
  afterAll(async () => {
    await holder.app?.stop();
    await drop?.();
  });
  return holder;
}
