// What checks produce: findings, each naming the requirement it breaks, and
// the results of cases and runs, so reports can group and level them without
// knowing what the checks do.
import { requirementById, type Level, type ProfileName } from "../../../spec/index.js";
import type { Exchange } from "../client/protocol-client.js";
import type { RateLimitTotals } from "../client/rate-limit.js";
import type { Violation } from "../history/findings.js";
import type { History } from "../history/history.js";

/** What a check observed that breaks a requirement. */
export interface Finding {
  requirement: string;
  /** The level of `requirement`: a MUST finding fails the check, a SHOULD finding warns. */
  level: Level;
  /** One sentence: what went wrong. */
  message: string;
  /** What was sent (a request, a walkthrough statement), as text. */
  sent?: string;
  /** What came back, as text ("409 {...}", "the server closed the connection"). */
  received?: string;
  /** What the requirement expected instead. */
  expected?: string;
  /** The exchanges that show it, for reports that print them. */
  exchanges: Exchange[];
  /** Command lines that repeat those exchanges by hand (curl), headers given with --header redacted. */
  curl?: string[];
  /** Set on the findings of a failed case that was run again alone after the run: how that went. */
  alone?: AloneRuns;
}

/** How large a workload is: a counterexample's, or the first failing one's. */
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

/** A failed case run again with nothing else in flight: does it fail only under load? */
export interface AloneRuns {
  /** Runs made alone. */
  runs: number;
  /** Of them, the runs that did not fail. */
  passed: number;
  /** Requests of the run in flight at once (this one included) while the finding's exchange was. */
  inFlight: number;
}

/** "fails alone too", or "only while other requests were in flight (5 at once); alone it passed 2 of 2". */
export function describeAlone(alone: AloneRuns): string {
  if (alone.passed === 0) return "fails alone too";
  if (alone.passed < alone.runs) return `fails now and then, also alone: it passed ${alone.passed} of ${alone.runs} runs alone`;
  const passed = `alone it passed ${alone.passed} of ${alone.runs}`;
  return alone.inFlight > 1 ? `only while other requests were in flight (${alone.inFlight} at once); ${passed}` : `did not fail again: ${passed}`;
}

export type FindingInput = Omit<Finding, "level" | "exchanges"> & { exchanges?: Exchange[] };

export function makeFinding(input: FindingInput): Finding {
  const { level } = requirementById(input.requirement);
  return { ...input, level, exchanges: input.exchanges ?? [] };
}

/**
 * passed: no finding. warned: only SHOULD findings. failed: a MUST finding,
 * a SHOULD finding under --strict, or the check itself threw.
 * With a baseline (--baseline): expected-failure, a listed case that failed
 * (it does not fail the run); stale-baseline, a listed case that no longer
 * fails (it does not fail the run either, but its entry should go).
 * blocked: a set-up step the case shares with others (a signup, a login, a
 * first wallet) was refused; the case that owns that step reports it, and
 * the blocked case checked nothing of its own (it does not fail the run).
 * not-exercised: the run never did what the requirement is about (no crash
 * for DUR-1, no race for LIN-2), so it neither passed nor failed.
 */
export type Verdict = "passed" | "warned" | "failed" | "blocked" | "expected-failure" | "stale-baseline" | "not-exercised";

export function verdictOf(findings: readonly Finding[], strict: boolean): Verdict {
  if (findings.some((f) => f.level === "MUST")) return "failed";
  if (findings.length > 0) return strict ? "failed" : "warned";
  return "passed";
}

/**
 * What an interleaving property (LIN-*) observed, for reports that draw it:
 * the recorded history of the run that is reported (the failing one, or the
 * last one when all passed) and the violations found in it.
 */
export interface InterleavingEvidence {
  history: History;
  /** Each names the operations (ids in `history`) that contradict each other. */
  violations: Violation[];
  /** The seed of the reported run, to replay its workload. */
  seed?: number;
  /** Where the history was saved, to check it again without a server. */
  path?: string;
  /** How many randomized runs the property made in all. */
  runs?: number;
  /** Set when the history shows a failure: the workload that made it, and how to run it again. */
  counterexample?: InterleavingCounterexample;
  /** Set when a saved counterexample was replayed: how many executions it took, of how many allowed, and whether it failed again. */
  replayAttempts?: ReplayAttempts;
}

