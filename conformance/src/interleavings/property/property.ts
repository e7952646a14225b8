// The property: every generated workload, executed against the server, makes
// a history with no violation. fast-check generates workloads and stops at
// the first one whose history breaks a requirement; the checker-guided
// shrinker (shrink.ts) cuts it down within the shrink budget, keeping only
// candidates that break the same requirement. fast-check's own shrinking
// knows nothing of accounts and devices, so it is not used. A saved
// counterexample is replayed by executing its workload again, a few times,
// until it fails.
import fc from "fast-check";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Observations, type PropertyEnvironment, type PropertyOutcome } from "./observations.js";
import { randomSeed } from "./settings.js";
import { isDeep, shrinkWithChecker } from "./shrink.js";
import { probeLargestWallet } from "../execution/largest-wallet.js";
import { collectGarbageEvery } from "../execution/collect-garbage.js";
import { workloadArbitraryFor } from "../workload/arbitrary.js";
import type { Counterexample } from "./counterexample-file.js";
import { LongLivedAccounts, type LongLivedOutcome } from "../soak/long-lived-accounts.js";
import { defaultTrafficProfile } from "../workload/traffic.js";
import type { Workload } from "../workload/workload.js";

export { brokenRequirements, type PropertyEnvironment, type PropertyOutcome } from "./observations.js";

/** The time budget below which the run does not probe for the largest wallet. */
const probeRoomMs = 10_000;

/** Thrown into fast-check's loop when the run is interrupted, or a soak's long-lived accounts failed, so that it ends at once. */
class GenerationEnded extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "GenerationEnded";
  }
}

export async function runProperty(given: PropertyEnvironment): Promise<PropertyOutcome> {
  const started = performance.now();
  // Once per run, before any workload: edits that ask for the largest wallet get the largest the server stored.
  // A tight --max-time leaves no room for it: those edits then post a few bytes.
  const deadline = given.settings.deadline;
  const walletProbe = deadline === undefined || deadline - started > probeRoomMs ? await probeLargestWallet(given.nodes[0]!, given.unique) : { posts: 0 };
  const interrupt = given.settings.interrupt;
  const env = {
    ...given,
    ...(walletProbe.largestAcceptedBytes !== undefined ? { largestWalletBytes: walletProbe.largestAcceptedBytes } : {}),
    ...(interrupt ? { interrupt } : {}),
  };
  const replay = env.settings.replay;
  const outcome = await (replay ? replayWorkload(replay, env) : generateWorkloads(env));
  outcome.walletProbe = walletProbe;
  outcome.elapsedMs = performance.now() - started;
  return outcome;
}

/**
 * A soak's long-lived accounts, when the traffic profile has any. Not with
 * --restarts: the server's crashes are scheduled around the workloads'
 * executions, and the online checker has missed a DUR-1 on a crash history
 * (README, "Checking a history as it grows").
 */
function startLongLivedAccounts(
  env: PropertyEnvironment,
  observations: Observations,
  seed: number,
  durationMs: number,
  soakOver: AbortSignal,
): { accounts: LongLivedAccounts; finished: Promise<LongLivedOutcome>; until: number } | undefined {
  const { settings } = env;
  const traffic = settings.traffic ?? defaultTrafficProfile;
  if (traffic.longLived.accounts === 0 || settings.restarts) return undefined;
  const interrupt = settings.interrupt;
  const until = Math.min(performance.now() + durationMs, settings.deadline ?? Number.POSITIVE_INFINITY);
  const accounts = new LongLivedAccounts({
    nodes: env.nodes,
    ...(env.connection ? { connection: env.connection } : {}),
    unique: env.unique,
    timeoutMs: env.timeoutMs,
    settleMs: settings.settleMs,
    ...(env.largestWalletBytes !== undefined ? { largestWalletBytes: env.largestWalletBytes } : {}),
    traffic,
    profile: env.nodes[0]?.profile ?? "seed",
    faults: settings.faults === true,
    seed,
    until,
    stop: interrupt ? AbortSignal.any([soakOver, interrupt]) : soakOver,
    ...(interrupt ? { interrupt } : {}),
    throughput: observations.throughput,
    onProgress: () => env.onExecution?.(observations.progress()),
  });
  observations.watchLongLived(accounts);
  const finished = accounts.run();
  // Awaited once the workloads are over; a fault of the suite in it must not go unhandled meanwhile.
  finished.catch(() => {});
  return { accounts, finished, until };
}

