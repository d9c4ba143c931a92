import { describe, expect, it } from "vitest";
import { createBatcher } from "../../../src/shared/batcher.ts";

describe("createBatcher", () => {
  it("items submitted in the same turn share one flush; those arriving during a flush share the next", async () => {
    const flushes: number[][] = [];
    const b = createBatcher(async (items: number[]) => {
      flushes.push(items);
      await new Promise((r) => setTimeout(r, 10));
      return items.map((i) => i * 2);
    });
    const first = Promise.all([1, 2].map((i) => b.submit(i)));
    // Arrive while the first flush is running (it started on the next turn).
    await new Promise((r) => setTimeout(r, 2));
    const second = Promise.all([3, 4, 5].map((i) => b.submit(i)));
    expect([...(await first), ...(await second)]).toEqual([2, 4, 6, 8, 10]);
    expect(flushes).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it("rejects every caller of a failed flush, then keeps working", async () => {
    let fail = true;
    const b = createBatcher(async (items: string[]) => {
      if (fail) throw new Error("db down");
      return items;
    });
    await expect(b.submit("a")).rejects.toThrow("db down");
    fail = false;
    await expect(b.submit("b")).resolves.toBe("b");
  });
});
