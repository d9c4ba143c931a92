import { openApiBase } from "./lark-sender.ts";

/**
 * Signing in with Lark (the console). Two ways to an authorization code, one exchange:
 * - in a browser: Lark's authorization page (accounts host, /open-apis/authen/v1/authorize)
 *   redirects back with ?code=…&state=…;
 * - inside the Lark client: the page's JSSDK (tt.requestAccess, or the older tt.requestAuthCode)
 *   hands the code over without any page in between (no-login).
 * Either code goes to /open-apis/authen/v2/oauth/token (RFC 6749 authorization_code) for a user
 * access token, which reads who signed in from /open-apis/authen/v1/user_info. The token is used
 * for that one call and never kept.
 */
export interface LarkUser {
  openId: string;
  name: string;
}

export interface LarkOAuth {
  authorizeUrl(redirectUri: string, state: string): string;
  /** The signed-in user, or an Error saying what Lark answered. */
  userFor(code: string, redirectUri?: string): Promise<LarkUser>;
}

/** The accounts host that serves the authorization page, for a LARK_DOMAIN value. */
export const accountsBase = (domain: string) => (domain === "feishu" ? "https://accounts.feishu.cn" : domain === "lark" ? "https://accounts.larksuite.com" : domain);

const TIMEOUT_MS = 5_000;

async function call(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || (typeof body.code === "number" && body.code !== 0)) {
    // Lark's error code and message only: never the request (it carries the app secret and the code).
    throw new Error(`Lark answered ${res.status} ${String(body.code ?? body.error ?? "")} ${String(body.msg ?? body.error_description ?? "")}`.trim());
  }
  return body;
}

export function createLarkOAuth(o: { appId: string; appSecret: string; domain: string }): LarkOAuth {
  const open = openApiBase(o.domain);
  return {
    authorizeUrl(redirectUri, state) {
      const u = new URL("/open-apis/authen/v1/authorize", accountsBase(o.domain));
      u.searchParams.set("client_id", o.appId);
      u.searchParams.set("redirect_uri", redirectUri);
      u.searchParams.set("state", state);
      return u.toString();
    },
    async userFor(code, redirectUri) {
      const token = await call(`${open}/open-apis/authen/v2/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify({ grant_type: "authorization_code", client_id: o.appId, client_secret: o.appSecret, code, ...(redirectUri ? { redirect_uri: redirectUri } : {}) }),
      });
      const accessToken = token.access_token;
      if (typeof accessToken !== "string" || !accessToken) throw new Error("Lark's token answer has no access_token");
      const info = await call(`${open}/open-apis/authen/v1/user_info`, { headers: { authorization: `Bearer ${accessToken}` } });
      const data = (info.data ?? {}) as Record<string, unknown>;
      if (typeof data.open_id !== "string" || !data.open_id) throw new Error("Lark's user_info answer has no open_id");
      return { openId: data.open_id, name: typeof data.name === "string" ? data.name : data.open_id };
    },
  };
}
