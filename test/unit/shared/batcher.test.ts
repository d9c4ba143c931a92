import { describe, expect, it } from "vitest";
import { createBatcher } from "../../../src/shared/batcher.ts";

describe("createBatcher", () => {
  it("flushes the first item alone and groups those that arrive during a flush", async () => {
    const flushes: number[][] = [];
    const b = createBatcher(async (items: number[]) => {
      flushes.push(items);
      await new Promise((r) => setTimeout(r, 10));
      return items.map((i) => i * 2);
    });
    const results = await Promise.all([1, 2, 3, 4].map((i) => b.submit(i)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(flushes).toEqual([[1], [2, 3, 4]]);
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
