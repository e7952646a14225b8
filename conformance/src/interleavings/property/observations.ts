// What the executions of a property show, whatever drives them (fast-check
// or a replay): the failing executions worth reporting, each requirement's
// most shrunk one, the 5xx tally for LIN-7, and whether the server could be
// driven at all.
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { finalReadBatch, finalReadBatchOperations, soakFinalReadIntervalMs } from "../../defaults.js";
import { addCoverage, coverageOf, emptyCoverage, type HistoryCoverage } from "../../history/coverage.js";
import type { HistoryRequirement } from "../../history/findings.js";
import { tallyServerErrors, type ServerErrorTally } from "../../history/server-errors.js";
import { CrashSchedule, type ServerRestarts } from "../execution/crash-schedule.js";
import { RollingRestarts } from "../execution/node-restarts.js";
import { executeWorkload, type Execution, type ExecutionEnvironment } from "../execution/execute.js";
import { collectGarbage } from "../execution/collect-garbage.js";
import { readFinally, withFinalReads } from "../execution/final-reads.js";
import type { InterleavingSettings } from "./settings.js";
import type { WalletSizeProbe } from "../execution/largest-wallet.js";
import { startFailure, type StartFailure } from "../execution/startup.js";
import { addLoad, rateOf, withLongLivedLoad, type TrafficLoad } from "./traffic-rate.js";
import type { Workload } from "../workload/workload.js";
import type { DomainShrink } from "./shrink.js";
import type { LongLivedOutcome, LongLivedProgress } from "../soak/long-lived-accounts.js";
import { ThroughputSeries } from "../soak/throughput.js";
import type { ThroughputPoint } from "../../model/result.js";

export interface PropertyEnvironment extends ExecutionEnvironment {
  settings: InterleavingSettings;
  /** Called after every execution and final read; runsTotal is unknown once shrinking has begun, and in soak mode. */
  onExecution?: (progress: ExecutionProgress) => void;
}

export interface ExecutionProgress {
  runsDone: number;
  runsTotal?: number;
  /** Checked operations per second while the workloads ran (traffic-rate.ts). */
  operationsPerSecond: number;
  /** The traffic profile's minimal rate, when it has one. */
  minimalRate?: number;
  accounts: number;
  deepestVersion: number;
  violations: number;
  /** A soak's long-lived accounts so far: how many, their operations, the deepest version they reached. */
  longLived?: { accounts: number; operations: number; deepestVersion: number };
}

/** LIN-7 over every execution: 5xx answers to well-formed requests. */
export type { ServerErrorTally };

export interface PropertyOutcome {
  mode: "generated" | "replayed";
  /** The seed of the generated workloads (the saved one when replaying). */
  seed?: number;
  /** fast-check's path to the first failure: with the seed it generates that workload again (not the shrunk one). */
  path?: string;
  /** Executions made: generated runs, shrink candidates, replay attempts. */
  executions: number;
  runsPlanned: number;
  /** The requirement the first failure broke, which shrinking kept broken. */
  lead?: HistoryRequirement;
  /** The first failing execution, before shrinking. */
  firstFailure?: Execution;
  /** The final, most shrunk failing execution. */
  counterexample?: Execution;
  /** Shrink steps fast-check took, and whether the shrink budget ran out. */
  shrinkSteps: number;
  shrinkCut: boolean;
  /** How the checker-guided shrinker cut the first failure down (shrink.ts). */
  domainShrink?: DomainShrink;
  /** Set when only the final reads showed the lead requirement broken: shrink candidates need them too. */
  leadByFinalReads?: boolean;
  /** For each requirement broken in some execution, the last (so the most shrunk) execution that broke it. */
  byRequirement: Map<HistoryRequirement, Execution>;
  /** The last execution made; what reports show when nothing failed. */
  last?: Execution;
  serverErrors: ServerErrorTally;
  /** Violations found in all executions, final reads included. */
  violations: number;
  /** Set when no execution got a device logged in: nothing was checked. */
  notStarted?: StartFailure;
  /** The largest wallet the server accepted, probed once before the workloads. */
  walletProbe?: WalletSizeProbe;
  /** What every execution's history exercised, final reads included, added up. */
  coverage: HistoryCoverage;
  /** The load the executions themselves put on the server: their operations and the time they took. */
  load: TrafficLoad;
  /** How long the whole property took, probe and final reads included. */
  elapsedMs?: number;
  /** Set when a saved counterexample was replayed: the executions made, up to the first that broke something. */
  replayAttempts?: { made: number; allowed: number };
  /** A soak's long-lived accounts (soak/): what they did and the violations they showed, with their operations. */
  longLived?: LongLivedOutcome;
  /** A soak's checked operations per second over its time, at most 120 points (soak/throughput.ts). */
  throughput?: ThroughputPoint[];
}

