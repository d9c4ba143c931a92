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
  ])("%s", (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe("redactValue", () => {
  it("masks secrets by key name and redacts nested strings", () => {
    const out = redactValue({ appSecret: "s3cr3t", headers: { Authorization: "Bearer t-1" }, body: { text: "电话13912345678" }, n: 3 });
    expect(out).toEqual({ appSecret: "[SECRET]", headers: { Authorization: "[SECRET]" }, body: { text: "电话[PHONE]" }, n: 3 });
  });
});
