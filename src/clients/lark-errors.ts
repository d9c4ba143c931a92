/**
 * Lark failures sorted by what to do about them. Rate limits and server faults are retried with
 * backoff; an invalid tenant token is refreshed and retried; anything else is our mistake
 * (bad payload, missing scope) and retrying would not help.
 */
export type LarkErrorClass = "rate_limited" | "token_invalid" | "server" | "client";

export interface ClassifiedLarkError {
  cls: LarkErrorClass;
  retryable: boolean;
  code?: number;
  status?: number;
  retryAfterMs?: number;
  message: string;
}

/** 99991400: app-level frequency limit; 230020: per-chat/user frequency limit. */
const RATE_LIMIT_CODES = new Set([99991400, 230020]);
/** Tenant access token invalid or expired. */
const TOKEN_CODES = new Set([99991663, 99991661, 99991664, 99991665]);

export class LarkApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 200,
  ) {
    super(message);
    this.name = "LarkApiError";
  }
}

export function classifyLarkError(e: unknown): ClassifiedLarkError {
  const err = e as { response?: { status?: number; data?: { code?: number; msg?: string }; headers?: Record<string, unknown> }; code?: unknown; message?: string };
  const status = err.response?.status ?? (e instanceof LarkApiError ? e.status : undefined);
  const code = err.response?.data?.code ?? (e instanceof LarkApiError ? e.code : undefined);
  const msg = err.response?.data?.msg ?? err.message ?? String(e);
  const message = `${status ? `HTTP ${status} ` : ""}${code !== undefined ? `code ${code}: ` : ""}${msg}`;
  const reset = Number(err.response?.headers?.["x-ogw-ratelimit-reset"]);
  const retryAfterMs = Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;

  if ((code !== undefined && RATE_LIMIT_CODES.has(code)) || status === 429) return { cls: "rate_limited", retryable: true, code, status, retryAfterMs, message };
  if (code !== undefined && TOKEN_CODES.has(code)) return { cls: "token_invalid", retryable: true, code, status, message };
  if (!err.response && !(e instanceof LarkApiError)) return { cls: "server", retryable: true, message }; // network: refused, reset, timeout
  if (status !== undefined && status >= 500) return { cls: "server", retryable: true, code, status, message };
  return { cls: "client", retryable: false, code, status, message };
}
