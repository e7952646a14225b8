// One report from the workers of --workers N: each interleaving case fails
// if it failed in any worker, with the first such worker's counterexample
// and replay commands; the coverage adds up what adds up (operations,
// accounts, conflicts) and keeps the largest of what does not (deepest
// version, largest wallet, contenders); the traffic rate is the workers'
// rates added up, since they ran at once, and is judged against the
// profile's minimal rate as one run's would be.
import type { CaseProgress } from "../../model/context.js";
import { verdictOf, type CheckResult, type Finding, type InterleavingEvidence, type LongLivedCoverage, type RunCoverage } from "../../model/result.js";
import { mergeThroughput } from "../soak/throughput.js";
import { startupRequirements } from "../execution/startup.js";
import { workerName, type WorkerReport } from "./plan.js";

/**
 * Progress of the `workers` workers' randomized runs as one, from those that
 * reported some: runs, operations per second, accounts and violations added
 * up (the long-lived accounts' too), the deepest version the deepest.
 */
export function mergeProgress(progresses: readonly CaseProgress[], workers: number): CaseProgress {
  const sum = (pick: (progress: CaseProgress) => number | undefined) => progresses.reduce((total, progress) => total + (pick(progress) ?? 0), 0);
  const some = (pick: (progress: CaseProgress) => number | undefined) => progresses.some((progress) => pick(progress) !== undefined);
  const minimalRate = progresses.find((progress) => progress.minimalRate !== undefined)?.minimalRate;
  return {
    runsDone: sum((p) => p.runsDone),
    // A total only once every worker has told its own.
    ...(progresses.length === workers && progresses.every((p) => p.runsTotal !== undefined) ? { runsTotal: sum((p) => p.runsTotal) } : {}),
    ...(some((p) => p.operationsPerSecond) ? { operationsPerSecond: sum((p) => p.operationsPerSecond) } : {}),
    ...(minimalRate !== undefined ? { minimalRate } : {}),
    ...(some((p) => p.accounts) ? { accounts: sum((p) => p.accounts) } : {}),
    ...(some((p) => p.deepestVersion) ? { deepestVersion: Math.max(...progresses.map((p) => p.deepestVersion ?? 0)) } : {}),
    ...(some((p) => p.violations) ? { violations: sum((p) => p.violations) } : {}),
    ...(some((p) => p.longLived?.accounts)
      ? {
          longLived: {
            accounts: sum((p) => p.longLived?.accounts),
            operations: sum((p) => p.longLived?.operations),
            deepestVersion: Math.max(...progresses.map((p) => p.longLived?.deepestVersion ?? 0)),
          },
        }
      : {}),
  };
}

/** The counts of a coverage and how workers' values of each make the run's; a new count must be given its way here. */
type Count = Exclude<keyof RunCoverage, "opsPerSecond" | "traffic" | "notReached" | "workers" | "longLived" | "throughput">;
const mergedBy: { [K in Count]-?: "sum" | "max" } = {
  operations: "sum",
  accounts: "sum",
  maxSequence: "max",
  largestWallet: "max",
  largestAcceptedWallet: "max",
  peakContenders: "max",
  conflictsRebased: "sum",
  replacedTokenUses: "sum",
  passwordChanges: "sum",
  passwordChangesRaced: "sum",
  socketsOpened: "sum",
  notificationsHeard: "sum",
  faults: "sum",
  restarts: "sum",
};

export interface WorkerCoverage {
  report: Pick<WorkerReport, "index" | "seed">;
  coverage: RunCoverage;
}

/**
 * The run's coverage from its workers': `wallMs` is the time from starting
 * the workers to the last one's report, over which their operations are
 * counted per second; `cap` is the run's --rate, which they shared.
 */
export function mergeCoverage(workers: readonly WorkerCoverage[], wallMs: number, cap: number | undefined): RunCoverage | undefined {
  const coverages = workers.map((worker) => worker.coverage);
  if (coverages.length === 0) return undefined;
  const counts = mergeFields(coverages, mergedBy);
  const { operations = 0, ...others } = counts;
  const traffics = coverages.map((coverage) => coverage.traffic).filter((traffic) => traffic !== undefined);
  const first = traffics[0];
  const rate = traffics.reduce((total, traffic) => total + traffic.rate, 0);
  return {
    // The order of one process's coverage.
    operations,
    opsPerSecond: wallMs > 0 ? operations / (wallMs / 1000) : 0,
    ...(others as Record<Exclude<Count, "operations">, number>),
    ...(first ? { traffic: { profile: first.profile, rate, minimalRate: first.minimalRate, ...(cap !== undefined ? { cap } : {}), trusted: rate >= first.minimalRate } } : {}),
    notReached: notReachedByAll(coverages, counts),
    ...mergeLongLived(coverages),
    workers: workers.map(({ report, coverage }) => ({
      seed: report.seed,
      operations: coverage.operations,
      accounts: coverage.accounts,
      opsPerSecond: coverage.opsPerSecond,
    })),
  };
}

/** How workers' figures of their long-lived accounts make the run's; a new figure must be given its way here. */
const longLivedMergedBy: { [K in Exclude<keyof LongLivedCoverage, "stopped">]-?: "sum" | "max" } = {
  accounts: "sum",
  devicesPerAccount: "max",
  newcomers: "sum",
  operations: "sum",
  maxSequence: "max",
  windows: "sum",
  peakRetainedOperations: "max",
};