/** Who kills and restarts servers during the executions: the schedule of one server, or the workloads' node restarts of a deployment. */
function serverRestarts(settings: InterleavingSettings, runsPlanned: number): ServerRestarts | undefined {
  const restarts = settings.restarts;
  if (!restarts) return undefined;
  const [server, ...others] = restarts.servers;
  if (server === undefined) return undefined;
  if (others.length > 0) return new RollingRestarts(restarts.servers);
  return new CrashSchedule(server, restarts.count, settings.durationMs === undefined ? runsPlanned : undefined);
}

/** The requirements a history breaks, in the order the checker found them. */
export function brokenRequirements(execution: Execution): HistoryRequirement[] {
  return [...new Set(execution.check.violations.map((violation) => violation.requirement))];
}

/** Collects what executions show, whatever drives them. */
export class Observations {
  readonly outcome: PropertyOutcome;
  /** True once some device of some execution logged in: the server can be driven. */
  private driven = false;
  /** Executions whose accounts are still to be read finally, and since when the first of them waits. */
  private unread: Execution[] = [];
  private unreadSince = 0;
  /** What the executions exercised as they finished, before their final reads: for progress. */
  private exercised = emptyCoverage();
  /** When the server, or a node of the deployment, is killed and started again (--restarts). */
  private readonly crashes: ServerRestarts | undefined;
  /** A soak's checked operations over its time. */
  readonly throughput: ThroughputSeries | undefined;
  /** A soak's long-lived accounts while they run, for progress. */
  private longLived: { progress(): LongLivedProgress } | undefined;

  constructor(mode: PropertyOutcome["mode"], runsPlanned: number, private readonly env: PropertyEnvironment) {
    this.crashes = serverRestarts(env.settings, runsPlanned);
    this.outcome = {
      mode,
      executions: 0,
      runsPlanned,
      shrinkSteps: 0,
      shrinkCut: false,
      byRequirement: new Map(),
      serverErrors: { count: 0, requests: 0, byStatus: {}, byEndpoint: {} },
      violations: 0,
      coverage: emptyCoverage(),
      load: { operations: 0, elapsedMs: 0 },
    };
    if (env.settings.durationMs !== undefined && mode === "generated") this.throughput = new ThroughputSeries();
  }

  /** A soak's long-lived accounts, running: progress counts them in. */
  watchLongLived(accounts: { progress(): LongLivedProgress }): void {
    this.longLived = accounts;
  }

  /**
   * What the long-lived accounts did, once they are done: their operations,
   * depth and server errors count with the workloads', and their violations
   * fail the run as the workloads' do (reported with their operations).
   */
  addLongLived(longLived: LongLivedOutcome): void {
    const outcome = this.outcome;
    outcome.longLived = longLived;
    this.longLived = undefined;
    outcome.coverage = addCoverage(outcome.coverage, longLived.coverage);
    outcome.load = withLongLivedLoad(outcome.load, longLived.coverage.operations, longLived.elapsedMs);
    tallyServerErrors(outcome.serverErrors, longLived.serverErrors.requests, [longLived.serverErrors]);
    outcome.violations += Object.values(longLived.violationCounts).reduce((sum, n) => sum + (n ?? 0), 0);
  }

  /** Progress for the case's display: runs, their rate, how far they went, and violations so far. */
  progress(): ExecutionProgress {
    const outcome = this.outcome;
    const planned = outcome.firstFailure || this.env.settings.durationMs !== undefined ? undefined : outcome.runsPlanned;
    const minimalRate = this.env.settings.traffic?.minimalRate ?? 0;
    const longLived = this.longLived?.progress();
    return {
      runsDone: outcome.executions,
      ...(planned !== undefined ? { runsTotal: planned } : {}),
      operationsPerSecond: rateOf(longLived ? withLongLivedLoad(outcome.load, longLived.operations, longLived.elapsedMs) : outcome.load),
      ...(minimalRate > 0 ? { minimalRate } : {}),
      accounts: this.exercised.accounts + (longLived?.accounts ?? 0),
      deepestVersion: Math.max(this.exercised.maxSequence, longLived?.deepestVersion ?? 0),
      violations: outcome.violations + (longLived?.violations ?? 0),
      ...(longLived ? { longLived: { accounts: longLived.accounts, operations: longLived.operations, deepestVersion: longLived.deepestVersion } } : {}),
    };
  }

  /** Executes the workload; returns the requirements its history breaks. */
  async execute(workload: Workload): Promise<HistoryRequirement[]> {
    const crashes = this.crashes;
    if (workload.restarts?.length && !(crashes instanceof RollingRestarts)) {
      throw new Error("the workload restarts nodes of a deployment: give one --server-cmd per --url, and --restarts");
    }
    const execution = await (crashes
      ? crashes.around(workload, (onRecorded) => executeWorkload(workload, { ...this.env, watch: { serverEvents: () => crashes.events, onRecorded } }))
      : executeWorkload(workload, this.env));
    const outcome = this.outcome;
    const exercised = coverageOf(execution.history);
    this.exercised = addCoverage(this.exercised, exercised);
    outcome.load = addLoad(outcome.load, execution);
    this.throughput?.add(execution.history.operations.length, "workloads");
    outcome.executions++;
    outcome.last = execution;
    outcome.violations += execution.check.violations.length;
    tallyServerErrors(outcome.serverErrors, execution.history.operations.length, execution.check.warnings);
    this.env.onExecution?.(this.progress());
    this.noteStart(execution);
    const broken = brokenRequirements(execution);
    for (const requirement of broken) outcome.byRequirement.set(requirement, execution);
    if (execution.finalReads) {
      if (this.unread.length === 0) this.unreadSince = performance.now();
      this.unread.push(execution);
    } else {
      outcome.coverage = addCoverage(outcome.coverage, exercised);
    }
    if (this.finalReadsDue()) await this.readFinally();
    return broken;
  }

