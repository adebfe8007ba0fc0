import { describe, expect, it } from "vitest";
import { OrderedWindow } from "../../../runner/middleware/ordered-window.js";

const later = <T>(value: T, ms: number): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe("OrderedWindow", () => {
  it("emits in the order items were added, however their promises settle", async () => {
    const emitted: number[] = [];
    const window = new OrderedWindow<number>(10, (value) => emitted.push(value));
    window.add(later(1, 30));
    window.add(2);
    window.add(later(3, 5));
    window.add(later(4, 15));
    await window.flush();
    expect(emitted).toEqual([1, 2, 3, 4]);
  });

  it("passes plain values straight through when nothing waits", () => {
    const emitted: number[] = [];
    const window = new OrderedWindow<number>(10, (value) => emitted.push(value));
    expect(window.add(1)).toBeUndefined();
    expect(emitted).toEqual([1]);
  });

  it("holds at most `limit` items in flight, and runs them concurrently", async () => {
    let inFlight = 0;
    let most = 0;
    const window = new OrderedWindow<number>(4, () => undefined);
    for (let index = 0; index < 20; index += 1) {
      inFlight += 1;
      most = Math.max(most, inFlight);
      const wait = window.add(later(index, 20).then((value) => ((inFlight -= 1), value)));
      if (wait !== undefined) await wait;
    }
    await window.flush();
    // Never more than the limit, and really that many at once (not one after the other).
    expect(most).toBe(4);
  });
});
