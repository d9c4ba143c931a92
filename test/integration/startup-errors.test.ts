import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeLark } from "../fakes/fake-lark-server.ts";
import { eventually, readJson, startTestApp } from "../helpers/start-test-app.ts";
import { freePort } from "../helpers/server-process.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "cs-coach-startup-"));

/** `npm start`'s entry point with this environment: what it prints on stderr and its exit code. */
function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), join(ROOT, "src", "main.ts")], {
      cwd: dir, // no .env here
      env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", DATABASE_URL: `file:${join(dir, "db.sqlite")}`, LOG_LEVEL: "error", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    p.stderr!.on("data", (c) => (stderr += c));
    const kill = setTimeout(() => p.kill("SIGKILL"), 30_000);
    p.on("exit", (code) => {
      clearTimeout(kill);
      resolve({ code, stderr: stderr.trim() });
    });
  });
}

const csvWithoutLang = join(dir, "kb.csv");
writeFileSync(csvWithoutLang, "id,title,body\nfaq-1,Gift wrap,We wrap gifts\n");
const brokenPolicy = join(dir, "policy.json");
writeFileSync(brokenPolicy, '{\n  "version": 1,\n  "rules": [\n    { "id": "a", }\n  ]\n}\n');

describe("a bad value in configuration stops start-up with one line naming it", () => {
  it.each([
    ["PORT=70000", { PORT: "70000" }, /PORT: must be at most 65535 \(got "70000"\)/],
    ["an unreachable PostgreSQL", { DATABASE_URL: "postgresql://cs:hunter2@127.0.0.1:9/cs" }, /DATABASE_URL: cannot open the database \(ECONNREFUSED/],
    ["a missing KB_PATH", { KB_PATH: join(dir, "no-such-kb") }, /KB_PATH: .*no-such-kb does not exist/],
    ["a CSV KB without a lang column", { KB_PATH: csvWithoutLang }, /KB_PATH: .*kb\.csv: the header row must name id,title,lang,body .*missing: lang/],
    ["a POLICY_FILE with a JSON error", { POLICY_FILE: brokenPolicy }, /POLICY_FILE: .*policy\.json:4:18: invalid JSON/],
    ["a missing LESSONS_DIR", { LESSONS_DIR: join(dir, "no-lessons") }, /LESSONS_DIR: .*no-lessons does not exist/],
  ])("%s", { concurrent: true }, async (_name, env, expected) => {
    const r = await start(env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr.split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at |node:internal|\.ts:\d+:\d+\)/);
    expect(r.stderr).not.toContain("hunter2");
  });

  it("a port already taken says so", async () => {
    const port = await freePort();
    const holder = (await import("node:net")).createServer().listen(port, "127.0.0.1");
    try {
      const r = await start({ PORT: String(port) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`PORT: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
    } finally {
      holder.close();
    }
  });
});

describe("a wrong LARK_APP_SECRET", () => {
  it("is a configuration error in the log and /readyz, and sending waits instead of retrying forever", async () => {
    const fake = await startFakeLark();
    fake.rejectSecret("wrong-secret");
    const db = testDatabaseUrl();
    const app = await startTestApp(
      db.url,
      { LARK_APP_ID: "cli_a1b2c3d4e5f60718", LARK_APP_SECRET: "wrong-secret", LARK_DOMAIN: fake.url, SUPERVISOR_CHAT_ID: "oc_sup_secret", SUPERVISOR_OPEN_IDS: "ou_sup" },
      { pollMs: { inbox: 10, outbox: 10 } },
    );
    try {
      const ready = await eventually(async () => {
        const res = await fetch(`${app.url}/readyz`);
        return res.status === 503 ? readJson(res) : undefined;
      }, "not ready");
      expect(ready.problems.join()).toMatch(/LARK_APP_ID \/ LARK_APP_SECRET: Lark refused the app's credentials \(code 10014/);
      expect(app.logLines.some((l) => l.includes("configuration error") && l.includes("LARK_APP_SECRET"))).toBe(true);
      expect(app.logLines.join("\n")).not.toContain("wrong-secret");
      // An alert is raised and kept: not sent, not failed, no attempts burnt.
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${app.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${app.config.env.INGEST_TOKEN}` },
        body: JSON.stringify({ sessionId: "s-secret", messageId: "m1", role: "customer", senderId: "c1", text: "再不退款我就打12315投诉你们", ts }),
      });
      expect(res.status).toBe(202);
      await eventually(() => app.db.prisma.alert.count().then((n) => n === 1), "alert raised");
      await new Promise((r) => setTimeout(r, 300));
      const rows = await app.db.prisma.outboxMessage.findMany();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.status === "pending" && r.attempts === 0)).toBe(true);
      expect(fake.calls.filter((c) => c.path.includes("tenant_access_token")).length).toBeLessThanOrEqual(2);
    } finally {
      await app.stop();
      await fake.close();
      await db.drop();
    }
  });
});
