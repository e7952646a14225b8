// The token bucket that paces requests: --rate-limit keeps an even spacing
// (a bucket of one), --rate lets a second's worth go at once after a pause.
import { performance } from "node:perf_hooks";
import { expect, test } from "vitest";
import { Pacer } from "../src/client/pacer.js";

/** When each of `n` requests, all asking at once, got its slot, in ms from the start. */
async function slots(pacer: Pacer, n: number): Promise<number[]> {
  const start = performance.now();
  return Promise.all(Array.from({ length: n }, () => pacer.pace().then(() => performance.now() - start)));
}

test("a bucket of one spaces requests evenly", async () => {
  const times = (await slots(new Pacer(50), 6)).sort((a, b) => a - b);
  // 6 requests at 50 per second: the last one 5 intervals of 20 ms after the first (timers never fire early).
  expect(times[5]! - times[0]!).toBeGreaterThanOrEqual(5 * 20 - 2);
});

test("a deeper bucket lets a burst through at once, then keeps the rate", async () => {
  const times = (await slots(new Pacer(50, 5), 10)).sort((a, b) => a - b);
  // Paced one by one, the 5th would wait 4 intervals (80 ms): a burst does not, however busy the machine.
  expect(times[4]).toBeLessThan(4 * 20 - 2);
  // The 5 beyond the burst wait their intervals: the 10th 5 × 20 ms in.
  expect(times[9]).toBeGreaterThanOrEqual(5 * 20 - 2);
});

test("refuses a rate or burst that paces nothing", () => {
  expect(() => new Pacer(0)).toThrow(RangeError);
  expect(() => new Pacer(10, 0)).toThrow(RangeError);
});
