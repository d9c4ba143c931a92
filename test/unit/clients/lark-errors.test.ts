import { describe, expect, it } from "vitest";
import { classifyLarkError, LarkApiError } from "../../../src/clients/lark-errors.ts";

const axiosLike = (status: number, code?: number, headers: Record<string, string> = {}) => ({ response: { status, data: { code, msg: "m" }, headers }, message: "req failed" });

describe("classifyLarkError", () => {
  it("rate limits: 99991400, 230020 and HTTP 429 retry, honouring the reset header", () => {
    expect(classifyLarkError(axiosLike(400, 99991400))).toMatchObject({ cls: "rate_limited", retryable: true });
    expect(classifyLarkError(axiosLike(400, 230020))).toMatchObject({ cls: "rate_limited" });
    expect(classifyLarkError(axiosLike(429, undefined, { "x-ogw-ratelimit-reset": "2" }))).toMatchObject({ cls: "rate_limited", retryAfterMs: 2000 });
  });
  it("invalid tenant token refreshes and retries", () => {
    expect(classifyLarkError(axiosLike(400, 99991663))).toMatchObject({ cls: "token_invalid", retryable: true });
    expect(classifyLarkError(new LarkApiError(99991663, "invalid token"))).toMatchObject({ cls: "token_invalid" });
  });
  it("server faults and network errors retry; other client errors do not", () => {
    expect(classifyLarkError(axiosLike(502))).toMatchObject({ cls: "server", retryable: true });
    expect(classifyLarkError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toMatchObject({ cls: "server", retryable: true });
    expect(classifyLarkError(axiosLike(400, 230001))).toMatchObject({ cls: "client", retryable: false, code: 230001 });
    expect(classifyLarkError(new LarkApiError(230002, "bot not in chat"))).toMatchObject({ cls: "client", retryable: false });
  });
});
