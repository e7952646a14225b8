// The property: every generated workload, executed against the server, makes
// a history with no violation. fast-check generates workloads, stops at the
// first one whose history breaks a requirement and shrinks it, keeping only
// candidates that break the same requirement. Concurrency is not
// reproducible, so a shrink candidate that happens not to fail is simply
// rejected. A saved counterexample is replayed by executing its workload
// again, a few times, until it fails.
import fc from "fast-check";
import { performance } from "node:perf_hooks";
import { Observations, type PropertyEnvironment, type PropertyOutcome } from "./observations.js";
import { randomSeed } from "./settings.js";
import { probeLargestWallet } from "../execution/largest-wallet.js";
import { workloadArbitraryFor } from "../workload/arbitrary.js";
import type { Workload } from "../workload/workload.js";

export { brokenRequirements, type PropertyEnvironment, type PropertyOutcome } from "./observations.js";

/** Thrown into fast-check's loop when the run is interrupted, so that it ends at once. */
class RunInterrupted extends Error {
  constructor() {
    super("the run was interrupted");
    this.name = "RunInterrupted";
  }
}

export async function runProperty(given: PropertyEnvironment): Promise<PropertyOutcome> {
  const started = performance.now();
  // Once per run, before any workload: edits that ask for the largest wallet get the largest the server stored.
  const walletProbe = await probeLargestWallet(given.nodes[0]!, given.unique);
  const interrupt = given.settings.interrupt;
  const env = {
    ...given,
    ...(walletProbe.largestAcceptedBytes !== undefined ? { largestWalletBytes: walletProbe.largestAcceptedBytes } : {}),
    ...(interrupt ? { interrupt } : {}),
  };
  const replay = env.settings.replay;
  const outcome = await (replay ? replayWorkload(replay.workload, replay.seed, env) : generateWorkloads(env));
  outcome.walletProbe = walletProbe;
  outcome.elapsedMs = performance.now() - started;
  return outcome;
}

async function generateWorkloads(env: PropertyEnvironment): Promise<PropertyOutcome> {
  const { settings } = env;
  const observations = new Observations("generated", settings.runs, env);
  const outcome = observations.outcome;
  let firstFailureAt: number | undefined;
  let crash: unknown;

  const workloads = workloadArbitraryFor({
    nodes: env.nodes.length,
    faults: settings.faults === true,
    ...(env.nodes[0] ? { profile: env.nodes[0].profile } : {}),
    ...(settings.depthCap !== undefined ? { depthCap: settings.depthCap } : {}),
  });
  const property = fc.asyncProperty(workloads, async (workload) => {
    // fast-check takes no signal: an interruption ends its loop as a failure of its own, told apart below.
    if (settings.interrupt?.aborted) throw new RunInterrupted();
    if (crash !== undefined || observations.hopeless) return true;
    // Past the run's time budget (--max-time), no further workload is started.
    if (settings.deadline !== undefined && performance.now() > settings.deadline) return true;
    // Past the shrink budget, candidates are not run: passing them ends shrinking.
    if (firstFailureAt !== undefined && performance.now() - firstFailureAt > settings.shrinkBudgetMs) {
      outcome.shrinkCut = true;
      return true;
    }
    try {
      // Replaying fast-check's path: the first value is the counterexample, worth a few tries.
      const attempts = settings.path !== undefined && outcome.executions === 0 ? settings.replayAttempts : 1;
      const broken = await observations.executeUntilBroken(workload, attempts);
      if (outcome.lead === undefined && broken.length > 0) {
        outcome.lead = broken[0];
        outcome.firstFailure = outcome.last;
        firstFailureAt = performance.now();
      }
      const fails = outcome.lead !== undefined && broken.includes(outcome.lead);
      if (fails) outcome.counterexample = outcome.last;
      return !fails;
    } catch (error) {
      // A fault of the suite, not of the server: stop running and rethrow it after fast-check is done.
      crash = error;
      return true;
    }
  });

  const seed = settings.seed ?? randomSeed();
  const soak = settings.durationMs;
  const details = await fc.check(property, {
    seed,
    // A soak run goes on until its time is up (fast-check stops between runs) or a failure is found.
    numRuns: soak !== undefined ? Number.MAX_SAFE_INTEGER : settings.runs,
    ...(soak !== undefined ? { interruptAfterTimeLimit: soak, markInterruptAsFailure: false } : {}),
    ...(settings.path !== undefined ? { path: settings.path } : {}),
    // The time budget ends generation too, not only execution: an interrupted run is not a failure.
    ...(settings.deadline !== undefined ? { interruptAfterTimeLimit: Math.max(0, settings.deadline - performance.now()), markInterruptAsFailure: false } : {}),
  });
  if (crash !== undefined) throw crash;
  await observations.readFinally();
  outcome.seed = details.seed;
  outcome.shrinkSteps = details.numShrinks;
  // After an interruption fast-check's path leads to the interruption, not to the counterexample.
  if (details.failed && details.counterexamplePath && !(details.errorInstance instanceof RunInterrupted)) outcome.path = details.counterexamplePath;
  return outcome;
}

async function replayWorkload(workload: Workload, seed: number | undefined, env: PropertyEnvironment): Promise<PropertyOutcome> {
  const attempts = env.settings.replayAttempts;
  const observations = new Observations("replayed", attempts, env);
  const outcome = observations.outcome;
  if (seed !== undefined) outcome.seed = seed;
  const broken = await observations.executeUntilBroken(workload, attempts);
  if (broken.length > 0) {
    outcome.lead = broken[0];
    outcome.firstFailure = outcome.last;
    outcome.counterexample = outcome.last;
  }
  await observations.readFinally();
  return outcome;
}
