// What a worker process of --workers N is told, and what it tells back. A
// worker runs the interleaving cases as one process of --workers 1 would,
// with a run id (so accounts and device ids) and a seed of its own, and a
// share of the run's request caps. Everything here crosses the IPC channel
// as JSON.
import type { ProfileName } from "../../../../spec/index.js";
import type { ConnectionSettings } from "../../client/connection.js";
import type { CaseProgress } from "../../model/context.js";
import type { CheckResult } from "../../model/result.js";
import { seedRange, type InterleavingSettings } from "../property/settings.js";

export interface WorkerPlan {
  /** From 0; reports number workers from 1. */
  index: number;
  count: number;
  profile: ProfileName;
  /** The server, or every node of the deployment, first node first. */
  nodeUrls: string[];
  timeoutMs: number;
  connection: ConnectionSettings;
  /** The run's id with the worker's number: every name the worker makes is its own. */
  runId: string;
  /** The worker's share of --rate-limit. */
  requestsPerSecond?: number;
  interleavings: WorkerInterleavings;
}

/** The run's interleaving settings as a worker takes them: the traffic profile by name, the deadline as time left. */
export type WorkerInterleavings = Pick<InterleavingSettings, "runs" | "settleMs" | "shrinkBudgetMs" | "deepShrinkExecutions" | "replayAttempts"> &
  Partial<Pick<InterleavingSettings, "durationMs" | "depthCap" | "rate" | "faults" | "counterexampleDir" | "started">> & {
    seed: number;
    traffic?: string;
    /** Milliseconds until no further workload may start (--max-time). */
    remainingMs?: number;
  };

export type ToWorker = { type: "run"; plan: WorkerPlan } | { type: "interrupt"; reason: string };

export type FromWorker =
  | { type: "progress"; progress: CaseProgress; rssBytes: number }
  | { type: "results"; results: CheckResult[]; rssBytes: number };

/** What one worker found: its interleaving cases' results, each as --workers 1 would report it. */
export interface WorkerReport {
  index: number;
  seed: number;
  results: CheckResult[];
}

/** The run's seed plus the worker's index, kept within the 32-bit seeds fast-check takes: worker 0 runs the run's own seed. */
export function workerSeed(runSeed: number, index: number): number {
  const seed = runSeed + index;
  return seed > seedRange.max ? seed - (seedRange.max - seedRange.min + 1) : seed;
}

/** A cap of the whole run shared evenly among the workers; none stays none. */
export function shareOf(cap: number | undefined, count: number): number | undefined {
  // A pacer needs a rate of 1 or more.
  return cap === undefined ? undefined : Math.max(1, cap / count);
}

/** "worker 2 of 4 (seed 1235)" */
export function workerName(report: Pick<WorkerReport, "index" | "seed">, count: number): string {
  return `worker ${report.index + 1} of ${count} (seed ${report.seed})`;
}
