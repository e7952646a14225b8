// The interleaving cases of a --workers N run: the first case to run starts
// the workers (each runs every interleaving case of the profile, as one
// process would), the others wait for them, and each case reports its own
// requirement from what every worker found (merge.ts). The case that started
// them records the workers' exchanges again, so that the run's schema checks
// report what they show once, by the case that owns it, and carries the
// merged coverage.
import { performance } from "node:perf_hooks";
import { SetupRefused, type CheckContext } from "../../model/context.js";
import { randomSeed, type InterleavingSettings } from "../property/settings.js";
import { mergeCase, mergeCoverage } from "./merge.js";
import { shareOf, workerSeed, type WorkerPlan } from "./plan.js";
import { runWorkers, type WorkersRun } from "./pool.js";

interface SharedWorkers {
  owner: CheckContext;
  finished: Promise<WorkersRun>;
}

/** One set of workers per suite run: each run has its own settings object. */
const sharedWorkers = new WeakMap<InterleavingSettings, SharedWorkers>();

export async function checkAcrossWorkers(ctx: CheckContext, requirement: string): Promise<void> {
  let shared = sharedWorkers.get(ctx.interleavings);
  if (!shared) {
    const plans = workerPlans(ctx);
    shared = {
      owner: ctx,
      finished: runWorkers(plans, {
        ...(ctx.interleavings.interrupt ? { interrupt: ctx.interleavings.interrupt } : {}),
        onProgress: (progress) => ctx.reportProgress(progress),
      }),
    };
    sharedWorkers.set(ctx.interleavings, shared);
  }
  const { reports, wallMs } = await shared.finished;
  if (shared.owner === ctx) {
    for (const result of reports.flatMap((report) => report.results)) result.exchanges.forEach((exchange) => ctx.record(exchange));
    const coverages = reports.flatMap((report) => {
      const coverage = report.results.find((result) => result.coverage !== undefined)?.coverage;
      return coverage ? [{ report, coverage }] : [];
    });
    const coverage = mergeCoverage(coverages, wallMs, ctx.interleavings.rate);
    if (coverage) ctx.attachCoverage(coverage);
  }
  const merged = mergeCase(requirement, reports, shared.owner === ctx);
  merged.findings.forEach((finding) => ctx.report(finding));
  if (merged.interleaving) ctx.attachInterleaving(merged.interleaving);
  // As one process's case: a refused signup or login is set-up the case owning it reports.
  if (merged.refused) throw new SetupRefused(merged.refused.requirement, merged.refused.message);
  if (merged.notExercised !== undefined) ctx.notExercised(merged.notExercised);
}

/** A plan per worker: the run's server and settings, its own run id and seed, its share of the request caps. */
function workerPlans(ctx: CheckContext): WorkerPlan[] {
  const settings = ctx.interleavings;
  const workers = settings.workers;
  if (!workers) throw new Error("the run has no workers");
  // Each of these is about one sequence of workloads or one server's crashes (the command line refuses them too).
  if (settings.replay || settings.path !== undefined || settings.restarts) throw new Error("--workers takes no --replay, --path or --restarts");
  const seed = settings.seed ?? randomSeed();
  const { count } = workers;
  const rate = shareOf(settings.rate, count);
  const requestsPerSecond = shareOf(workers.requestsPerSecond, count);
  return Array.from({ length: count }, (_, index) => ({
    index,
    count,
    profile: ctx.profile,
    nodeUrls: [...ctx.nodeUrls],
    timeoutMs: ctx.timeoutMs,
    connection: ctx.connection,
    // Every account and device id a worker makes carries it: no two workers' names meet.
    runId: `${ctx.runId}-w${index + 1}`,
    ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
    interleavings: {
      seed: workerSeed(seed, index),
      runs: settings.runs,
      settleMs: settings.settleMs,
      shrinkBudgetMs: settings.shrinkBudgetMs,
      deepShrinkExecutions: settings.deepShrinkExecutions,
      replayAttempts: settings.replayAttempts,
      ...(settings.durationMs !== undefined ? { durationMs: settings.durationMs } : {}),
      ...(settings.depthCap !== undefined ? { depthCap: settings.depthCap } : {}),
      ...(settings.traffic ? { traffic: settings.traffic.name } : {}),
      ...(rate !== undefined ? { rate } : {}),
      ...(settings.faults ? { faults: true } : {}),
      ...(settings.counterexampleDir !== undefined ? { counterexampleDir: settings.counterexampleDir } : {}),
      ...(settings.started ? { started: settings.started } : {}),
      ...(settings.deadline !== undefined ? { remainingMs: Math.max(0, settings.deadline - performance.now()) } : {}),
    },
  }));
}
