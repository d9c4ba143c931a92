import type { FakeLark } from "./fake-lark-server.ts";

/**
 * Signs in to the console over HTTP the way a browser would: /console/login → Lark's
 * authorization page (the fake) → our callback, following each redirect by hand. Returns the
 * cookie, the CSRF token of the signed-in page, and the final status.
 */
export async function consoleSignIn(appUrl: string, lark: FakeLark, openId: string, name = openId) {
  lark.signInAs(openId, name);
  const login = await loginPage(appUrl);
  const atLark = await fetch(login.authorize, { redirect: "manual" });
  const callback = atLark.headers.get("location")!;
  const back = await fetch(callback, { redirect: "manual", headers: { cookie: login.browserCookie } });
  const cookie = (back.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  let csrf = "";
  if (cookie) {
    const page = await fetch(`${appUrl}/console`, { headers: { cookie } });
    csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  }
  return { status: back.status, cookie, csrf, callback };
}

/**
 * The sign-in page as a browser gets it: its state, Lark's authorization link, and the login
 * cookie that binds the state to this browser (send it back with the code).
 */
export async function loginPage(appUrl: string, path = "/console/login", cookie?: string) {
  const res = await fetch(`${appUrl}${path}`, { redirect: "manual", headers: cookie ? { cookie } : {} });
  const html = await res.text();
  const authorize = /id="sign-in" href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  const state = /data-state="([^"]+)"/.exec(html)?.[1];
  if (!authorize || !state) throw new Error("no sign-in link on the login page");
  const browserCookie =
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith("cs_login="))
      ?.split(";")[0] ??
    cookie ??
    "";
  return { res, html, authorize, state, browserCookie };
}

export const consolePost = (appUrl: string, path: string, s: { cookie: string; csrf?: string }, body: unknown) =>
  fetch(`${appUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: s.cookie, ...(s.csrf ? { "x-csrf-token": s.csrf } : {}) },
    body: JSON.stringify(body),
    redirect: "manual",
  });

/** Dry-run on loopback: the console signs in as the demo supervisor without Lark. Returns the cookie. */
export async function dryRunCookie(appUrl: string): Promise<string> {
  const login = await fetch(`${appUrl}/console/login`, { redirect: "manual" });
  return (login.headers.get("set-cookie") ?? "").split(";")[0]!;
}

/** The console's live stream, read as it comes: `text()` is everything received so far. */
export async function openLiveStream(appUrl: string, cookie: string, path = "/console/events") {
  const ac = new AbortController();
  const res = await fetch(`${appUrl}${path}`, { headers: { cookie }, signal: ac.signal });
  const reader = res.body!.getReader();
  let seen = "";
  const reading = (async () => {
    const dec = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      seen += dec.decode(value, { stream: true });
    }
  })();
  return {
    res,
    text: () => seen,
    async close() {
      ac.abort();
      await reading;
    },
  };
}
