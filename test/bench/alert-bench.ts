import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeLark } from "../fakes/fake-lark-server.ts";
import { imMessageEvent, larkRequest, TEST_VERIFICATION_TOKEN } from "../helpers/lark-events.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { summarize } from "./stats.ts";

const KEY = "bench-encrypt-key";
const AGENT = "ou_bench_agent";

/**
 * Alert latency: from posting the message that makes a session abnormal (a 12315 threat) to the
 * alert card arriving at a fake Lark Open API, with `sessions` conversations running at once
 * against the real server process (SQLite, no LLM). Each card goes to the one supervisor chat,
 * so Lark's per-chat limit (LARK_PER_TARGET_QPS) is part of what is measured when it is set low.
 */
export async function alertBench(opts: { sessions: number; perTargetQps: number; sequential?: boolean }) {
  const fake = await startFakeLark();
  const dbFile = join(tmpdir(), `cs-coach-alert-bench-${randomUUID()}.db`);
  const server = await startServerProcess({
    DATABASE_URL: `file:${dbFile}`,
    LARK_ENCRYPT_KEY: KEY,
    LARK_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN,
    LARK_APP_ID: "cli_a1b2c3d4e5f60718",
    LARK_APP_SECRET: "bench",
    LARK_DOMAIN: fake.url,
    AGENT_OPEN_IDS: AGENT,
    SUPERVISOR_CHAT_ID: "oc_bench_supervisors",
    SUPERVISOR_OPEN_IDS: "ou_bench_sup",
    LARK_PER_TARGET_QPS: String(opts.perTargetQps),
    LARK_PER_APP_QPS: String(Math.max(50, opts.perTargetQps)),
  });
  const post = (e: unknown) => {
    const r = larkRequest(e, { encryptKey: KEY });
    return fetch(`${server.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers });
  };
  try {
    const t0 = Date.now();
    const one = async (i: number) => {
      const chat = `ocbench${i}x${randomUUID().slice(0, 8)}`; // no markdown-escaped characters: the card quotes it
      await post(imMessageEvent({ chatId: chat, chatType: "p2p", text: "我的快递一个星期了还没到", createTime: t0 }));
      await post(imMessageEvent({ chatId: chat, chatType: "p2p", text: "您好，非常抱歉，我帮您查一下", senderOpenId: AGENT, createTime: t0 + 5_000 }));
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
      const sent = Date.now();
      await post(imMessageEvent({ chatId: chat, chatType: "p2p", text: "再不处理我就打12315投诉你们！", createTime: t0 + 20_000 }));
      for (;;) {
        // In front of the supervisors: on its own card, or on the storm's digest (created or patched).
        const card = fake.calls.find((c) => c.path.startsWith("/open-apis/im/v1/messages") && typeof c.body?.content === "string" && c.body.content.includes(chat));
        if (card) return card.at - sent;
        if (Date.now() - sent > 60_000) throw new Error(`no alert for ${chat} within 60 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const latencies: number[] = [];
    if (opts.sequential) for (let i = 0; i < opts.sessions; i++) latencies.push(await one(i));
    else latencies.push(...(await Promise.all(Array.from({ length: opts.sessions }, (_, i) => one(i)))));
    return { sessions: opts.sessions, concurrent: !opts.sequential, perTargetQps: opts.perTargetQps, alertLatencyMs: summarize(latencies) };
  } finally {
    await server.stop();
    await fake.close();
    for (const s of ["", "-wal", "-shm"]) rmSync(dbFile + s, { force: true });
  }
}
