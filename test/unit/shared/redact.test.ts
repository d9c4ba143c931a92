import { describe, expect, it } from "vitest";
import { redactText, redactValue } from "../../../src/shared/redact.ts";

describe("redactText", () => {
  it.each([
    ["我的手机是13812345678，快点", "我的手机是[PHONE]，快点"],
    ["call +86 138-1234-5678 now", "call [PHONE] now"],
    ["座机 010-62345678", "座机 [PHONE]"],
    ["身份证 11010519491231002X 请核对", "身份证 [ID] 请核对"],
    ["card 6222 0212 3456 7890 123", "card [CARD]"],
    ["mail me: zhang.san@example.com", "mail me: [EMAIL]"],
    ["寄到北京市朝阳区建国路88号3栋1201室", "寄到[ADDRESS]"],
    ["ship to 221B Baker Street please", "ship to [ADDRESS] please"],
    ["订单号 2024 已发货，3天到", "订单号 2024 已发货，3天到"],
    // International phone formats.
    ["call me on 415-555-0132 tonight", "call me on [PHONE] tonight"],
    ["my number is +1 415 555 0132.", "my number is [PHONE]."],
    ["office +44 20 7946 0958", "office [PHONE]"],
    ["(415) 555-0132 is my cell", "[PHONE] is my cell"],
    ["London 020 7946 0958", "London [PHONE]"],
    // Forms people type in Chinese chat.
    ["电话１３８１２３４５６７８", "电话[PHONE]"],
    ["手机138.1234.5678谢谢", "手机[PHONE]谢谢"],
    ["我电话一三八一二三四五六七八", "我电话[PHONE]"],
    ["邮箱 zhang＠example.com", "邮箱 [EMAIL]"],
    ["送到北京市朝阳区建国路八十八号", "送到[ADDRESS]"],
    ["我住在浙江省杭州市西湖区文三路259号2单元301室，尽快", "我住在[ADDRESS]，尽快"],
    // ID and card numbers, Chinese and foreign.
    ["身份证号１１０１０５１９４９１２３１００２Ｘ", "身份证号[ID]"],
    ["HKID A123456(7)", "HKID [ID]"],
    ["SSN 123-45-6789", "SSN [ID]"],
    ["护照号 E12345678", "[ID]"],
    ["visa 4111 1111 1111 1111 exp 12/29", "visa [CARD] exp 12/29"],
    ["银行卡号 6222021234567890123", "银行卡号 [CARD]"],
    // Not PII: ids and numbers that only look long.
    ['sessionId":"c13812345678-452e-9c1f', 'sessionId":"c13812345678-452e-9c1f'],
    ["id 3f2b9c1e-4521-452e-8d3a-13812345678a", "id 3f2b9c1e-4521-452e-8d3a-13812345678a"],
    ["订单 1763900000000 已发货", "订单 1763900000000 已发货"],
    ["2026-12-01 09:00 发货", "2026-12-01 09:00 发货"],
    ["3号发货，尺码36码", "3号发货，尺码36码"],
    ["客服热线 400-820-8820", "客服热线 400-820-8820"],
  ])("%s", (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe("redaction of hostile input", () => {
  // Far past the largest message the ingest API accepts (20,000 characters). A pattern that
  // backtracks (the old address pattern was cubic on 市…) would not finish within the test's
  // timeout here; speed itself is measured by `npm run bench` (redaction on these inputs).
  const N = 40_000;
  const cases: Array<[string, string, (out: string) => boolean]> = [
    ["place characters", "市".repeat(N), (o) => o.length === N],
    ["place characters and a digit", `${"北京市朝阳区".repeat(N / 6)}8号`, (o) => o.endsWith("[ADDRESS]")],
    ["letters and digits with no @", "a1".repeat(N / 2), (o) => o.length === N],
    ["many @", "a@".repeat(N / 2), (o) => !o.includes("[EMAIL]")],
    ["digits with separators", "1 ".repeat(N / 2), (o) => o.length > 0],
    ["plus and digits", "+1 ".repeat(N / 3), (o) => o.length > 0],
    ["house numbers without places", "88号".repeat(N / 3), (o) => !o.includes("[ADDRESS]")],
    ["Chinese numerals", "一三八".repeat(N / 3), (o) => o.length > 0],
    ["capitalised words", "12 Main ".repeat(N / 8), (o) => o.length > 0],
  ];
  it.each(cases)("%s", (_name, text, ok) => {
    expect(ok(redactText(text))).toBe(true);
  });
});

describe("redactValue", () => {
  it("masks secrets by key name and redacts nested strings", () => {
    const out = redactValue({ appSecret: "s3cr3t", headers: { Authorization: "Bearer t-1" }, body: { text: "电话13912345678" }, n: 3 });
    expect(out).toEqual({ appSecret: "[SECRET]", headers: { Authorization: "[SECRET]" }, body: { text: "电话[PHONE]" }, n: 3 });
  });
});
