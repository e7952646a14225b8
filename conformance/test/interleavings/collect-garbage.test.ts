// A soak's collections on demand (execution/collect-garbage.ts): besides its
// periodic ones, a full collection soon after a large body, one for many
// large bodies at once, and none for a small body or outside a soak. The
// collections asked for are counted by the module; that V8 really made one
// is seen as it reports its collections.
import { PerformanceObserver, constants } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, test } from "vitest";
import { collectGarbageEvery, collectionsAskedFor, largeBodyBytes, noteBodySize } from "../../src/interleavings/execution/collect-garbage.js";

/** How long a collection may take to come and be reported: a loaded machine delays timers. */
const patience = { timeout: 5_000, interval: 10 };

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

// A period far longer than each test: only the collections asked for soon can come.
const soakPeriodMs = 600_000;
/** Longer than the least gap between two collections asked for soon. */
const quietMs = 400;

test("in a soak, a large body is followed soon by a full collection, which V8 makes; a small one is not", async () => {
  stop = collectGarbageEvery(soakPeriodMs);
  const before = collectionsAskedFor();
  noteBodySize(largeBodyBytes - 1);
  await sleep(quietMs);
  expect(collectionsAskedFor()).toBe(before);

  let major = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  });
  observer.observe({ entryTypes: ["gc"] });
  try {
    noteBodySize(largeBodyBytes);
    await expect.poll(collectionsAskedFor, patience).toBe(before + 1);
    await expect.poll(() => major, patience).toBeGreaterThan(0);
  } finally {
    observer.disconnect();
  }
});

test("many large bodies at once ask for one collection, and none outside a soak", async () => {
  stop = collectGarbageEvery(soakPeriodMs);
  const before = collectionsAskedFor();
  for (let body = 0; body < 50; body++) noteBodySize(largeBodyBytes * 4);
  await expect.poll(collectionsAskedFor, patience).toBeGreaterThan(before);
  await sleep(quietMs);
  expect(collectionsAskedFor()).toBe(before + 1);

  stop();
  stop = undefined;
  noteBodySize(largeBodyBytes * 4);
  await sleep(quietMs);
  expect(collectionsAskedFor()).toBe(before + 1);
});
