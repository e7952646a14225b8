// How small a reported counterexample is and how it got so small, for the
// finding's heading, the JSON report and the counterexample file alike.
import { countDevices, countMoves, type Workload } from "../workload/workload.js";
import type { ShrinkSummary, WorkloadSize } from "../../model/result.js";
import { count } from "./words.js";

export function workloadSize(workload: Workload): WorkloadSize {
  return { accounts: workload.accounts.length, devices: countDevices(workload), moves: countMoves(workload) };
}

/** "2 accounts, 5 devices, 22 moves". */
export function describeSize(size: WorkloadSize): string {
  return [count(size.accounts, "account"), count(size.devices, "device"), count(size.moves, "move")].join(", ");
}

/** "from 2 accounts, 6 devices, 17 moves: cut to the violating account and devices, 4 delta-debugging steps, ... in 1.2 s, shrink budget spent". */
export function describeShrink(summary: ShrinkSummary): string {
  const parts = [
    ...(summary.projected ? ["cut to the violating accounts and devices"] : []),
    count(summary.deltaDebuggingSteps, "delta-debugging step"),
    count(summary.simplifyingSteps, "simplifying step"),
    count(summary.fastCheckSteps, "fast-check step"),
  ];
  const cut = summary.budgetSpent ? ", shrink budget spent" : "";
  return `from ${describeSize(summary.from)}: ${parts.join(", ")}; ${count(summary.candidates, "candidate")} in ${(summary.elapsedMs / 1000).toFixed(1)} s${cut}`;
}
