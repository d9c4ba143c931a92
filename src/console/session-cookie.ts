import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The console's sign-in, kept in one cookie: who signed in and until when, signed (HMAC-SHA256)
 * with the console secret. Nothing about customers is in it, and nothing in the URL.
 */
export type ConsoleRole = "supervisor" | "team_lead" | "agent";

export interface ConsoleUser {
  openId: string;
  name: string;
  role: ConsoleRole;
  /** Random per sign-in: the CSRF token is derived from it. */
  sid: string;
  /** Epoch ms. */
  exp: number;
}

export const COOKIE = "cs_console";
/** A sign-in lasts a working day. */
export const SIGN_IN_MS = 12 * 3_600_000;

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export function createCookieSigner(secret: string) {
  const mac = (data: string) => createHmac("sha256", secret).update(data).digest();
  const same = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
  return {
    sign(u: Omit<ConsoleUser, "sid" | "exp">, now: number): { value: string; user: ConsoleUser } {
      const user: ConsoleUser = { ...u, sid: randomBytes(16).toString("base64url"), exp: now + SIGN_IN_MS };
      const body = b64(JSON.stringify(user));
      return { value: `${body}.${b64(mac(body))}`, user };
    },
    /** The user a cookie value names, if it is ours, unaltered and not expired. */
    verify(value: string | undefined, now: number): ConsoleUser | undefined {
      if (!value) return undefined;
      const [body, sig] = value.split(".");
      if (!body || !sig || !same(Buffer.from(sig, "base64url"), mac(body))) return undefined;
      try {
        const u = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as ConsoleUser;
        return typeof u.exp === "number" && u.exp > now ? u : undefined;
      } catch {
        return undefined;
      }
    },
    /** The token every console action must carry (header x-csrf-token): bound to this sign-in. */
    csrf: (u: ConsoleUser) => b64(mac(`csrf:${u.sid}`)),
    csrfOk: (u: ConsoleUser, token: unknown) => typeof token === "string" && same(Buffer.from(token), Buffer.from(b64(mac(`csrf:${u.sid}`)))),
    /** A short-lived signed value (the OAuth state), so the callback knows it started here. */
    state(now: number, next: string): string {
      const body = b64(JSON.stringify({ n: randomBytes(8).toString("base64url"), t: now, next }));
      return `${body}.${b64(mac(`state:${body}`))}`;
    },
    readState(value: unknown, now: number): { next: string } | undefined {
      if (typeof value !== "string") return undefined;
      const [body, sig] = value.split(".");
      if (!body || !sig || !same(Buffer.from(sig, "base64url"), mac(`state:${body}`))) return undefined;
      try {
        const s = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { t: number; next: string };
        return now - s.t < 10 * 60_000 ? { next: s.next } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
export type CookieSigner = ReturnType<typeof createCookieSigner>;

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
