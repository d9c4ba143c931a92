import http from "node:http";
import { describe, expect, it } from "vitest";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, readJson, TEST_ENCRYPT_KEY, useTestApp } from "../helpers/start-test-app.ts";

const ctx = useTestApp({ MAX_IN_FLIGHT_REQUESTS: "2" });

/** Starts a signed request and sends only half its body: it stays in flight until finish() is called. */
function halfSent(url: string, chat: string) {
  const r = larkRequest(imMessageEvent({ chatId: chat, text: "慢慢发来的消息" }), { encryptKey: TEST_ENCRYPT_KEY });
  const u = new URL(`${url}/lark/events`);
  const body = Buffer.from(r.body);
  const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { ...r.headers, "content-length": body.length } });
  const status = new Promise<number>((resolve, reject) => {
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
  });
  req.write(body.subarray(0, body.length >> 1));
  return {
    finish: () => {
      req.end(body.subarray(body.length >> 1));
      return status;
    },
  };
}

describe("overload: past MAX_IN_FLIGHT_REQUESTS", () => {
  it("new requests are refused at once with 503 + Retry-After and record nothing; the ones in flight complete", async () => {
    const slow = [halfSent(ctx.app.url, "oc_slow_1"), halfSent(ctx.app.url, "oc_slow_2")];
    await eventually(async () => (await readJson(await fetch(`${ctx.app.url}/healthz`))).requests?.inFlight === 2, "two requests in flight");

    const r = larkRequest(imMessageEvent({ chatId: "oc_shed", text: "被拒绝的消息" }), { encryptKey: TEST_ENCRYPT_KEY });
    const shed = await fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers });
    expect(shed.status).toBe(503);
    expect(shed.headers.get("retry-after")).toBe("1");
    expect((await readJson(shed)).error).toBe("overloaded");
    expect(await ctx.app.db.prisma.inboxEvent.count()).toBe(0);

    expect(await Promise.all(slow.map((s) => s.finish()))).toEqual([200, 200]);
    // Lark retries the refused one, now accepted.
    expect((await fetch(`${ctx.app.url}/lark/events`, { method: "POST", body: r.body, headers: r.headers })).status).toBe(200);
    await eventually(async () => (await ctx.app.db.prisma.message.count()) === 3, "the two slow ones and the retry stored");
    const health = await readJson(await fetch(`${ctx.app.url}/healthz`));
    expect(health.requests.shed).toBe(1);
    expect(health.backlog).toBe(0);
  });
});
