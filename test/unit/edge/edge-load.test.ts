import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { createEdgeLoad } from "../../../src/edge/edge-load.ts";
import { createMemoryLogger } from "../../../src/shared/logger.ts";

/** A request and response as the gate sees them: headers, the body's end, the answer. */
function exchange(body: boolean) {
  const req = Object.assign(new EventEmitter(), { path: "/lark/events", headers: body ? { "content-length": "120" } : {} });
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    set() {
      return res;
    },
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    json() {
      res.emit("finish");
    },
  });
  return { req, res, arrive: () => req.emit("end"), answer: () => res.emit("finish") };
}

describe("edge load gate", () => {
  const setup = (max: number) => {
    const load = createEdgeLoad(max, createMemoryLogger("error"));
    const pass = (x: ReturnType<typeof exchange>) => {
      let passed = false;
      load.gate(x.req as never, x.res as never, () => (passed = true));
      return passed;
    };
    return { load, pass };
  };

  it("counts a request against the limit only once its body has arrived", () => {
    const { load, pass } = setup(2);
    const slow = Array.from({ length: 10 }, () => exchange(true));
    for (const s of slow) expect(pass(s)).toBe(true); // ten trickling senders: none holds a slot
    expect(load.stats()).toMatchObject({ inFlight: 0, receiving: 10 });
    const a = exchange(true);
    const b = exchange(true);
    expect(pass(a) && pass(b)).toBe(true);
    a.arrive();
    b.arrive();
    expect(load.stats()).toMatchObject({ inFlight: 2, receiving: 10 });
    // Two whole requests being handled: the next one is shed with 503.
    const c = exchange(true);
    expect(pass(c)).toBe(false);
    expect(c.res.statusCode).toBe(503);
    a.answer();
    expect(pass(exchange(false))).toBe(true);
    // A cut connection (the server's request timeout) leaves no trace.
    for (const s of slow) s.res.emit("close");
    expect(load.stats()).toMatchObject({ receiving: 0, shed: 1 });
  });
});