  private finalReadsDue(): boolean {
    if (this.unread.length >= finalReadBatch) return true;
    if (this.unread.reduce((total, execution) => total + execution.history.operations.length, 0) >= finalReadBatchOperations) return true;
    const soak = this.env.settings.durationMs !== undefined;
    return soak && this.unread.length > 0 && performance.now() - this.unreadSince >= soakFinalReadIntervalMs;
  }

  /**
   * Reads the accounts of every execution not read yet, once at once and once
   * after the settle period, then checks their histories again. What the
   * reads show is reported as any violation of the execution's history.
   */
  async readFinally(): Promise<void> {
    const batch = this.unread;
    this.unread = [];
    if (batch.length === 0) return;
    const { nodes, settings } = this.env;
    await this.crashes?.settled();
    await readFinally(batch, nodes);
    await sleep(settings.settleMs);
    await readFinally(batch, nodes);
    for (const execution of batch) this.recheck(execution);
    if (settings.durationMs !== undefined) collectGarbage();
    this.env.onExecution?.(this.progress());
  }

  /** Puts the execution with its final reads wherever the outcome holds it, and records what only they showed. */
  private recheck(before: Execution): void {
    const after = withFinalReads(before);
    const outcome = this.outcome;
    outcome.coverage = addCoverage(outcome.coverage, coverageOf(after.history));
    if (after === before) return;
    outcome.serverErrors.requests += after.history.operations.length - before.history.operations.length;
    if (outcome.last === before) outcome.last = after;
    if (outcome.firstFailure === before) outcome.firstFailure = after;
    if (outcome.counterexample === before) outcome.counterexample = after;
    for (const [requirement, execution] of outcome.byRequirement) if (execution === before) outcome.byRequirement.set(requirement, after);
    const added = after.check.violations.length - before.check.violations.length;
    if (added <= 0) return;
    outcome.violations += added;
    const broken = brokenRequirements(after);
    for (const requirement of broken) if (!outcome.byRequirement.has(requirement)) outcome.byRequirement.set(requirement, after);
    if (outcome.lead === undefined) {
      outcome.lead = broken[0];
      outcome.leadByFinalReads = true;
      outcome.firstFailure = after;
      outcome.counterexample = after;
    }
  }

  /**
   * The execution shrinking ended with becomes the counterexample, reported
   * for each requirement it breaks: a candidate executed after it and not
   * kept (it failed only once) may have broken them too.
   */
  adoptCounterexample(execution: Execution): void {
    this.outcome.counterexample = execution;
    for (const requirement of brokenRequirements(execution)) this.outcome.byRequirement.set(requirement, execution);
  }

  private noteStart(execution: Execution): void {
    const outcome = this.outcome;
    if (this.driven) return;
    const failure = startFailure(execution);
    if (!failure) {
      this.driven = true;
      delete outcome.notStarted;
    } else if (!outcome.notStarted || (failure.definite && !outcome.notStarted.definite)) {
      outcome.notStarted = failure;
    }
  }

  /**
   * Executes the workload up to `attempts` times, until its history breaks
   * something: a replayed counterexample may need a few tries to meet the
   * same timing again.
   */
  async executeUntilBroken(workload: Workload, attempts: number): Promise<HistoryRequirement[]> {
    let broken: HistoryRequirement[] = [];
    let made = 0;
    for (; made < attempts && broken.length === 0 && !this.hopeless && !this.env.settings.interrupt?.aborted; made++) {
      broken = await this.execute(workload);
    }
    // Counted so that a report can say how readily the race came back.
    if (attempts > 1) this.outcome.replayAttempts = { made, allowed: attempts };
    return broken;
  }

  /**
   * Executes the workload up to `attempts` times until its history breaks
   * `requirement`; returns the execution that did. With `finalReads`, each
   * execution's accounts are read finally before it is judged.
   */
  async executionBreaking(workload: Workload, requirement: HistoryRequirement, attempts: number, finalReads: boolean): Promise<Execution | undefined> {
    for (let attempt = 0; attempt < attempts && !this.hopeless; attempt++) {
      const broken = await this.execute(workload);
      if (finalReads && !broken.includes(requirement)) await this.readFinally();
      const execution = this.outcome.last!;
      if (brokenRequirements(execution).includes(requirement)) return execution;
    }
    return undefined;
  }

  /** The server refused to let the workload start: further runs are pointless. */
  get hopeless(): boolean {
    return this.outcome.notStarted?.definite === true;
  }
}
