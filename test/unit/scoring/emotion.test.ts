import { describe, expect, it } from "vitest";
import { detectEscalation } from "../../../src/scoring/escalation.ts";
import { polarityOf, scoreEmotion } from "../../../src/scoring/emotion/score-emotion.ts";
import { loadZhModel } from "../../../src/scoring/emotion/zh-model.ts";
import { scoreTurnEmotion } from "../../../src/scoring/assess.ts";
import { detectLang } from "../../../src/scoring/text.ts";

const model = loadZhModel();
const zh = (t: string) => scoreEmotion(t, model);
const en = (t: string) => scoreEmotion(t);

describe("Chinese", () => {
  it("reads plain praise and plain complaints", () => {
    expect(polarityOf(zh("谢谢，很满意，客服很耐心"))).toBe("positive");
    expect(polarityOf(zh("质量太差了，用了两天就坏了"))).toBe("negative");
  });

  it("negation turns praise into criticism", () => {
    expect(zh("满意").valence).toBeGreaterThan(0);
    expect(zh("一点都不满意").valence).toBeLessThan(0);
    expect(zh("一点都不满意").evidence.some((e) => e.startsWith("满意:-"))).toBe(true);
  });

  it("degree words scale: 太慢 weighs more than 有点慢", () => {
    const strong = zh("太慢了").evidence.find((e) => e.startsWith("慢") || e.startsWith("太慢"));
    const weak = zh("有点慢").evidence.find((e) => e.startsWith("慢"));
    expect(Math.abs(Number(strong!.split(":")[1]))).toBeGreaterThan(Math.abs(Number(weak!.split(":")[1])));
  });

  it("the clause after 但是 decides", () => {
    const s = zh("东西还可以，但是客服态度太差了，一直不回复");
    expect(s.valence).toBeLessThan(0);
    expect(s.evidence).toContain("contrast");
  });

  it("rhetorical questions, repeated punctuation and angry emoji push towards anger", () => {
    const r = zh("难道你们就不管了吗？");
    expect(r.evidence).toContain("rhetorical question");
    expect(r.category).toBe("anger");
    expect(zh("怎么还没发货？？？").evidence).toContain("repeated ?");
    expect(zh("到底什么时候发货！！！").intensity).toBeGreaterThan(zh("到底什么时候发货").intensity);
    expect(zh("好的😡").valence).toBeLessThan(zh("好的").valence);
  });

  it("catches e-commerce sarcasm: praise next to a long wait", () => {
    const s = zh("真快啊，等了三个小时");
    expect(s.evidence).toContain("sarcasm");
    expect(polarityOf(s)).toBe("negative");
  });

  it("keeps greetings, order numbers and plain questions neutral", () => {
    for (const t of ["你好", "我的订单号是202611230001", "请问这个有现货吗", "发票怎么开"]) expect(polarityOf(zh(t))).toBe("neutral");
  });

  it("reads affect, not topic: a chat question about returns or a missing parcel is neutral, but still a problem", () => {
    for (const t of ["退货地址是哪里", "没事", "能不能送到公司", "好的，知道了", "耳机左边没声音了，怎么处理", "为什么我还款不了"]) {
      expect(polarityOf(zh(t)), t).toBe("neutral");
    }
    expect(zh("我还没收到货").problem).toBeGreaterThan(zh("退货地址是哪里").problem);
    expect(zh("这都三天了还没发货，到底怎么回事").evidence).toContain("feeling:impatience");
    expect(polarityOf(zh("这都三天了还没发货，到底怎么回事"))).toBe("negative");
    expect(polarityOf(zh("谢谢，但还是没到"))).toBe("negative");
  });

  it("a refund asked about is no demand and no threat; a problem asked about is not reported", () => {
    expect(zh("退款到账了没").escalation.kinds).toEqual([]);
    expect(zh("我要退款").escalation.kinds).toEqual(["refund_demand"]);
    expect(polarityOf(zh("我要退款"))).toBe("neutral");
    expect(zh("保质期多久啊 会不会是快过期的").evidence.some((e) => e.startsWith("problem:"))).toBe(false);
    expect(zh("收到的罐子瘪了 不知道里面有没有事").evidence).toContain("problem:瘪了");
    expect(en("The blender stopped working after two days").problem).toBeGreaterThanOrEqual(0.75);
  });

  it("explains the model's three-way verdict and the plain-chat gate in the evidence", () => {
    const e = zh("退货地址是哪里").evidence;
    expect(e.some((x) => /^model:neg [\d.]+ neu [\d.]+ pos [\d.]+$/.test(x))).toBe(true);
    expect(e).toContain("plain");
  });

  it("names the emotion: anger, anxiety, satisfaction", () => {
    expect(zh("你们这什么破服务，气死我了！！！").category).toBe("anger");
    expect(zh("快点，我急用").category).toBe("anxiety");
    expect(zh("太感谢了，问题解决了").category).toBe("satisfaction");
  });
});

