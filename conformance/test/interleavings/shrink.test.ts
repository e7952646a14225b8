// Delta debugging keeps the parts a failure needs and drops the rest,
// trying the empty set first.
import { expect, test } from "vitest";
import { ddmin } from "../../src/interleavings/property/shrink.js";

test("ddmin keeps exactly the parts the failure needs", async () => {
  const tried: number[][] = [];
  const kept = await ddmin([...Array(16).keys()], async (subset) => {
    tried.push(subset);
    return subset.includes(3) && subset.includes(11);
  });
  expect(kept).toEqual([3, 11]);
  expect(tried[0]).toEqual([]);
  // Far fewer tries than the 2^16 subsets, or the 16 + 15 + ... of one-at-a-time removal.
  expect(tried.length).toBeLessThan(40);
});

test("ddmin drops everything when the failure needs nothing, with one try", async () => {
  let tries = 0;
  expect(await ddmin([1, 2, 3], async () => (tries++, true))).toEqual([]);
  expect(tries).toBe(1);
});

test("ddmin keeps everything when every part is needed", async () => {
  expect(await ddmin([1, 2, 3, 4, 5], async (subset) => subset.length === 5)).toEqual([1, 2, 3, 4, 5]);
});
