import { describe, expect, it } from "vitest";
import { UsageError } from "../../../protocol/index.js";
import { withoutStreamBookmark } from "../../../runner/state/clear-stream.js";

describe("withoutStreamBookmark", () => {
  it("removes one stream's bookmark, streams named like object keys included, and keeps the rest", () => {
    const state = JSON.parse(
      '{"bookmarks": {"__proto__": {"row": 1}, "constructor": {"row": 2}, "Orders": {"row": 3}}, "currently_syncing": "__proto__", "extra": 7}',
    ) as unknown;
    const cleared = withoutStreamBookmark(state, "__proto__", "p");
    expect(JSON.stringify(cleared)).toBe('{"bookmarks":{"constructor":{"row":2},"Orders":{"row":3}},"currently_syncing":null,"extra":7}');
    expect(JSON.stringify(withoutStreamBookmark(cleared, "constructor", "p"))).toBe('{"bookmarks":{"Orders":{"row":3}},"currently_syncing":null,"extra":7}');
  });

  it("refuses a stream with no bookmark, case counted", () => {
    expect(() => withoutStreamBookmark({ bookmarks: { Orders: {} } }, "orders", "p")).toThrow(UsageError);
    expect(() => withoutStreamBookmark({}, "orders", "p")).toThrow("has no bookmark for stream");
  });
});