describe("English", () => {
  it("scores support-chat complaints and thanks", () => {
    expect(polarityOf(en("The app doesn't work again and I was charged twice"))).toBe("negative");
    expect(polarityOf(en("Thank you so much, that was really helpful!"))).toBe("positive");
    expect(polarityOf(en("My order number is 5512"))).toBe("neutral");
  });

  it("the clause after 'but' decides, and flat praise next to a wasted wait is sarcasm", () => {
    expect(polarityOf(en("Thanks, but it still hasn't arrived."))).toBe("negative");
    expect(en("Thanks, but it still hasn't arrived.").evidence).toContain("contrast");
    const s = en("Great, just great. Waited three hours for nothing.");
    expect(s.evidence).toContain("sarcasm");
    expect(polarityOf(s)).toBe("negative");
    expect(polarityOf(en("Thanks, it arrived."))).toBe("positive");
  });

  it("handles negation through AFINN's strategy", () => {
    expect(en("this is not good").valence).toBeLessThan(0);
  });

  it("calls shouting and insults anger", () => {
    expect(en("This is UNACCEPTABLE, worst service ever!!").category).toBe("anger");
  });
});

describe("escalation intent", () => {
  it.each([
    ["再不处理我就打12315", "regulator"],
    ["我要投诉你们", "complaint"],
    ["给你们差评", "bad_review"],
    ["我要发微博曝光你们", "media"],
    ["我会找律师起诉", "legal"],
    ["马上给我退款", "refund_demand"],
    ["I will leave a one-star review", "bad_review"],
    ["I'm going to sue you", "legal"],
    ["I want my money back", "refund_demand"],
    ["I want to speak to your manager", "complaint"],
  ])("%s → %s", (text, kind) => {
    expect(detectEscalation(text).kinds).toContain(kind);
  });

  it("does not see a hotline in an order number", () => {
    expect(detectEscalation("订单号123456789").kinds).toEqual([]);
    expect(detectEscalation("单号 31512345").kinds).toEqual([]);
  });

  it("keeps a polite threat negative", () => {
    expect(zh("您好，如果今天不能解决，我只能打12315了").valence).toBeLessThanOrEqual(-0.3);
  });
});

it("detects the language per message", () => {
  expect(detectLang("我的iPhone坏了")).toBe("zh");
  expect(detectLang("my parcel is late")).toBe("en");
});

describe("agent tone", () => {
  it("an apology or an empathy phrase is the script working, not negative emotion", () => {
    for (const t of ["I am so sorry for the trouble, let me fix it now.", "很抱歉给您带来不便，我马上为您处理", "非常理解您的心情，我们一定尽快解决"]) {
      expect(polarityOf(scoreTurnEmotion({ role: "agent", text: t }, model)), t).not.toBe("negative");
    }
    expect(polarityOf(scoreTurnEmotion({ role: "agent", text: "This is a terrible question, stop wasting my time" }, model))).toBe("negative");
  });
});
