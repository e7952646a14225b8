import { describe, expect, it } from "vitest";
import { jsonDepthExceeds } from "../../src/client/bounded-body.js";

describe("jsonDepthExceeds", () => {
  it("counts the nesting of arrays and objects, up to the limit and past it", () => {
    expect(jsonDepthExceeds("[[[1]]]", 3)).toBe(false);
    expect(jsonDepthExceeds("[[[[1]]]]", 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":{"b":[{}]}}', 4)).toBe(false);
    expect(jsonDepthExceeds('{"a":{"b":[{}]}}', 3)).toBe(true);
    expect(jsonDepthExceeds("[1],[2],[3],[4]", 1)).toBe(false);
  });

  it("skips brackets inside strings, escaped quotes and backslashes included", () => {
    expect(jsonDepthExceeds('["[[[[{{{{"]', 1)).toBe(false);
    expect(jsonDepthExceeds('["a\\"[[[[", "b"]', 1)).toBe(false);
    // An escaped backslash ends before the quote, so the string ends there and the brackets after it count.
    expect(jsonDepthExceeds('["a\\\\", [[[1]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds('["a\\\\\\"[[[[["]', 1)).toBe(false);
  });

  it("leaves an unterminated string to JSON.parse", () => {
    expect(jsonDepthExceeds('["[[[[', 1)).toBe(false);
  });
});
