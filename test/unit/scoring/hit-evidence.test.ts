import { describe, expect, it } from "vitest";
import { EVIDENCE, sayEvidence } from "../../../src/scoring/compliance/hit-evidence.ts";

describe("rule-hit evidence in the reader's language", () => {
  it("says each of the engine's templates in Chinese, and keeps matched text as it came", () => {
    expect(sayEvidence(EVIDENCE.slow(31.6, 10), "zh")).toBe("等了 32 秒（上限 10 秒）");
    expect(sayEvidence(EVIDENCE.noGreeting, "zh")).toBe("首次回复没有问候");
    expect(sayEvidence(EVIDENCE.noWarmAddress, "zh")).toBe("没有使用亲切称呼");
    expect(sayEvidence(EVIDENCE.noClosingCheck, "zh")).toBe("结束前没有确认顾客是否满意");
    expect(sayEvidence(EVIDENCE.noApology('都一个星期了还没到"！'), "zh")).toBe('顾客说“都一个星期了还没到"！”后没有致歉');
    expect(sayEvidence("自己查", "zh")).toBe("自己查");
    expect(sayEvidence(EVIDENCE.noGreeting, "en")).toBe(EVIDENCE.noGreeting);
  });
});
