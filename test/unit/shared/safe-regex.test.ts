import { describe, expect, it } from "vitest";
import { regexRisk } from "../../../src/shared/safe-regex.ts";

describe("team regexes that could freeze the bot are refused", () => {
  it.each(["^(a+)+$", "(\\w+\\s?)*$", "(?:a*)*b", "(x+x+)+y", "((ab)*)+", "(a{1,100}){2,}", "(\\d+)\\1", "(?<n>a)\\k<n>", "a".repeat(301)])("%s", (src) => {
    expect(regexRisk(src)).toBeTruthy();
  });
  it.each(["您好|你好", "^(?:亲|您好)", "\\d{11}", "(?:全网最低|第一)", "[a-z]+@[a-z]+", "(?:ab)+", "(a|b)c*", "\\(\\d+\\)+", "[(]+", "(?<![0-9])1[3-9]\\d{9}"])("allowed: %s", (src) => {
    expect(regexRisk(src)).toBeUndefined();
  });
});