/** A soak's long-lived accounts of every worker, and the throughput of all of them, as one. */
function mergeLongLived(coverages: readonly RunCoverage[]): Pick<RunCoverage, "longLived" | "throughput"> {
  const pools = coverages.flatMap((coverage) => (coverage.longLived ? [coverage.longLived] : []));
  const serieses = coverages.flatMap((coverage) => (coverage.throughput ? [coverage.throughput] : []));
  const stopped = pools.find((pool) => pool.stopped !== undefined)?.stopped;
  return {
    ...(pools.length > 0
      ? { longLived: { ...(mergeFields(pools, longLivedMergedBy) as Omit<LongLivedCoverage, "stopped">), ...(stopped ? { stopped } : {}) } }
      : {}),
    ...(serieses.length > 0 ? { throughput: mergeThroughput(serieses) } : {}),
  };
}

/** Each field of `by` over the records that have it: their sum or their largest; a field none of them has is left out. */
function mergeFields<K extends string>(records: readonly object[], by: Record<K, "sum" | "max">): Partial<Record<K, number>> {
  const merged: Partial<Record<K, number>> = {};
  for (const key of Object.keys(by) as K[]) {
    const values = records.map((record) => (record as Partial<Record<K, unknown>>)[key]).filter((value): value is number => typeof value === "number");
    if (values.length > 0) merged[key] = by[key] === "sum" ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
  }
  return merged;
}

/** A dimension is reached when any worker reached it: what no worker reached, with what they reached together. */
function notReachedByAll(coverages: readonly RunCoverage[], counts: Partial<Record<Count, number>>): RunCoverage["notReached"] {
  const [first, ...others] = coverages;
  if (!first) return [];
  return first.notReached
    .filter((gap) => others.every((coverage) => coverage.notReached.some((other) => other.dimension === gap.dimension)))
    .map((gap) => {
      const gaps = coverages.flatMap((coverage) => coverage.notReached.filter((other) => other.dimension === gap.dimension));
      const merged = counts[gap.dimension as Count];
      return {
        dimension: gap.dimension,
        target: Math.max(...gaps.map((other) => other.target)),
        reached: merged ?? Math.max(...gaps.map((other) => other.reached)),
      };
    });
}

/** What the case reports for the workers together. */
export interface MergedCase {
  findings: Finding[];
  interleaving?: InterleavingEvidence;
  /** Set when no worker exercised the requirement. */
  notExercised?: string;
  /** Set when the workload could not start because the server refused a signup or login that other cases own: the case is blocked by them. */
  refused?: { requirement: string; message: string };
}

/**
 * One interleaving case's result from its results in every worker. The
 * findings it keeps are its own requirement's and those of a workload that
 * could not start; schema findings of the workers' exchanges are found again
 * by the run itself (the exchanges are recorded again), so that the case
 * owning them reports them once. The case fails when a worker found a
 * MUST broken: the first such worker's findings and evidence are kept, each
 * finding naming the worker and its seed. When nothing failed, the case
 * that ran the workloads (`owner`) shows a history, as one process's does:
 * the first worker's last.
 */
export function mergeCase(requirement: string, reports: readonly WorkerReport[], owner: boolean): MergedCase {
  const count = reports.length;
  const own = new Set<string>([requirement, ...startupRequirements]);
  const entries = reports.flatMap((report) => {
    const result = report.results.find((candidate) => candidate.requirement === requirement);
    return result ? [{ report, result, findings: result.findings.filter((finding) => own.has(finding.requirement)) }] : [];
  });
  if (entries.length === 0) return { findings: [], notExercised: "the run was interrupted before any worker ran its workloads" };
  // Every case of a worker tells the same number of runs, when it shows a history at all.
  const runs = reports.reduce((total, report) => total + Math.max(0, ...report.results.map((result) => result.interleaving?.runs ?? 0)), 0);
  const evidence = (result: CheckResult | undefined): InterleavingEvidence | undefined => result?.interleaving && { ...result.interleaving, runs };
  const named = (entry: (typeof entries)[number], note = ""): Finding[] =>
    entry.findings.map((finding, index) => ({ ...finding, message: `${capitalized(workerName(entry.report, count))}: ${finding.message}${index === 0 ? note : ""}` }));

  // A MUST finding: SHOULD findings (LIN-7) of every worker are shown, and the run's --strict judges them.
  const [chosen, ...alsoFailing] = entries.filter((entry) => entry.result.error !== undefined || verdictOf(entry.findings, false) === "failed");
  if (chosen) {
    const note = alsoFailing.length > 0 ? ` [Also broken in ${alsoFailing.map((entry) => workerName(entry.report, count)).join(", ")}.]` : "";
    const findings = named(chosen, note);
    const interleaving = evidence(chosen.result);
    const refused = findings.length > 0 && findings.every((finding) => finding.requirement !== requirement && finding.requirement !== "LIN-7") ? findings.at(-1) : undefined;
    return {
      findings,
      ...(interleaving ? { interleaving } : {}),
      ...(refused ? { refused: { requirement: refused.requirement, message: refused.message } } : {}),
    };
  }
  // The history a worker showed for the run: its case that ran the workloads carries the coverage too.
  const interleaving = owner ? evidence(reports.flatMap((report) => report.results).find((result) => result.coverage !== undefined)) : undefined;
  const unexercised = entries.every((entry) => entry.result.verdict === "not-exercised") ? entries[0]!.result.notExercised : undefined;
  return {
    findings: entries.flatMap((entry) => named(entry)),
    ...(interleaving ? { interleaving } : {}),
    ...(unexercised !== undefined ? { notExercised: unexercised } : {}),
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
