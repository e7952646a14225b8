// Node restarts as part of a workload (--restarts with one --server-cmd per
// --url): drawn with it, saved and read back with it, described in its
// words, and shrunk like the rest of it: dropped when the failure does not
// need them, made earlier and moved to n1 when it does. A node's restart is
// judged by that node's answers after it (DUR-1, DUR-2).
import fc from "fast-check";
import { performance } from "node:perf_hooks";
import { expect, test } from "vitest";
import type { Execution } from "../../src/interleavings/execution/execute.js";
import { checkHistory } from "../../src/history/checker.js";
import type { Operation } from "../../src/history/history.js";
import { shrinkWithChecker } from "../../src/interleavings/property/shrink.js";
import { workloadArbitraryFor } from "../../src/interleavings/workload/arbitrary.js";
import { describeWorkload, nodesNeeded, parseWorkload, type Workload } from "../../src/interleavings/workload/workload.js";
import { accepted, authorized, HistoryBuilder, returns, unauthorized, version } from "./history-builder.js";

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

/** The requirements a history breaks when node n2 crashed at 5 ms and answered again at 6 ms. */
function brokenAfterRestartOfN2(h: HistoryBuilder): string[] {
  const history = { ...h.build(), events: [{ kind: "crash" as const, at: 5, node: "n2" }, { kind: "restart" as const, at: 6, node: "n2" }] };
  return [...new Set(checkHistory(history).violations.map((violation) => violation.requirement))];
}

const on = <T extends Operation>(node: string, op: T): T => Object.assign(op, { node });

test("DUR-2 per node: the restarted node refuses a password it had let in, and no change of that password was sent meanwhile", () => {
  const lost = new HistoryBuilder("append-log", "api3");
  on("n2", lost.auth("A", [0, 1], authorized, { password: "p0" }));
  on("n2", lost.auth("A", [10, 11], unauthorized, { password: "p0", gen: 2 }));
  expect(brokenAfterRestartOfN2(lost)).toEqual(["DUR-2"]);

  const changed = new HistoryBuilder("append-log", "api3");
  on("n2", changed.auth("A", [0, 1], authorized, { password: "p0" }));
  on("n1", changed.password("B", { from: "p0", to: "p1" }, [2, 3], { type: "ok", status: 200 }));
  on("n2", changed.auth("A", [10, 11], unauthorized, { password: "p0", gen: 2 }));
  expect(brokenAfterRestartOfN2(changed)).not.toContain("DUR-2");

  const otherNode = new HistoryBuilder("append-log", "api3");
  on("n2", otherNode.auth("A", [0, 1], authorized, { password: "p0" }));
  on("n1", otherNode.auth("A", [10, 11], unauthorized, { password: "p0", gen: 2 }));
  expect(brokenAfterRestartOfN2(otherNode)).not.toContain("DUR-2");
});

test("DUR-1 per node: a version acknowledged before the crash and missing from the restarted node's answer", () => {
  const onRestarted = new HistoryBuilder();
  on("n1", onRestarted.auth("A", [0, 1]));
  on("n1", onRestarted.post("A", 1, "-:a", [1, 2], accepted));
  on("n1", onRestarted.post("A", 2, "-:a:b", [2, 3], accepted));
  on("n2", onRestarted.get("A", [10, 11], returns(version(1, "-:a"))));
  expect(brokenAfterRestartOfN2(onRestarted)).toContain("DUR-1");

  const onOther = new HistoryBuilder();
  on("n1", onOther.auth("A", [0, 1]));
  on("n1", onOther.post("A", 1, "-:a", [1, 2], accepted));
  on("n1", onOther.post("A", 2, "-:a:b", [2, 3], accepted));
  on("n3", onOther.get("A", [10, 11], returns(version(1, "-:a"))));
  // A stale answer of a node that did not restart is a stale read, not a loss in a restart.
  expect(brokenAfterRestartOfN2(onOther)).toEqual(["LIN-4"]);
});
