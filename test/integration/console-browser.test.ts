import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLark, startFakeLark } from "../helpers/fake-lark-server.ts";
import { imMessageEvent, larkRequest } from "../helpers/lark-events.ts";
import { eventually, startTestApp, TEST_ENCRYPT_KEY, TEST_INGEST_TOKEN, type TestApp } from "../helpers/start-test-app.ts";
import { testDatabaseUrl } from "../helpers/test-db.ts";

/**
 * The console in a real browser: Debian's chromium driven by playwright-core. Where no chromium
 * is installed the file is skipped — except in CI (CI=1, set by .ci/run), which installs it.
 */
const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));
if (!CHROMIUM && process.env.CI) throw new Error("CI=1 but no chromium: .ci/run installs Debian's chromium package");
const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(import.meta.dirname, "..", "..", "docs") : undefined;

const SUP = "ou_sup_browser";
const AGENT_A = "ou_agent_browser_a";
const AGENT_B = "ou_agent_browser_b";

describe.skipIf(!CHROMIUM)("console in a browser", () => {
  let browser: Browser;
  let lark: FakeLark;
  const apps: Array<{ app: TestApp; drop: () => Promise<void> }> = [];
  const start = async (env: Record<string, string> = {}) => {
    const db = testDatabaseUrl();
    const app = await startTestApp(db.url, {
      LARK_APP_ID: "cli_browser_test",
      LARK_APP_SECRET: "browser-test-app-secret",
      LARK_DOMAIN: lark.url,
      SUPERVISOR_OPEN_IDS: SUP,
      SUPERVISOR_CHAT_ID: "oc_supervisors",
      AGENT_OPEN_IDS: `${AGENT_A},${AGENT_B}`,
      ...env,
    });
    apps.push({ app, drop: db.drop });
    return app;
  };
  const say = async (app: TestApp, chatId: string, senderOpenId: string, text: string, t: number) => {
    const req = larkRequest(imMessageEvent({ chatId, chatType: "group", senderOpenId, text, createTime: t }), { encryptKey: TEST_ENCRYPT_KEY });
    expect((await fetch(`${app.url}/lark/events`, { method: "POST", headers: req.headers, body: req.body })).status).toBe(200);
  };
  /** A fresh browser context signed in as `openId` through the login page and the fake Lark. */
  const signedIn = async (app: TestApp, openId: string) => {
    lark.signInAs(openId, openId);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/console`);
    await page.waitForURL(`${app.url}/console`);
    return page;
  };

  beforeAll(async () => {
    lark = await startFakeLark();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  });
  afterAll(async () => {
    await browser?.close();
    for (const { app, drop } of apps) {
      await app.stop();
      await drop();
    }
    await lark?.close();
  });

  it("zh: a supervisor signs in through Lark, sees a session posted through the API appear live, and acts on its alert from the session page (the card updates)", async () => {
    const app = await start();
    const t = Date.now() - 120_000;
    await say(app, "oc_quiet", "ou_customer_quiet", "请问发货了吗", t);
    // A few more conversations with their agents: the board ranks them, the agent panel counts them.
    await say(app, "oc_size", "ou_customer_size", "这件衣服有没有大一码的？", t + 1_000);
    await say(app, "oc_size", AGENT_A, "您好，有的，我帮您看一下库存", t + 9_000);
    await say(app, "oc_late", "ou_customer_late", "等了三天还没发货，太慢了，什么情况？", t + 2_000);
    await say(app, "oc_late", AGENT_B, "不知道，你自己查物流", t + 30_000);
    await say(app, "oc_thanks", "ou_customer_thanks", "收到了，质量很好，谢谢！", t + 3_000);
    await say(app, "oc_thanks", AGENT_A, "不客气，祝您生活愉快", t + 8_000);
    await eventually(async () => (await app.db.prisma.messageScore.count()) >= 7, "the first messages scored");
    const page = await signedIn(app, SUP);
    expect(await page.textContent("header")).toContain("实时会话");
    const before = await page.locator("#board tbody tr").count();

    // A new conversation through the signed ingest API: its row arrives over the live stream.
    const posted = await fetch(`${app.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify([
        { sessionId: "web-angry-1", messageId: "w1", role: "customer", senderId: "c-web-1", text: "你们什么态度！气死我了，再不退款我就投诉12315", ts: Math.floor(Date.now() / 1000) },
      ]),
    });
    expect(posted.status).toBe(202);
    const sent = Date.now();
    const row = page.locator("#board tbody tr", { hasText: "web-angry-1" });
    await row.waitFor({ timeout: 10_000 });
    console.log(`live board: row on screen ${Date.now() - sent} ms after the API accepted the message`);
    expect(await page.locator("#board tbody tr").count()).toBe(before + 1);
    // Ranked by risk: the critical session is first.
    expect(await page.locator("#board tbody tr").first().textContent()).toContain("web-angry-1");
    expect(await row.getAttribute("data-severity")).toBe("critical");
    if (SHOTS) {
      await page.waitForTimeout(1_100); // the new row's highlight fades
      await page.screenshot({ path: join(SHOTS, "console-board.png"), fullPage: true });
    }
    // A waiting customer's clock runs on the page.
    const waiting = page.locator("#board tbody tr", { hasText: "oc_quiet" }).locator("td[data-since]");
    const shown = await waiting.textContent();
    // (oc_quiet gets no live update meanwhile: only the page's clock can change it)
    await expect.poll(() => waiting.textContent(), { timeout: 3_000 }).not.toBe(shown);
    // Filters are the server's: choosing one reloads the board with it in the URL.
    await page.selectOption("select[name=severity]", "critical");
    await page.waitForURL(/severity=critical/);
    expect(await page.locator("#board tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-severity")))).toEqual(["critical"]);

    await row.locator("a").click();
    await page.waitForURL(/\/console\/sessions\//);
    expect(await page.textContent(".timeline")).toContain("你们什么态度");
    await page.locator("button[data-action=acknowledge]").click();
    await page.waitForFunction('document.querySelector("tr[id^=alert-] .status")?.textContent?.includes("已知悉")');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, "console-session.png"), fullPage: true });
    // New activity on this session while the page is open: it says so. (The acknowledgement just
    // made is activity too and may still be on its way: let it land, then start from a hidden banner.)
    await page.waitForTimeout(500);
    await page.locator("#fresh").evaluate((el) => {
      (el as unknown as { hidden: boolean }).hidden = true;
    });
    await fetch(`${app.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify([{ sessionId: "web-angry-1", messageId: "w2", role: "customer", senderId: "c-web-1", text: "还有人吗？" }]),
    });
    await page.locator("#fresh").waitFor({ state: "visible", timeout: 10_000 });
    const alert = await app.db.prisma.alert.findFirstOrThrow({ where: { session: { externalKey: "web-angry-1" } } });
    expect(alert).toMatchObject({ status: "acknowledged", actedBy: SUP });
    await eventually(
      () => lark.requests.find((r) => r.method === "PATCH" && /^\/open-apis\/im\/v1\/messages\/[^/]+$/.test(r.path) && JSON.stringify(r.body).includes("已知悉")),
      "the alert card patched at Lark",
    );
    await page.context().close();
  });

  it("an agent is refused another agent's session, and sees their own", async () => {
    const app = await start();
    const t = Date.now() - 60_000;
    await say(app, "oc_a", "ou_cust_a", "我的快递什么时候到", t);
    await say(app, "oc_a", AGENT_A, "您好，我帮您查一下", t + 2_000);
    await say(app, "oc_b", "ou_cust_b", "可以退货吗", t + 1_000);
    await say(app, "oc_b", AGENT_B, "可以的", t + 3_000);
    const rows = await eventually(async () => {
      const s = await app.db.prisma.session.findMany({ where: { agentId: { not: null } } });
      return s.length === 2 ? s : undefined;
    }, "both sessions with their agents");
    const a = rows.find((s) => s.externalKey === "oc_a")!;
    const b = rows.find((s) => s.externalKey === "oc_b")!;
    const page = await signedIn(app, AGENT_B);
    const ids = await page.locator("#board tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")));
    expect(ids).toEqual([b.id]);
    const refused = await page.goto(`${app.url}/console/sessions/${a.id}`);
    expect(refused?.status()).toBe(403);
    expect(await page.textContent("body")).toContain("这个会话不属于你");
    expect((await page.goto(`${app.url}/console/sessions/${b.id}`))?.status()).toBe(200);
    // The agent disputes a rule hit of their own, with a few words typed beside the button.
    const hit = await eventually(() => app.db.prisma.ruleHit.findFirst({ where: { sessionId: b.id } }), "a rule hit on the agent's session");
    await page.reload();
    await page.locator(`#hit-${hit.id} input.note`).fill("客户是老熟人，已在电话里问候过");
    await page.locator(`#hit-${hit.id} button[data-label]`).click();
    await page.locator(`#hit-${hit.id} .tag.label`).waitFor();
    expect(await page.textContent(`#hit-${hit.id}`)).toContain("客户是老熟人");
    expect(await app.db.prisma.judgementLabel.findFirstOrThrow({ where: { targetId: hit.id } })).toMatchObject({ verdict: "disputed", status: "open", note: "客户是老熟人，已在电话里问候过" });
    await page.context().close();
  });

  it("en: the console speaks the team's language (UI_LANG), and Team today draws its chart", async () => {
    const app = await start({ UI_LANG: "en" });
    await say(app, "oc_en", "ou_cust_en", "Where is my parcel?", Date.now() - 30_000);
    await eventually(() => app.db.prisma.messageScore.count(), "scored");
    const page = await signedIn(app, SUP);
    expect(await page.textContent("header")).toContain("Live sessions");
    expect(await page.textContent("#board thead")).toContain("Customer");
    await page.goto(`${app.url}/console/team`);
    await page.waitForFunction('document.body.dataset.chart === "drawn"');
    expect(await page.locator("#hourly canvas").count()).toBeGreaterThan(0);
    expect(await page.textContent("#metrics")).toContain("First response p50");
    await page.context().close();
  });

  it("inside the Lark client: the login page gets a code from the JSSDK (no Lark page shown) and signs in", async () => {
    const app = await start();
    lark.signInAs(SUP, "主管");
    const code = lark.issueCode();
    // Lark's in-app browser: its user agent, and the JSSDK's tt already on the page (the client injects it).
    const context = await browser.newContext({ userAgent: "Mozilla/5.0 (Macintosh) AppleWebKit/537.36 Lark/7.30.0 LarkLocale/zh_CN" });
    await context.addInitScript(`window.tt = { requestAccess(o) { sessionStorage.asked = o.appID; setTimeout(() => o.success({ code: ${JSON.stringify(code)} }), 0); } };`);
    const page = await context.newPage();
    const authorizePages: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/open-apis/authen/v1/authorize")) authorizePages.push(r.url());
    });
    await page.goto(`${app.url}/console`);
    await page.waitForURL(`${app.url}/console`);
    expect(await page.textContent("header")).toContain("主管");
    expect(await page.evaluate("sessionStorage.asked")).toBe("cli_browser_test");
    expect(authorizePages).toEqual([]);
    await context.close();
  });
});
