import { describe, expect, it } from "vitest";
import { exportSessions, toCsv } from "../../src/reports/export.ts";
import { dryRunCookie } from "../helpers/console-client.ts";
import { readJson, TEST_INGEST_TOKEN, useTestApp } from "../helpers/start-test-app.ts";

const ctx = useTestApp({ SUPERVISOR_CHAT_ID: "oc_sup_outside" }, { startWorkers: false });

const PHONE = "13812345678";
const NAME_PHONE = "13987654321";

describe("text from outside is escaped for the place it lands, and ids and names are redacted", () => {
  it("a session id and a sender name carrying phone numbers, and a message full of markup and formulas", async () => {
    const ts = Math.floor(Date.now() / 1000) - 30;
    const text = '=HYPERLINK("http://evil.example","点我") &#60;at id=all&#62; :OK: 看 https://evil.example/x www.evil.example\r\n我要打12315投诉';
    const res = await fetch(`${ctx.app.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TEST_INGEST_TOKEN}` },
      body: JSON.stringify([
        { sessionId: `wa-${PHONE}`, messageId: "out-1", role: "customer", senderId: "c-out", senderName: `张三 ${NAME_PHONE}`, text, ts },
        { sessionId: `wa-${PHONE}`, messageId: "out-2", role: "customer", senderId: "c-out", senderName: `张三 ${NAME_PHONE}`, text: "+cmd|' /C calc'!A0 @SUM(1+1)", ts: ts + 1 },
      ]),
    });
    expect(res.status).toBe(202);
    while ((await ctx.app.workers.runOnce("inbox")) > 0);
    const p = ctx.app.db.prisma;
    const session = await p.session.findFirstOrThrow({ where: { externalKey: `wa-${PHONE}` } });

    // The alert card: no phone in the id, no mention, no emoji, no link, no line break from the text.
    const card = await p.outboxMessage.findFirstOrThrow({ where: { kind: "message.create" } });
    const content = JSON.stringify(JSON.parse(card.payload));
    for (const leak of [PHONE, NAME_PHONE, "&#60;at", ":OK:", "https://evil", "www.evil", "\\r"]) expect(content.includes(leak), leak).toBe(false);
    expect(content).toContain("&#38;\\\\#60;at id=all&#38;\\\\#62;");

    // The console: board page, board API, session page.
    const cookie = await dryRunCookie(ctx.app.url);
    const pages = {
      board: await (await fetch(`${ctx.app.url}/console`, { headers: { cookie } })).text(),
      api: JSON.stringify(await readJson(await fetch(`${ctx.app.url}/console/api/board`, { headers: { cookie } }))),
      session: await (await fetch(`${ctx.app.url}/console/sessions/${session.id}`, { headers: { cookie } })).text(),
    };
    for (const [where, body] of Object.entries(pages)) {
      expect(body.includes(PHONE), `${PHONE} on ${where}`).toBe(false);
      expect(body.includes(NAME_PHONE), `${NAME_PHONE} on ${where}`).toBe(false);
    }
    expect(pages.board).toContain("wa-[PHONE]");

    // The CSV export: formulas stay text in a spreadsheet.
    const csv = toCsv(await exportSessions(ctx.app.db, { from: new Date((ts - 60) * 1000), to: new Date((ts + 60) * 1000), includePii: false }));
    const cells = csv.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    expect(cells.some((c) => /^"?=/.test(c))).toBe(false);
    expect(csv).toContain(`"'=HYPERLINK(`);
    expect(csv).toMatch(/(^|,)"?'\+cmd/m);
  });
});