/** How often a soak collects garbage besides after each batch of runs (collect-garbage.ts): a full collection costs it tens of milliseconds. */
const soakCollectionMs = 2_000;

async function generateWorkloads(env: PropertyEnvironment): Promise<PropertyOutcome> {
  const stopCollecting = env.settings.durationMs !== undefined ? collectGarbageEvery(soakCollectionMs) : undefined;
  try {
    return await generateAndShrink(env);
  } finally {
    stopCollecting?.();
  }
}

async function generateAndShrink(env: PropertyEnvironment): Promise<PropertyOutcome> {
  const { settings } = env;
  const observations = new Observations("generated", settings.runs, env);
  const outcome = observations.outcome;
  let firstFailureAt: number | undefined;
  let crash: unknown;

  const restarts = settings.restarts;
  const workloads = workloadArbitraryFor({
    nodes: env.nodes.length,
    // A deployment's node restarts are drawn with each workload; one server's crashes come by run (CrashSchedule).
    ...(restarts && restarts.servers.length > 1 ? { restarts: restarts.count } : {}),
    faults: settings.faults === true,
    ...(env.nodes[0] ? { profile: env.nodes[0].profile } : {}),
    ...(settings.traffic ? { traffic: settings.traffic } : {}),
    ...(settings.depthCap !== undefined ? { depthCap: settings.depthCap } : {}),
  });
  const seed = settings.seed ?? randomSeed();
  const soak = settings.durationMs;
  // A soak's long-lived accounts run beside the workloads for the whole run (soak/).
  const soakOver = new AbortController();
  const longLived = soak !== undefined ? startLongLivedAccounts(env, observations, seed, soak, soakOver.signal) : undefined;
  // fast-check's time limit (a soak's --duration, --max-time) ends its loop without waiting for the
  // workload in flight: the run waits for it, so that what it sent is read finally, checked and counted.
  let inFlight: Promise<boolean> | undefined;
  let workloadsStarted = 0;
  const workloadPauseMs = (settings.traffic ?? defaultTrafficProfile).longLived.workloadPauseMs;
  const property = fc.asyncProperty(workloads, (workload) => (inFlight = checkWorkload(workload)));
  // fast-check takes no signal: an interruption ends its loop as a failure of its own, told apart below.
  const endGenerationIfOver = (): void => {
    if (settings.interrupt?.aborted) throw new GenerationEnded("the run was interrupted");
    if (longLived?.accounts.failed) throw new GenerationEnded("a long-lived account broke a requirement");
  };
  const checkWorkload = async (workload: Workload): Promise<boolean> => {
    endGenerationIfOver();
    if (crash !== undefined || observations.hopeless) return true;
    // Past the run's time budget (--max-time), no further workload is started.
    if (settings.deadline !== undefined && performance.now() > settings.deadline) return true;
    if (longLived && workloadsStarted++ > 0) {
      if (!(await pauseForLongLived(workloadPauseMs, longLived.until, settings.interrupt))) return true;
      endGenerationIfOver();
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
  };

  const details = await fc.check(property, {
    seed,
    // A soak run goes on until its time is up or a failure is found.
    numRuns: soak !== undefined ? Number.MAX_SAFE_INTEGER : settings.runs,
    ...(soak !== undefined ? { interruptAfterTimeLimit: soak, markInterruptAsFailure: false } : {}),
    ...(settings.path !== undefined ? { path: settings.path } : {}),
    endOnFailure: true,
    // The time budget ends generation too, not only execution: an interrupted run is not a failure.
    ...(settings.deadline !== undefined ? { interruptAfterTimeLimit: Math.max(0, settings.deadline - performance.now()), markInterruptAsFailure: false } : {}),
  });
  await inFlight?.catch(() => undefined);
  // The workloads are over (time is up, one failed, or the run was interrupted): so are the long-lived accounts.
  soakOver.abort();
  if (longLived) observations.addLongLived(await longLived.finished);
  if (observations.throughput) outcome.throughput = observations.throughput.points();
  if (crash !== undefined) throw crash;
  outcome.seed = details.seed;
  outcome.shrinkSteps = details.numShrinks;
  // After an interruption fast-check's path leads to the interruption, not to the counterexample.
  if (details.failed && details.counterexamplePath && !(details.errorInstance instanceof GenerationEnded)) outcome.path = details.counterexamplePath;
  // The final reads wait out the settle period: they come after shrinking, unless only they can show a failure.
  if (outcome.lead === undefined) await observations.readFinally();
  await shrinkFirstFailure(observations, firstFailureAt ?? performance.now(), env);
  await observations.readFinally();
  return outcome;
}

/**
 * The pause a traffic profile puts between a soak's workloads, for the
 * long-lived accounts to have the server meanwhile; false when the soak is
 * over by its end, or on an interruption: no further workload is started.
 */
async function pauseForLongLived(pauseMs: number, until: number, interrupt: AbortSignal | undefined): Promise<boolean> {
  if (pauseMs <= 0) return true;
  const remaining = until - performance.now();
  try {
    await sleep(Math.max(0, Math.min(pauseMs, remaining)), undefined, interrupt ? { signal: interrupt } : undefined);
  } catch {
    return false;
  }
  // A pause cut short by the soak's end ends it, even when the timer fired a millisecond early.
  return pauseMs < remaining && performance.now() < until;
}

/** Shrinks the first failure with the checker's help until the shrink budget (or the run's time) is spent. */
async function shrinkFirstFailure(observations: Observations, firstFailureAt: number, env: PropertyEnvironment): Promise<void> {
  const { outcome } = observations;
  const { lead, firstFailure } = outcome;
  if (lead === undefined || firstFailure === undefined || observations.hopeless) return;
  const { settings } = env;
  const failure = outcome.counterexample ?? firstFailure;
  const budget = Math.max(settings.shrinkBudgetMs, isDeep(failure.workload) ? settings.deepShrinkExecutions * failure.durationMs : 0);
  const deadline = Math.min(firstFailureAt + budget, settings.deadline ?? Infinity);
  const finalReads = outcome.leadByFinalReads === true;
  const { shrink, counterexample } = await shrinkWithChecker({
    failure,
    requirement: lead,
    deadline,
    breaks: (workload) => observations.executionBreaking(workload, lead, 1, finalReads),
  });
  outcome.domainShrink = shrink;
  observations.adoptCounterexample(counterexample);
  outcome.shrinkCut = shrink.cut;
}

/**
 * Executes a saved counterexample up to `replayAttempts` times, until its
 * history breaks the requirement the file was saved for, its first (any,
 * when it names none): a workload that breaks several may show another one
 * first.
 */
async function replayWorkload(replay: Counterexample, env: PropertyEnvironment): Promise<PropertyOutcome> {
  const attempts = env.settings.replayAttempts;
  const observations = new Observations("replayed", attempts, env);
  const outcome = observations.outcome;
  if (replay.seed !== undefined) outcome.seed = replay.seed;
  const [savedFor] = replay.requirements;
  const saved = (requirement: string) => savedFor === undefined || requirement === savedFor;
  let made = 0;
  while (made < attempts && !observations.hopeless && !env.settings.interrupt?.aborted) {
    made++;
    const lead = (await observations.execute(replay.workload)).find(saved);
    if (lead === undefined) continue;
    outcome.lead = lead;
    outcome.firstFailure = outcome.last;
    outcome.counterexample = outcome.last;
    break;
  }
  // Counted so that a report can say how readily the race came back.
  outcome.replayAttempts = { made, allowed: attempts };
  await observations.readFinally();
  return outcome;
}
