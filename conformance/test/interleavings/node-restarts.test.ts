// Node restarts as part of a workload (--restarts with one --server-cmd per
// --url): drawn with it, saved and read back with it, described in its
// words, and shrunk like the rest of it: dropped when the failure does not
// need them, made earlier and moved to n1 when it does.
import fc from "fast-check";
import { performance } from "node:perf_hooks";
import { expect, test } from "vitest";
import type { Execution } from "../../src/interleavings/execution/execute.js";
import { shrinkWithChecker } from "../../src/interleavings/property/shrink.js";
import { workloadArbitraryFor } from "../../src/interleavings/workload/arbitrary.js";
import { describeWorkload, nodesNeeded, parseWorkload, type Workload } from "../../src/interleavings/workload/workload.js";

test("a deployment's workloads draw exactly --restarts node restarts each, and the same accounts as without them", () => {
  const withRestarts = fc.sample(workloadArbitraryFor({ nodes: 3, restarts: 2 }), { seed: 7, numRuns: 20 });
  const without = fc.sample(workloadArbitraryFor({ nodes: 3 }), { seed: 7, numRuns: 20 });
  for (const [index, workload] of withRestarts.entries()) {
    expect(workload.restarts).toHaveLength(2);
    for (const restart of workload.restarts!) {
      expect(restart.node).toBeLessThan(3);
      expect(restart.afterPosts).toBeGreaterThanOrEqual(1);
    }
    expect(workload.accounts).toEqual(without[index]!.accounts);
    expect(parseWorkload(JSON.parse(JSON.stringify(workload)))).toEqual(workload);
  }
  expect(without.every((workload) => workload.restarts === undefined)).toBe(true);
});

test("a workload's restarts are in its words and count among the nodes it needs; a wrong one is named", () => {
  const workload: Workload = { accounts: [{ devices: [{ startMs: 0, opening: "get", sharedId: false, moves: [] }] }], restarts: [{ node: 2, afterPosts: 3 }, { node: 0, afterPosts: 7 }] };
  expect(describeWorkload(workload).at(-1)).toBe("restarts, one at a time: n3 after 3 acknowledged POSTs, n1 after 7");
  expect(nodesNeeded(workload)).toBe(3);
  expect(() => parseWorkload({ ...workload, restarts: [{ node: 0, afterPosts: 0 }] })).toThrow(/restarts\[0\]\.afterPosts must be an integer from 1 to 12/);
});

/** Shrinks `workload` against a failure that holds while `fails` does; returns the smallest failing workload. */
async function shrunk(workload: Workload, fails: (candidate: Workload) => boolean): Promise<Workload> {
  const execution = (candidate: Workload) => ({ workload: candidate, check: { violations: [] }, history: { operations: [] } }) as unknown as Execution;
  let smallest = workload;
  await shrinkWithChecker({
    failure: execution(workload),
    requirement: "DUR-1",
    deadline: performance.now() + 10_000,
    breaks: async (candidate) => {
      if (!fails(candidate)) return undefined;
      smallest = candidate;
      return execution(candidate);
    },
  });
  return smallest;
}

const device = { startMs: 3, opening: "post" as const, sharedId: false, moves: [{ kind: "get" as const, pauseMs: 2 }], route: [0, 1, 2] };
const failing: Workload = {
  accounts: [{ devices: [device, device] }, { devices: [device, device] }],
  restarts: [
    { node: 2, afterPosts: 9 },
    { node: 1, afterPosts: 7 },
  ],
};

test("shrinking drops the restarts a failure does not need, and the field with the last one", async () => {
  const result = await shrunk(failing, () => true);
  expect(result.restarts).toBeUndefined();
  expect(result.accounts).toHaveLength(1);
});

test("shrinking keeps the restart a failure needs, moved to the first acknowledged POST, on its node", async () => {
  const result = await shrunk(failing, (candidate) => candidate.restarts?.some((restart) => restart.node === 1) === true);
  expect(result.restarts).toEqual([{ node: 1, afterPosts: 1 }]);
  expect(result.accounts.flatMap((account) => account.devices.flatMap((d) => d.moves))).toEqual([]);
});

test("shrinking moves a needed restart to n1 when any node will do", async () => {
  const result = await shrunk(failing, (candidate) => (candidate.restarts?.length ?? 0) > 0);
  expect(result.restarts).toEqual([{ node: 0, afterPosts: 1 }]);
});
