// A soak's collections on demand (execution/collect-garbage.ts): besides its
// periodic ones, a full collection soon after a large body, and none for a
// small body or outside a soak. Collections are observed as V8 reports them.
import { PerformanceObserver, constants } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, test } from "vitest";
import { collectGarbageEvery, largeBodyBytes, noteBodySize } from "../../src/interleavings/execution/collect-garbage.js";

/** Full (major) collections V8 reports while `during` runs and for `waitMs` after it: short, so that V8's own seldom fall in. */
async function majorCollections(during: () => void, waitMs = 150): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) count++;
  });
  observer.observe({ entryTypes: ["gc"] });
  during();
  await sleep(waitMs);
  observer.disconnect();
  return count;
}

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

test("in a soak, a large body is followed soon by a full collection; a small one is not", async () => {
  // A period far longer than the test: only the collection asked for soon can come.
  stop = collectGarbageEvery(60_000);
  expect(await majorCollections(() => noteBodySize(largeBodyBytes - 1))).toBe(0);
  expect(await majorCollections(() => noteBodySize(largeBodyBytes))).toBeGreaterThanOrEqual(1);
});

test("many large bodies at once ask for one collection, and none outside a soak", async () => {
  stop = collectGarbageEvery(60_000);
  // One, not fifty (V8 may add one of its own).
  const collections = await majorCollections(() => Array.from({ length: 50 }, () => noteBodySize(largeBodyBytes * 4)));
  expect(collections).toBeGreaterThanOrEqual(1);
  expect(collections).toBeLessThanOrEqual(2);
  stop();
  stop = undefined;
  expect(await majorCollections(() => noteBodySize(largeBodyBytes * 4))).toBe(0);
});
