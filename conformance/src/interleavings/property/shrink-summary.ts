// How small a reported counterexample is and how it got so small, for the
// finding's heading, the JSON report and the counterexample file alike.
import { countDevices, countMoves, type Workload } from "../workload/workload.js";
import { count } from "./words.js";

export interface WorkloadSize {
  accounts: number;
  devices: number;
  moves: number;
}

/** The way from the first failure to the final counterexample. */
export interface ShrinkSummary {
  /** The size of the first failing workload, before shrinking. */
  from: WorkloadSize;
  /** fast-check's path to the first failure: with the seed it generates that workload again, not the shrunk one. */
  firstFailurePath?: string;
  /** Whether cutting to the violating accounts and devices kept the failure. */
  projected: boolean;
  deltaDebuggingSteps: number;
  simplifyingSteps: number;
  fastCheckSteps: number;
  /** Shrink candidates executed, kept or not. */
  candidates: number;
  elapsedMs: number;
  /** Whether the shrink budget ran out before every candidate was tried. */
  budgetSpent: boolean;
}

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
