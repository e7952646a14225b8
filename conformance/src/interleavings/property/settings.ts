// How much randomized concurrency a suite run spends, and which workload it
// replays. One settings object per suite run: every interleaving case of the
// run sees the same object, which is also what their shared execution is
// keyed by.
import { deepShrinkExecutions, defaultReplayAttempts, defaultRuns, defaultSettleMs, defaultShrinkBudgetMs } from "../../defaults.js";
import type { Counterexample } from "./counterexample-file.js";
import type { RestartableServer } from "../execution/crash-schedule.js";
import type { TrafficProfile } from "../workload/traffic.js";

export interface InterleavingSettings {
  /** Randomized workloads to generate and run (fast-check's numRuns). */
  runs: number;
  /** fast-check seed; a random one (printed with every failure) when absent. */
  seed?: number;
  /** fast-check path of a first failure to generate again with `seed` (it is shrunk again). */
  path?: string;
  /** A saved counterexample to execute again instead of generating workloads. */
  replay?: Counterexample;
  /** Executions of a replayed workload before concluding it no longer fails: concurrency is not reproducible. */
  replayAttempts: number;
  /** Time spent shrinking after the first failure; candidates after it are not run. */
  shrinkBudgetMs: number;
  /** Executions of a deep counterexample the shrink budget makes room for at least (deepShrinkExecutions; 0 once --shrink-time is given). */
  deepShrinkExecutions: number;
  /** Where counterexample files are written; the system's temporary directory when absent. */
  counterexampleDir?: string;
  /** The quiet period between the two rounds of final reads. */
  settleMs: number;
  /** Soak mode: keep generating workloads for this long instead of `runs` of them. */
  durationMs?: number;
  /** performance.now() past which no further workload is started (--max-time); the report counts those that ran. */
  deadline?: number;
  /** --traffic: what the workloads are drawn as, and the rate their result needs; the default profile when absent. */
  traffic?: TrafficProfile;
  /** --depth: the deepest an account is advanced before its devices start (the traffic profile's cap when absent). */
  depthCap?: number;
  /** --rate: the most requests per second the workloads send, their devices together. */
  rate?: number;
  /** Aborted when the run is interrupted: no further workload starts, devices stop starting requests. */
  interrupt?: AbortSignal;
  /** --faults: moves may carry faults, injected by the suite's proxy in front of the server. */
  faults?: boolean;
  /**
   * --server-cmd with --restarts: the servers the suite started. One server
   * is killed and started again `count` times over the run (CrashSchedule);
   * the nodes of a deployment, `count` times in each workload, one node at a
   * time, as the workload draws them (RollingRestarts).
   */
  restarts?: { servers: readonly RestartableServer[]; count: number };
  /** --server-cmd: how the suite started the server or each node, for replay commands; `urlPrinted` when the one server's URL is what its command printed. */
  started?: { commands: readonly string[]; urlPrinted: boolean };
  /**
   * --workers N (above 1): the workloads run in N processes at once, each
   * with its own accounts and seed, and the cases report what they found
   * together (../workers/). `requestsPerSecond` is the run's --rate-limit,
   * shared among them as --rate is.
   */
  workers?: { count: number; requestsPerSecond?: number };
}

declare module "../../model/context.js" {
  interface StageSettings {
    /** The run's budget for the interleaving properties; one object per run. */
    readonly interleavings: InterleavingSettings;
  }
}

export function resolveInterleavingSettings(given: Partial<InterleavingSettings> = {}): InterleavingSettings {
  return {
    ...given,
    runs: given.runs ?? defaultRuns,
    replayAttempts: given.replayAttempts ?? defaultReplayAttempts,
    shrinkBudgetMs: given.shrinkBudgetMs ?? defaultShrinkBudgetMs,
    deepShrinkExecutions: given.deepShrinkExecutions ?? (given.shrinkBudgetMs === undefined ? deepShrinkExecutions : 0),
    settleMs: given.settleMs ?? defaultSettleMs,
  };
}

/** fast-check paths: the index of the failing run, then one index per shrink step. */
export const fastCheckPathPattern = /^\d+(?::\d+)*$/;

/** Seeds that fast-check takes as they are: 32-bit integers. */
export const seedRange = { min: -0x80000000, max: 0x7fffffff } as const;

/** A fresh seed; non-negative so that it prints as a plain command-line value. */
export function randomSeed(): number {
  return Math.floor(Math.random() * seedRange.max);
}
