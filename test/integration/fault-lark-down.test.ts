import { describe, expect, it } from "vitest";
import { useFaultHarness } from "../helpers/fault-harness.ts";
import { imMessageEvent } from "../helpers/lark-events.ts";
import { eventually, startTestApp } from "../helpers/start-test-app.ts";

const harness = useFaultHarness();
const { freshDb, larkEnv, deliver } = harness;

describe("Lark API down for a minute", () => {
  it("queues alert cards and hints while Lark is unreachable, then delivers each exactly once", async () => {
    const supChat = "oc_sup_outage";
    const app = await startTestApp(freshDb(), { ...larkEnv(supChat), OUTBOX_MAX_ATTEMPTS: "30" }, { pollMs: { inbox: 20, outbox: 50 }, outboxBackoffMs: { base: 500, max: 8_000 } });
    try {
      harness.fake.down(60_000);
      const downSince = Date.now();
      const t0 = Date.now() - 30_000;
      for (let c = 0; c < 5; c++) {
        expect(await deliver(app.url, imMessageEvent({ chatId: `oc_out_${c}`, text: "我要退货，运费谁出？", createTime: t0 }))).toBe(200);
        expect(await deliver(app.url, imMessageEvent({ chatId: `oc_out_${c}`, text: "再不处理我就打12315投诉你们！", createTime: t0 + 2_000 }))).toBe(200);
      }
      const p = app.db.prisma;
      await eventually(async () => (await p.outboxMessage.count()) >= 10 && (await p.outboxMessage.count({ where: { attempts: { gt: 1 } } })) > 0, "sends queued and failing", 20_000);
      expect(harness.fake.delivered.filter((d) => d.at >= downSince)).toHaveLength(0);

      await eventually(async () => Date.now() - downSince > 60_000 && (await p.outboxMessage.count({ where: { status: "pending" } })) === 0, "delivered after the outage", 60_000 + 20_000);
      const rows = await p.outboxMessage.findMany({ select: { uuid: true, status: true, attempts: true } });
      expect(rows.every((r) => r.status === "sent")).toBe(true);
      expect(Math.max(...rows.map((r) => r.attempts))).toBeGreaterThan(3);
      // Once each: one successful call per outbox row (the fake dedupes repeats of a uuid, and counts none).
      const deliveredUuids = harness.fake.delivered.filter((d) => d.at >= downSince && d.body?.uuid).map((d) => d.body.uuid);
      expect(deliveredUuids.length).toBeGreaterThanOrEqual(5);
      expect(new Set(deliveredUuids).size).toBe(deliveredUuids.length);
      // One card per alert, plus one per storm digest, each delivered once.
      expect(harness.fake.delivered.filter((d) => d.body?.receive_id === supChat)).toHaveLength((await p.alert.count()) + (await p.alertDigest.count()));
    } finally {
      await app.stop();
    }
  }, 120_000);
});
