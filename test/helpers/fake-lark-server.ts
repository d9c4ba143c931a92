import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeLarkRequest {
  method: string;
  path: string;
  body: any;
}

/**
 * A local stand-in for Lark's open platform, enough for the console's sign-in and the cards:
 * the authorization page (redirects back at once as whoever `signInAs` named), the token and
 * user_info endpoints, the tenant token, and message create / patch (recorded).
 */
export async function startFakeLark() {
  const requests: FakeLarkRequest[] = [];
  let user = { openId: "ou_nobody", name: "Nobody" };
  const codes = new Map<string, { openId: string; name: string }>();
  let n = 0;
  /** While set, token requests wait for it (a slow Lark). */
  let held: Promise<void> | undefined;
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = "";
      req.on("data", (c) => (s += c));
      req.on("end", () => resolve(s));
    });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const raw = await read(req);
    let body: any = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* not JSON */
    }
    requests.push({ method: req.method ?? "GET", path: url.pathname, body });
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(v));
    };
    if (url.pathname === "/open-apis/authen/v1/authorize") {
      const code = `code-${++n}`;
      codes.set(code, user);
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.toString() });
      return void res.end();
    }
    if (url.pathname === "/open-apis/authen/v2/oauth/token") {
      await held;
      const who = codes.get(body?.code);
      if (!who || body?.grant_type !== "authorization_code" || !body?.client_secret) return json(400, { code: 20003, error: "invalid_grant", error_description: "bad code" });
      codes.delete(body.code); // one use
      return json(200, { code: 0, access_token: `u-${who.openId}`, expires_in: 7200, token_type: "Bearer" });
    }
    if (url.pathname === "/open-apis/authen/v1/user_info") {
      const token = String(req.headers.authorization ?? "").replace(/^Bearer u-/, "");
      return json(200, { code: 0, msg: "success", data: { open_id: token, name: token === user.openId ? user.name : token } });
    }
    if (url.pathname === "/open-apis/auth/v3/tenant_access_token/internal") return json(200, { code: 0, tenant_access_token: "t-fake", expire: 7200 });
    if (url.pathname.startsWith("/open-apis/im/v1/messages")) return json(200, { code: 0, data: { message_id: `om_${++n}` } });
    json(200, { code: 0, data: {} });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    /** Token exchanges wait until the returned function is called. */
    holdTokens() {
      let release!: () => void;
      held = new Promise<void>((r) => (release = r));
      return () => {
        held = undefined;
        release();
      };
    },
    /** Who the next authorization (or JSSDK code) signs in. */
    signInAs(openId: string, name = openId) {
      user = { openId, name };
    },
    /** A code as the JSSDK would hand it to the page (no-login), for whoever signInAs named. */
    issueCode() {
      const code = `code-${++n}`;
      codes.set(code, user);
      return code;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
export type FakeLark = Awaited<ReturnType<typeof startFakeLark>>;
