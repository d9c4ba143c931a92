import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Console sign-ins live on the server (ConsoleSession): the cookie carries a random token and
 * the database only its SHA-256, so a sign-in ends everywhere when it expires or its user
 * logs out, and no secret — the Lark app's or any other — can mint one. The role is never
 * stored: each request reads it from the configuration in force.
 */
export type ConsoleRole = "supervisor" | "team_lead" | "agent";

export interface ConsoleUser {
  openId: string;
  name: string;
  role: ConsoleRole;
  /** Random per sign-in: every console POST carries it (x-csrf-token). */
  csrf: string;
  /** The sign-in's key (SHA-256 of the cookie's token): logout revokes it. */
  tokenHash: string;
}

export const COOKIE = "cs_console";
/** The browser that opened a sign-in page: the sign-in's state is bound to it (login CSRF). */
export const LOGIN_COOKIE = "cs_login";
/** A sign-in lasts a working day. */
export const SIGN_IN_MS = 12 * 3_600_000;
/** A sign-in page's state is good for this long, once. */
export const LOGIN_STATE_MS = 10 * 60_000;

/** 256 random bits, URL-safe. */
export const newToken = () => randomBytes(32).toString("base64url");
export const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

export const sameSecret = (a: unknown, b: string) => {
  if (typeof a !== "string") return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** A token we could have issued (43 base64url characters), or undefined: anything else never reaches the database. */
export const tokenShape = (v: unknown): string | undefined => (typeof v === "string" && /^[\w-]{43}$/.test(v) ? v : undefined);

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
