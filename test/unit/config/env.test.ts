import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/env.ts";

describe("loadConfig", () => {
  it("runs with nothing set: SQLite under ./data, port 3000, dry-run, webhook", () => {
    const c = loadConfig({});
    expect(c.env.PORT).toBe(3000);
    expect(c.database).toEqual({ provider: "sqlite", url: "file:./data/cs-coach.db" });
    expect(c.dryRun).toBe(true);
    expect(c.env.LARK_EVENT_MODE).toBe("webhook");
    expect(c.env.AGENT_OPEN_IDS).toEqual([]);
  });

  it("switches to PostgreSQL and real Lark by configuration alone", () => {
    const c = loadConfig({
      DATABASE_URL: "postgresql://u:p@db:5432/cs",
      LARK_APP_ID: "cli_x",
      LARK_APP_SECRET: "s",
      LARK_DOMAIN: "lark",
      AGENT_OPEN_IDS: "ou_1, ou_2 ,",
    });
    expect(c.database.provider).toBe("postgresql");
    expect(c.dryRun).toBe(false);
    expect(c.env.LARK_DOMAIN).toBe("lark");
    expect(c.env.AGENT_OPEN_IDS).toEqual(["ou_1", "ou_2"]);
  });

  it("lists every bad value with its name", () => {
    try {
      loadConfig({ PORT: "abc", DATABASE_URL: "mysql://x", LARK_DOMAIN: "nowhere", LARK_APP_ID: "cli_x", LARK_EVENT_MODE: "poll" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      for (const name of ["PORT", "DATABASE_URL", "LARK_DOMAIN", "LARK_EVENT_MODE"]) expect(msg).toContain(name);
    }
  });

  it("requires both Lark credentials, credentials for ws, and an ingest token in production", () => {
    expect(() => loadConfig({ LARK_APP_ID: "cli_x" })).toThrow(/LARK_APP_SECRET/);
    expect(() => loadConfig({ LARK_EVENT_MODE: "ws" })).toThrow(/ws \(long connection\) needs/);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/INGEST_TOKEN/);
  });

  it("in production, webhook events must be signed: LARK_ENCRYPT_KEY, unless explicitly opted out", () => {
    const prod = { NODE_ENV: "production", INGEST_TOKEN: "t", LARK_APP_ID: "cli_x", LARK_APP_SECRET: "s", LARK_VERIFICATION_TOKEN: "v" };
    expect(() => loadConfig(prod)).toThrow(/LARK_ENCRYPT_KEY: is required in production/);
    expect(loadConfig({ ...prod, LARK_ENCRYPT_KEY: "k" }).env.LARK_ENCRYPT_KEY).toBe("k");
    expect(loadConfig({ ...prod, LARK_ALLOW_UNSIGNED: "true" }).env.LARK_ALLOW_UNSIGNED).toBe(true);
    expect(loadConfig({ ...prod, LARK_EVENT_MODE: "ws" }).env.LARK_EVENT_MODE).toBe("ws"); // the long connection needs no signature
  });

  it("names the variable, and echoes a value only when it is not a secret", () => {
    expect(() => loadConfig({ PORT: "70000" })).toThrow('PORT: must be at most 65535 (got "70000")');
    try {
      loadConfig({ LARK_APP_ID: "cli_x", LARK_APP_SECRET: "", DATABASE_URL: "mysql://u:pw@h/db" });
    } catch (e) {
      expect((e as Error).message).toContain("DATABASE_URL");
      expect((e as Error).message).not.toContain("pw@h");
    }
  });

  it("accepts a base URL for LARK_DOMAIN (tests point it at a fake) and trims the trailing slash", () => {
    expect(loadConfig({ LARK_DOMAIN: "http://127.0.0.1:9999/" }).env.LARK_DOMAIN).toBe("http://127.0.0.1:9999");
  });
});