export interface ReplayAttempts {
  made: number;
  allowed: number;
  reproduced: boolean;
}

/** The (shrunk) workload of a failing interleaving property. */
export interface InterleavingCounterexample {
  /** The workload in words, one device a line. */
  workload: string[];
  /** How many accounts, devices and moves it has. */
  size?: WorkloadSize;
  /** For the final counterexample: how shrinking reached it from the first failure. */
  shrink?: ShrinkSummary;
  /** fast-check's path to it, only when `--seed <seed> --path <fastCheckPath>` generates this very workload (an unshrunk one). */
  fastCheckPath?: string;
  /** Command lines that run it again against the same server. */
  replayCommands: string[];
}

export interface CheckResult {
  id: string;
  requirement: string;
  level: Level;
  title: string;
  verdict: Verdict;
  findings: Finding[];
  /** Every exchange the check made, in order of completion. */
  exchanges: Exchange[];
  /** ISO time the check started, and how long it ran. */
  startedAt: string;
  durationMs: number;
  /** Set when the check threw instead of finishing: the exception's message. */
  error?: string;
  /** Set by interleaving properties (CheckContext.attachInterleaving). */
  interleaving?: InterleavingEvidence;
  /** Set when the baseline lists the case: the reason it gives. */
  baselineReason?: string;
  /** Set with the verdict not-exercised: what the run never did. */
  notExercised?: string;
  /** Set by the case that ran the randomized workloads: what they exercised. */
  coverage?: RunCoverage;
  /** Set when the verdict is blocked: the case that owns the refused set-up step, and that step's finding. */
  blockedBy?: BlockedBy;
}

/**
 * What a run's randomized workloads exercised: how far they went in each
 * dimension where servers break, and the dimensions they never reached.
 */
export interface RunCoverage {
  operations: number;
  opsPerSecond: number;
  /** Accounts signed up by the workloads. */
  accounts: number;
  /** The deepest version any account reached. */
  maxSequence: number;
  /** UTF-8 bytes of the largest wallet stored and read back whole. */
  largestWallet: number;
  /** The largest wallet the server accepted when probed before the workloads; absent when not even a small one was. */
  largestAcceptedWallet?: number;
  /** The most POSTs of one account and one sequence in flight at once. */
  peakContenders: number;
  /** 409s the client merged from. */
  conflictsRebased: number;
  /** Requests sent with a token a later login of the device had replaced. */
  replacedTokenUses: number;
  /** api3 only: password changes acknowledged, those that raced another write, sockets opened, frames heard. */
  passwordChanges?: number;
  passwordChangesRaced?: number;
  socketsOpened?: number;
  notificationsHeard?: number;
  /** With --faults: requests a fault was injected into. With --restarts: restarts of the server. */
  faults?: number;
  restarts?: number;
  /** The traffic profile the workloads were drawn as and the load they put on the server; absent when a saved workload was replayed. */
  traffic?: TrafficRate;
  /** Dimensions below what a run of this kind should reach, each with its target and what was reached. */
  notReached: Array<{ dimension: string; target: number; reached: number }>;
  /** A soak's long-lived accounts (their figures are in the totals above too). */
  longLived?: LongLivedCoverage;
  /** A soak's checked operations per second over its time: at most 120 points. */
  throughput?: ThroughputPoint[];
  /** --workers N: what each worker process did, in order, with the seed that generates its workloads again. */
  workers?: WorkerShare[];
}

/** One bucket of a soak's throughput chart. */
export interface ThroughputPoint {
  /** Seconds from the start of the randomized workloads to the end of the bucket. */
  atSeconds: number;
  /** Checked operations per second in the bucket: the workloads' and the long-lived accounts' together, */
  operationsPerSecond: number;
  /** of which the long-lived accounts'. */
  longLivedPerSecond: number;
}

/** One worker's part of a --workers run. */
export interface WorkerShare {
  seed: number;
  operations: number;
  accounts: number;
  opsPerSecond: number;
}

