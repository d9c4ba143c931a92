/** Codes, not message text, decide how an error is handled (status, retry). */
export type ErrorCode =
  | "bad_signature"
  | "stale_request"
  | "bad_token"
  | "unauthorized"
  | "malformed_body"
  | "decrypt_failed"
  | "payload_too_large"
  | "not_configured"
  | "unsupported_media_type"
  | "db_unavailable"
  | "not_found";

const STATUS: Record<ErrorCode, number> = {
  bad_signature: 401,
  stale_request: 401,
  bad_token: 401,
  unauthorized: 401,
  malformed_body: 400,
  decrypt_failed: 400,
  payload_too_large: 413,
  not_configured: 503,
  unsupported_media_type: 415,
  db_unavailable: 503,
  not_found: 404,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
    this.status = STATUS[code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
