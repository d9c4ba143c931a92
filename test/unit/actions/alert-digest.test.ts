import { describe, expect, it } from "vitest";
import { type DigestEntry, digestCard } from "../../../src/actions/alert-digest.ts";

const at = new Date(Date.UTC(2026, 5, 1, 2, 0));
const entry = (i: number): DigestEntry => ({ alertId: i, severity: i % 2 ? "critical" : "warning", summary: "Customer threatens a complaint", externalKey: `chat-${i}`, channel: "api", at });
const urls = (card: unknown) => [...JSON.stringify(card).matchAll(/"default_url":"([^"]+)"/g)].map((m) => m[1]);

describe("the storm digest card", () => {
  it("names every session by its platform id and, with PUBLIC_URL, opens the console's live board", () => {
    const card = digestCard([1, 2, 3].map(entry), "zh", "https://coach.example.com");
    const text = JSON.stringify(card);
    for (const k of ["chat-1", "chat-2", "chat-3"]) expect(text).toContain(k);
    expect(text).toContain("打开实时看板");
    expect(urls(card)).toEqual(["https://coach.example.com/console"]);
    expect(JSON.stringify(digestCard([entry(1)], "en", "https://coach.example.com"))).toContain("Open the live board");
  });

  it("without PUBLIC_URL has no button", () => {
    expect(urls(digestCard([1, 2].map(entry), "zh"))).toEqual([]);
  });
});