/** What a soak's long-lived accounts did: worked on for the whole run, checked online. */
export interface LongLivedCoverage {
  accounts: number;
  devicesPerAccount: number;
  /** Newcomers signed up beside them, each posting a first wallet and reading it back. */
  newcomers: number;
  operations: number;
  /** The deepest version they reached. */
  maxSequence: number;
  /** Windows the online checker judged, and the most operations it held at once (flat however long the run). */
  windows: number;
  peakRetainedOperations: number;
  /** Why they stopped before the soak's end, if they did. */
  stopped?: "violation" | "timeouts" | "interrupted";
}

/** The load of a run's randomized workloads against their traffic profile's minimal rate (--traffic, --rate). */
export interface TrafficRate {
  /** The traffic profile's name. */
  profile: string;
  /** Checked operations per second while the workloads ran: the probe, final reads and settle period left out. */
  rate: number;
  /** The rate the profile needs for its result to be trusted; 0: none. */
  minimalRate: number;
  /** --rate: the most requests per second the workloads were let send. */
  cap?: number;
  /** False when the rate was below the minimal rate: the run is not a pass, whatever its checks found. */
  trusted: boolean;
}

export interface BlockedBy {
  /** The id of the case that reports the step's failure. */
  case: string;
  /** The refused step, as its finding says it ("SIGNUP-1 (MUST) signing up a fresh account: answered 200, expected 201"). */
  step: string;
}

export interface Totals {
  checks: number;
  passed: number;
  warned: number;
  failed: number;
  /** Cases a refused set-up step kept from checking anything; the case owning that step counts as failed. */
  blocked: number;
  /** Cases the baseline lists that failed, as it expects. */
  expectedFailures: number;
  /** Cases the baseline lists that no longer fail. */
  staleBaseline: number;
  /** Cases whose requirement the run never exercised. */
  notExercised: number;
}

export interface RunResult {
  /** Part of every email and device id the run made, to find them in the server's logs. */
  runId: string;
  /** The profile the server was checked against (spec/profiles.ts). */
  profile: ProfileName;
  /** The server checked; `embedded` when the suite started the reference itself. */
  target: RunTarget;
  strict: boolean;
  /** Per-request timeout the run used. */
  timeoutMs: number;
  startedAt: string;
  durationMs: number;
  /** In registry order, whatever order they ran in. */
  results: CheckResult[];
  totals: Totals;
  /** How often the server (or its gateway) rate-limited the suite, and the pace the run kept. */
  rateLimits: RateLimitTotals;
  /** 0: conforms; 1: a MUST requirement failed (or a SHOULD one under --strict). */
  exitCode: 0 | 1;
  /** Set when --fail-fast stopped the run at its first failure: how many selected cases did not run. */
  casesNotRun?: number;
  /** What the randomized workloads exercised; absent when none ran. */
  coverage?: RunCoverage;
  /** Set when a signal (SIGINT, SIGTERM) stopped the run early: its name. What ran is judged; what did not is in casesNotRun. */
  interrupted?: string;
  /**
   * Set when the randomized workloads ran below their traffic profile's
   * minimal rate (coverage.traffic): why, in one sentence. The run is then
   * not a pass: the command exits 4 when nothing failed.
   */
  notTrusted?: string;
}

export interface RunTarget {
  /** The server, or the first node of a deployment. */
  url: string;
  embedded: boolean;
  /** Every node of a deployment checked as one server (--url given several times), in order: n1, n2, ... */
  nodes?: string[];
}

/** "http://host:8090", "a deployment of 3 nodes: n1 http://a, n2 http://b, n3 http://c", or the embedded reference. */
export function targetName(target: RunTarget): string {
  if (target.embedded) return `${target.url} (the embedded reference server)`;
  if (!target.nodes || target.nodes.length < 2) return target.url;
  return `a deployment of ${target.nodes.length} nodes: ${target.nodes.map((url, index) => `n${index + 1} ${url}`).join(", ")}`;
}

export function totalsOf(results: readonly CheckResult[]): Totals {
  const count = (verdict: Verdict) => results.filter((r) => r.verdict === verdict).length;
  return {
    checks: results.length,
    passed: count("passed"),
    warned: count("warned"),
    failed: count("failed"),
    blocked: count("blocked"),
    expectedFailures: count("expected-failure"),
    staleBaseline: count("stale-baseline"),
    notExercised: count("not-exercised"),
  };
}
