// A soak's collections on demand (execution/collect-garbage.ts): besides its
// periodic ones, a full collection soon after a large body, one for many
// large bodies at once, and none for a small body or outside a soak. The
// collections asked for are counted by the module; that V8 really made one
// is seen as it reports its collections.
import { PerformanceObserver, constants } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, test } from "vitest";
import { collectGarbageEvery, collectionsAskedFor, largeBodyBytes, noteBodySize } from "../../src/interleavings/execution/collect-garbage.js";

/** Waits until `done()` holds, up to `limitMs` (a loaded machine delays timers); whether it did. */
async function eventually(done: () => boolean, limitMs = 5_000): Promise<boolean> {
  const until = performance.now() + limitMs;
  while (!done() && performance.now() < until) await sleep(10);
  return done();
}

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
    expect(await eventually(() => collectionsAskedFor() === before + 1)).toBe(true);
    expect(await eventually(() => major > 0)).toBe(true);
  } finally {
    observer.disconnect();
  }
});

test("many large bodies at once ask for one collection, and none outside a soak", async () => {
  stop = collectGarbageEvery(soakPeriodMs);
  const before = collectionsAskedFor();
  for (let body = 0; body < 50; body++) noteBodySize(largeBodyBytes * 4);
  expect(await eventually(() => collectionsAskedFor() > before)).toBe(true);
  await sleep(quietMs);
  expect(collectionsAskedFor()).toBe(before + 1);

  stop();
  stop = undefined;
  noteBodySize(largeBodyBytes * 4);
  await sleep(quietMs);
  expect(collectionsAskedFor()).toBe(before + 1);
});
