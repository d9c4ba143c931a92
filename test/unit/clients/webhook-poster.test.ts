import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyLarkError } from "../../../src/clients/lark-errors.ts";
import { createWebhookPoster, signWebhook } from "../../../src/clients/webhook-poster.ts";

const hits: Array<{ url: string; signature: string; body: string }> = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    hits.push({ url: req.url ?? "", signature: String(req.headers["x-cs-coach-signature"]), body });
    if (req.url === "/moved") return void res.writeHead(302, { location: "/elsewhere" }).end();
    res.writeHead(200).end("{}");
  });
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("channel webhook poster", () => {
  const poster = createWebhookPoster({ secret: "webhook-secret-0123456789", now: () => 1_764_600_000_000 });

  it("signs the raw body with the timestamp", async () => {
    await poster.post(`${base}/hook`, { a: 1 }, "u-1");
    const hit = hits.find((h) => h.url === "/hook")!;
    expect(hit.signature).toBe(signWebhook("webhook-secret-0123456789", 1_764_600_000, hit.body));
  });

  it("never follows a redirect: the signed body goes only where the team pointed it, and the failure is final", async () => {
    const error = await poster.post(`${base}/moved`, { a: 1 }, "u-2").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect(classifyLarkError(error).retryable).toBe(false);
    expect(String((error as Error).message)).toMatch(/redirect \(HTTP 302\)/);
    expect(hits.some((h) => h.url === "/elsewhere")).toBe(false);
  });
});
