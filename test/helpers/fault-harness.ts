import { afterAll, beforeAll } from "vitest";
import { startFakeLark, type FakeLark } from "../fakes/fake-lark-server.ts";
import { larkRequest } from "./lark-events.ts";
import { TEST_ENCRYPT_KEY } from "./start-test-app.ts";
import { testDatabaseUrl } from "./test-db.ts";

/**
 * What the fault tests share: a fake Lark Open API for the file, fresh databases dropped at the
 * end, the Lark settings pointing at the fake, and a webhook delivery that reports a cut
 * connection as status 0 instead of throwing.
 */
export function useFaultHarness() {
  const h = {} as { fake: FakeLark };
  const drops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    h.fake = await startFakeLark();
  });
  afterAll(async () => {
    await h.fake.close();
    for (const d of drops) await d();
  });
  return {
    get fake() {
      return h.fake;
    },
    freshDb(): string {
      const db = testDatabaseUrl();
      drops.push(db.drop);
      return db.url;
    },
    larkEnv: (supervisorChat: string) => ({ LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "s", LARK_DOMAIN: h.fake.url, SUPERVISOR_CHAT_ID: supervisorChat, SUPERVISOR_OPEN_IDS: "ou_sup" }),
    /** One POST of a signed, encrypted event; the status, or 0 when the connection failed. */
    async deliver(url: string, event: unknown): Promise<number> {
      const r = larkRequest(event, { encryptKey: TEST_ENCRYPT_KEY });
      try {
        return (await fetch(`${url}/lark/events`, { method: "POST", body: r.body, headers: r.headers })).status;
      } catch {
        return 0;
      }
    },
  };
}
