// How --workers N makes one report of its workers': counts add up, depths
// and sizes take the largest, a dimension is reached when any worker reached
// it, the traffic rate is judged on the workers' rates added up, and a case
// fails with the first failing worker's findings, naming it.
import { expect, test } from "vitest";
import { mergeCase, mergeCoverage, mergeProgress } from "../src/interleavings/workers/merge.js";
import { workerSeed } from "../src/interleavings/workers/plan.js";
import { makeFinding, type CheckResult, type RunCoverage } from "../src/model/result.js";

function coverage(overrides: Partial<RunCoverage>): RunCoverage {
  return {
    operations: 100,
    opsPerSecond: 10,
    accounts: 4,
    maxSequence: 10,
    largestWallet: 100,
    peakContenders: 2,
    conflictsRebased: 1,
    replacedTokenUses: 1,
    traffic: { profile: "contention", rate: 15, minimalRate: 25, trusted: false },
    notReached: [],
    ...overrides,
  };
}

test("coverage: counts summed, depths and sizes the largest, the rate per wall second, traffic judged on the rates added up", () => {
  const merged = mergeCoverage(
    [
      { report: { index: 0, seed: 7 }, coverage: coverage({ operations: 300, accounts: 5, maxSequence: 40, peakContenders: 9, notReached: [{ dimension: "maxSequence", target: 256, reached: 40 }, { dimension: "peakContenders", target: 16, reached: 9 }] }) },
      { report: { index: 1, seed: 8 }, coverage: coverage({ operations: 100, accounts: 3, maxSequence: 300, peakContenders: 4, notReached: [{ dimension: "peakContenders", target: 16, reached: 4 }] }) },
    ],
    10_000,
    60,
  )!;
  expect(merged).toMatchObject({ operations: 400, opsPerSecond: 40, accounts: 8, maxSequence: 300, peakContenders: 9, conflictsRebased: 2 });
  // Each worker alone was below the profile's minimal rate; together they were not.
  expect(merged.traffic).toEqual({ profile: "contention", rate: 30, minimalRate: 25, cap: 60, trusted: true });
  // The second worker went deep enough; neither raced 16 POSTs.
  expect(merged.notReached).toEqual([{ dimension: "peakContenders", target: 16, reached: 9 }]);
  expect(merged.workers).toEqual([
    { seed: 7, operations: 300, accounts: 5, opsPerSecond: 10 },
    { seed: 8, operations: 100, accounts: 3, opsPerSecond: 10 },
  ]);
});

test("a soak's long-lived accounts: counts summed, depths the largest; the throughput series added up bucket by bucket", () => {
  const longLived = { accounts: 2, devicesPerAccount: 3, newcomers: 40, operations: 1000, maxSequence: 500, windows: 10, peakRetainedOperations: 300 };
  const series = [
    { atSeconds: 1, operationsPerSecond: 100, longLivedPerSecond: 60 },
    { atSeconds: 2, operationsPerSecond: 80, longLivedPerSecond: 40 },
  ];
  const merged = mergeCoverage(
    [
      { report: { index: 0, seed: 7 }, coverage: coverage({ longLived, throughput: series }) },
      { report: { index: 1, seed: 8 }, coverage: coverage({ longLived: { ...longLived, maxSequence: 900, peakRetainedOperations: 200, stopped: "interrupted" }, throughput: series.slice(0, 1) }) },
    ],
    2_000,
    undefined,
  )!;
  expect(merged.longLived).toEqual({ accounts: 4, devicesPerAccount: 3, newcomers: 80, operations: 2000, maxSequence: 900, windows: 20, peakRetainedOperations: 300, stopped: "interrupted" });
  expect(merged.throughput).toEqual([
    { atSeconds: 1, operationsPerSecond: 200, longLivedPerSecond: 120 },
    { atSeconds: 2, operationsPerSecond: 80, longLivedPerSecond: 40 },
  ]);
  const progress = { runsDone: 1, longLived: { accounts: 2, operations: 50, deepestVersion: 30 } };
  expect(mergeProgress([progress, { ...progress, longLived: { accounts: 2, operations: 70, deepestVersion: 90 } }], 2).longLived).toEqual({ accounts: 4, operations: 120, deepestVersion: 90 });
});

test("progress: runs, rates and accounts added up, the deepest version the deepest, a total only once every worker told its own", () => {
  const one = { runsDone: 3, runsTotal: 10, operationsPerSecond: 50, accounts: 9, deepestVersion: 20, violations: 0 };
  expect(mergeProgress([one], 2)).toEqual({ runsDone: 3, operationsPerSecond: 50, accounts: 9, deepestVersion: 20, violations: 0 });
  expect(mergeProgress([one, { ...one, runsDone: 4, deepestVersion: 70, violations: 2 }], 2)).toEqual({
    runsDone: 7,
    runsTotal: 20,
    operationsPerSecond: 100,
    accounts: 18,
    deepestVersion: 70,
    violations: 2,
  });
});

function result(requirement: string, findings: CheckResult["findings"], runs = 5): CheckResult {
  return {
    id: `${requirement}/interleavings`,
    requirement,
    level: "MUST",
    title: "",
    verdict: findings.length > 0 ? "failed" : "passed",
    findings,
    exchanges: [],
    startedAt: "",
    durationMs: 1,
    interleaving: { history: { format: "wallet-sync-history/2", operations: [] } as never, violations: [], runs },
  };
}

test("a case fails with the first failing worker's findings, each naming it, and says which others broke it too; schema findings are left to the run", () => {
  const broken = (seed: number) => makeFinding({ requirement: "LIN-2", message: `Sequence 1 was accepted twice (seed ${seed})` });
  const reports = [
    { index: 0, seed: 4, results: [result("LIN-2", [])] },
    { index: 1, seed: 5, results: [result("LIN-2", [broken(5), makeFinding({ requirement: "HTTP-2", message: "a schema mismatch" })])] },
    { index: 2, seed: 6, results: [result("LIN-2", [broken(6)])] },
  ];
  const merged = mergeCase("LIN-2", reports, true);
  expect(merged.findings.map((finding) => finding.message)).toEqual(["Worker 2 of 3 (seed 5): Sequence 1 was accepted twice (seed 5) [Also broken in worker 3 of 3 (seed 6).]"]);
  expect(merged.interleaving?.runs).toBe(15);
  expect(merged.refused).toBeUndefined();
  expect(mergeCase("LIN-4", reports, false)).toEqual({ findings: [], notExercised: "the run was interrupted before any worker ran its workloads" });
});

test("a workload no worker could start because signups were refused is blocked by the case that owns signups", () => {
  const refused = makeFinding({ requirement: "SIGNUP-1", message: "the concurrent workload could not start" });
  const merged = mergeCase("LIN-1", [{ index: 0, seed: 1, results: [result("LIN-1", [refused])] }], true);
  expect(merged.refused).toEqual({ requirement: "SIGNUP-1", message: "Worker 1 of 1 (seed 1): the concurrent workload could not start" });
});

test("worker seeds: the run's seed plus the worker's index, wrapping within 32 bits", () => {
  expect([0, 1, 2].map((index) => workerSeed(41, index))).toEqual([41, 42, 43]);
  expect(workerSeed(0x7fffffff, 1)).toBe(-0x80000000);
});
