// Delta debugging keeps the parts a failure needs and drops the rest,
// trying the empty set first; a depth is cut by binary search.
import { performance } from "node:perf_hooks";
import { describe, expect, test } from "vitest";
import type { Execution } from "../../src/interleavings/execution/execute.js";
import { ddmin, shallowestFailing, shrinkWithChecker } from "../../src/interleavings/property/shrink.js";
import type { Workload } from "../../src/interleavings/workload/workload.js";

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

describe("shallowestFailing", () => {
  test("finds a shallow depth exactly, trying 0 first", async () => {
    const tried: number[] = [];
    const found = await shallowestFailing(279, async (depth) => (tried.push(depth), depth >= 25));
    expect(found).toBe(25);
    expect(tried[0]).toBe(0);
    expect(tried.length).toBeLessThanOrEqual(10);
  });

  test("finds a deep one to within 1/64 in a few candidates, each below the failing depth", async () => {
    const tried: number[] = [];
    const found = await shallowestFailing(65_535, async (depth) => (tried.push(depth), depth >= 40_000));
    expect(found).toBeGreaterThanOrEqual(40_000);
    expect(found - 40_000).toBeLessThanOrEqual(40_000 / 64 + 1);
    expect(tried.length).toBeLessThanOrEqual(12);
  });

  test("keeps a depth that fails only as it is", async () => {
    expect(await shallowestFailing(300, async (depth) => depth === 300)).toBe(300);
    expect(await shallowestFailing(0, async () => true)).toBe(0);
  });
});

/** An execution of the workload whose history shows `violations` (none by default: nothing to project on). */
function executionOf(workload: Workload, history: Pick<Execution, "check" | "history"> = { check: { violations: [] }, history: { operations: [] } } as never): Execution {
  return { workload, ...history } as unknown as Execution;
}

/** Shrinks `workload` against a failure that holds while `fails` does; the candidates in the order they were tried. */
async function candidatesTried(failure: Execution, requirement: string, fails: (candidate: Workload) => boolean): Promise<Workload[]> {
  const tried: Workload[] = [];
  await shrinkWithChecker({
    failure,
    requirement: requirement as never,
    deadline: performance.now() + 10_000,
    breaks: async (candidate) => {
      tried.push(candidate);
      return fails(candidate) ? executionOf(candidate, failure) : undefined;
    },
  });
  return tried;
}

const quietDevice = { startMs: 0, opening: "get" as const, sharedId: false, moves: [] };

test("a deep counterexample's burst goes to two contenders before its depth is bisected, one candidate", async () => {
  const deep: Workload = { accounts: [{ depth: 65_535, burst: 28, devices: [quietDevice] }] };
  const fails = (candidate: Workload) => (candidate.accounts[0]!.depth ?? 0) >= 40_000 && (candidate.accounts[0]!.burst ?? 0) >= 2;
  const tried = await candidatesTried(executionOf(deep), "LIN-2", fails);
  expect(tried[0]!.accounts[0]).toMatchObject({ depth: 65_535, burst: 2 });
  const smallest = tried.filter(fails).at(-1)!.accounts[0]!;
  expect(smallest.burst).toBe(2);
  expect(smallest.depth! - 40_000).toBeLessThanOrEqual(40_000 / 64 + 1);
});

test("a burst whose POSTs the violation names is cut towards two contenders, never tried without them", async () => {
  // What the checker says of the burst's race: two of its POSTs accepted for one sequence.
  const burstRace = {
    check: { violations: [{ requirement: "LIN-2", account: "a0", operations: [1, 2] }] },
    history: { operations: [1, 2].map((id) => ({ id, kind: "post", account: "a0", client: "d0", request: { move: "burst" } })) },
  } as never;
  const racing: Workload = { accounts: [{ burst: 18, devices: [quietDevice] }] };
  const tried = (await candidatesTried(executionOf(racing, burstRace), "LIN-2", (candidate) => (candidate.accounts[0]!.burst ?? 0) >= 2)).map((candidate) => candidate.accounts[0]!.burst ?? 0);
  expect(tried).not.toContain(0);
  expect(tried[0]).toBe(2);
});

test("a shallow advance the failure does not need goes first, in one candidate, before moves are cut", async () => {
  const device = { ...quietDevice, moves: [{ kind: "get" as const, pauseMs: 0 }] };
  const tried = await candidatesTried(executionOf({ accounts: [{ depth: 128, devices: [device, device] }] }), "TOKEN-2", () => true);
  expect(tried[0]!.accounts.map((account) => account.depth)).toEqual([0]);
  expect(tried[0]!.accounts[0]!.devices).toHaveLength(2);
});

test("starts and pauses go to 0 ms in one candidate before moves are cut, and the cuts go on from it", async () => {
  const waiting = { ...quietDevice, startMs: 4, moves: [{ kind: "edit" as const, changes: 1, pauseMs: 3 }, { kind: "get" as const, pauseMs: 5 }] };
  const tried = await candidatesTried(executionOf({ accounts: [{ devices: [waiting, { ...waiting, startMs: 1 }] }] }), "PASS-4", () => true);
  const waits = (candidate: Workload) => candidate.accounts.flatMap((account) => account.devices.flatMap((device) => [device.startMs, ...device.moves.map((move) => move.pauseMs)]));
  expect(tried[0]!.accounts[0]!.devices.map((device) => device.moves.length)).toEqual([2, 2]);
  expect(waits(tried[0]!)).toEqual([0, 0, 0, 0, 0, 0]);
  expect(tried.every((candidate) => waits(candidate).every((ms) => ms === 0))).toBe(true);
});

describe("a candidate is kept when it breaks the requirement in two of its three executions", () => {
  const failure = executionOf({ accounts: [{ devices: [{ ...quietDevice, moves: [{ kind: "get", pauseMs: 3 }] }] }] });
  const isWithoutMoves = (candidate: Workload) => candidate.accounts[0]!.devices[0]!.moves.length === 0;

  /** Shrinks `failure` where the candidate without moves breaks the requirement on the executions `failingOn` (1, 2, 3) and every other candidate passes. */
  async function shrinkWith(failingOn: readonly number[]) {
    let executions = 0;
    const result = await shrinkWithChecker({
      failure,
      requirement: "PASS-4" as never,
      deadline: performance.now() + 10_000,
      breaks: async (candidate) => (isWithoutMoves(candidate) && failingOn.includes(++executions) ? executionOf(candidate) : undefined),
    });
    return { kept: isWithoutMoves(result.counterexample.workload), executions };
  }

  test("a race that came back once in three is not kept: the counterexample stays one that fails", async () => {
    expect(await shrinkWith([1])).toEqual({ kept: false, executions: 3 });
    expect(await shrinkWith([2])).toEqual({ kept: false, executions: 3 });
  });

  test("twice is kept, with no third execution once two have failed, nor once two have passed", async () => {
    expect(await shrinkWith([1, 2])).toEqual({ kept: true, executions: 2 });
    expect(await shrinkWith([2, 3])).toEqual({ kept: true, executions: 3 });
    expect(await shrinkWith([])).toEqual({ kept: false, executions: 2 });
  });
});
