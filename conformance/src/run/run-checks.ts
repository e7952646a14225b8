// Runs cases against one server with bounded concurrency and turns what they
// report into verdicts, totals and an exit code. Cases are independent (each
// makes its own accounts), so any order and any interleaving is fine.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";
import { connectionDispatcher, directConnection, type ConnectionSettings } from "../client/connection.js";
import type { Exchange, ProtocolClientOptions } from "../client/protocol-client.js";
import { makeFinding, totalsOf, verdictOf, type CheckResult, type Finding, type FindingInput, type InterleavingEvidence, type RunCoverage, type RunResult } from "../model/result.js";
import { type CheckCase } from "../model/case.js";
import { resolveInterleavingSettings, type InterleavingSettings } from "../interleavings/property/settings.js";
import { notTrustedReason } from "../interleavings/property/traffic-rate.js";
import { CheckAborted, SetupRefused, type CaseProgress, type CheckContext } from "../model/context.js";
import { aloneBudgetMs, defaultAloneRuns, defaultConcurrency, defaultTimeoutMs } from "../defaults.js";
import { curlCommand, type CurlContext } from "../client/curl.js";
import { withAloneRuns } from "./alone.js";
import { judgeAgainstBaseline, type Baseline } from "./baseline.js";
import { onlyRefused, settleBlocked, type SetupRefusal } from "./blocked.js";
import { forEachBounded } from "../for-each-bounded.js";
import { RetryingClient } from "./retrying-client.js";
import { RateLimits } from "../client/rate-limit.js";
import { schemaFindings, type SchemaFinding } from "./schema-findings.js";
import { defaultProfile, type ProfileName } from "../../../spec/index.js";

export interface RunOptions {
  /** The profile the server speaks; the seed profile by default. */
  profile?: ProfileName;
  /** The server's root, or the first node of a deployment. */
  baseUrl: string;
  /** The other nodes of a deployment that baseUrl is a node of, all checked as one server; none by default. */
  otherNodes?: readonly string[];
  /** True when the suite started the server itself (reports say so). */
  embedded?: boolean;
  /** Per-request timeout; default 10000 ms. */
  timeoutMs?: number;
  /** Cases running at once; default 4. */
  concurrency?: number;
  /** Times each contract case that fails the run is run again alone after it (default 2; 0: never); not with concurrency 1, where every case ran alone. */
  aloneRuns?: number;
  /** SHOULD findings fail the run. */
  strict?: boolean;
  /** Known failures: listed cases that fail do not fail the run. */
  baseline?: Baseline;
  /** Stop at the first failed case: cases not yet started do not run. */
  failFast?: boolean;
  /**
   * Aborted on an interruption (SIGINT, SIGTERM): no further case starts,
   * randomized workloads stop starting requests, and what ran is judged and
   * reported, marked interrupted.
   */
  interrupt?: AbortSignal;
  /** Milliseconds the run may take: randomized workloads are not started past 90% of it. */
  maxTimeMs?: number;
  /** Extra headers, TLS trust and proxies; none by default. */
  connection?: ConnectionSettings;
  /** Part of every unique name; random by default. */
  runId?: string;
  /** Paces the whole run at this many requests per second (--rate-limit). */
  requestsPerSecond?: number;
  /** Runs, seed, replay of the interleaving properties; defaults for what is not given. */
  interleavings?: Partial<InterleavingSettings>;
  /** Called as each case starts, for progress output. */
  onStart?: (check: CheckCase) => void;
  /** Called as each case finishes, for progress output. */
  onResult?: (result: CheckResult) => void;
  /** Called when a long case reports how far it has got. */
  onProgress?: (check: CheckCase, progress: CaseProgress) => void;
  /** Called as a failed case starts to run again alone, after every case ran. */
  onRunAgain?: (check: CheckCase) => void;
}

export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

export async function runChecks(cases: readonly CheckCase[], options: RunOptions): Promise<RunResult> {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const nodeUrls = [baseUrl, ...(options.otherNodes ?? []).map((url) => url.replace(/\/+$/, ""))];
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const strict = options.strict ?? false;
  const runId = options.runId ?? newRunId();
  // Past the budget's last tenth no workload starts: what runs then finishes and is reported.
  const deadline = options.maxTimeMs !== undefined ? performance.now() + options.maxTimeMs * 0.9 : undefined;
  const interleavings = resolveInterleavingSettings({
    ...options.interleavings,
    ...(deadline !== undefined ? { deadline } : {}),
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
  });
  const connection = options.connection ?? directConnection;
  const curl: CurlContext = {
    baseUrl,
    redactedHeaders: Object.keys(connection.headers),
    ...(connection.caFile !== undefined ? { caFile: connection.caFile } : {}),
    insecure: connection.insecure,
  };
  // pipelining 0: a fresh connection per request, so a server closing an idle keep-alive
  // connection can never look like a connection dropped in answer to a request.
  const dispatcher = connectionDispatcher(connection, { timeoutMs, connections: 128, pipelining: 0 });
  const rateLimits = new RateLimits(options.requestsPerSecond ? { requestsPerSecond: options.requestsPerSecond } : {});
  const schemaReports = new SchemaReports(cases);
  const profile = options.profile ?? defaultProfile;
  const misplaced = cases.filter((check) => !check.profiles.includes(profile));
  if (misplaced.length > 0) throw new Error(`cases of another profile than ${profile}: ${misplaced.map((c) => c.id).join(", ")}`);
  let nameCounter = 0;
  const unique = (label: string) => `${runId}-${++nameCounter}-${label.replace(/[^A-Za-z0-9-]/g, "-")}`;

  const startedAt = new Date();
  const started = performance.now();
  const results = new Map<CheckCase, CheckResult>();
  const refusals = new Map<CheckCase, SetupRefusal>();
  const onProgress = options.onProgress;
  const concurrency = options.concurrency ?? defaultConcurrency;
  const environment = { profile, baseUrl, nodeUrls, timeoutMs, connection, strict, runId, unique, dispatcher, rateLimits, schemaReports, interleavings, curl };
  let stopped = false;
  const runOne = async (check: CheckCase): Promise<void> => {
    if (stopped || options.interrupt?.aborted) return;
    options.onStart?.(check);
    const progress = (update: CaseProgress) => onProgress?.(check, update);
    const { result, refusal } = await runCase(check, { ...environment, progress });
    results.set(check, result);
    if (refusal) refusals.set(check, refusal);
    const judged = judgeAgainstBaseline(result, options.baseline);
    if (options.failFast && judged.verdict === "failed") stopped = true;
    // Progress shows a case its set-up refusal stopped as blocked already: the run settles which case owns the failure.
    options.onResult?.(refusal && onlyRefused(result, refusal) ? { ...judged, verdict: "blocked" } : judged);
  };
  try {
    const shared = cases.filter((c) => !c.exclusive);
    await forEachBounded(shared, concurrency, runOne);
    for (const check of cases.filter((c) => c.exclusive)) await runOne(check);
    // Schema mismatches and set-up refusals seen only by other cases join their owning case now; the baseline judges the settled verdicts.
    schemaReports.settle(results, strict);
    settleBlocked(cases, results, refusals, strict);
    if (concurrency > 1 && !options.interrupt?.aborted) {
      const quietly = { ...environment, schemaReports: new SchemaReports(cases), progress: () => undefined };
      // Failures the baseline expects are known: only those that fail the run are run again.
      const failsTheRun = (result: CheckResult) => judgeAgainstBaseline(result, options.baseline).verdict === "failed";
      await runFailedAlone(cases, results, failsTheRun, options.aloneRuns ?? defaultAloneRuns, deadline, (check) => {
        options.onRunAgain?.(check);
        return runCase(check, quietly);
      });
    }
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
  const ordered = cases.flatMap((c) => {
    const result = results.get(c);
    return result ? [judgeAgainstBaseline(result, options.baseline)] : [];
  });
  const totals = totalsOf(ordered);
  return {
    runId,
    profile,
    target: { url: baseUrl, embedded: options.embedded ?? false, ...(nodeUrls.length > 1 ? { nodes: nodeUrls } : {}) },
    strict,
    timeoutMs,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    results: ordered,
    totals,
    rateLimits: rateLimits.totals(),
    // Blocked cases do not count: the case owning their refused step does.
    exitCode: totals.failed > 0 ? 1 : 0,
    ...(ordered.length < cases.length ? { casesNotRun: cases.length - ordered.length } : {}),
    ...(options.interrupt?.aborted ? { interrupted: interruptionOf(options.interrupt) } : {}),
    ...coverageOf(ordered),
  };
}

/** The run's coverage and, when its workloads ran below their profile's minimal rate, why it is not trusted. */
function coverageOf(results: readonly CheckResult[]): { coverage?: RunCoverage; notTrusted?: string } {
  // The case that ran the randomized workloads attached it.
  const coverage = results.find((result) => result.coverage !== undefined)?.coverage;
  if (!coverage) return {};
  const notTrusted = notTrustedReason(coverage.traffic);
  return { coverage, ...(notTrusted !== undefined ? { notTrusted } : {}) };
}

/** What ended the run early: the signal named as the abort's reason. */
function interruptionOf(signal: AbortSignal): string {
  return typeof signal.reason === "string" ? signal.reason : "interrupted";
}

interface CaseEnvironment {
  profile: ProfileName;
  baseUrl: string;
  nodeUrls: readonly string[];
  timeoutMs: number;
  connection: ConnectionSettings;
  strict: boolean;
  runId: string;
  unique: (label: string) => string;
  dispatcher: Dispatcher;
  rateLimits: RateLimits;
  schemaReports: SchemaReports;
  progress: (update: CaseProgress) => void;
  interleavings: InterleavingSettings;
  curl: CurlContext;
}

/**
 * Runs each failed contract case again `runs` times, one at a time with
 * nothing else in flight, while the time for it lasts, and notes on its
 * findings how often it passed. Exclusive cases (interleavings) already ran alone.
 */
async function runFailedAlone(
  cases: readonly CheckCase[],
  results: Map<CheckCase, CheckResult>,
  failsTheRun: (result: CheckResult) => boolean,
  runs: number,
  runDeadline: number | undefined,
  runAgain: (check: CheckCase) => Promise<CaseRun>,
): Promise<void> {
  const until = Math.min(performance.now() + aloneBudgetMs, runDeadline ?? Number.POSITIVE_INFINITY);
  const runExchanges = [...results.values()].flatMap((r) => r.exchanges);
  for (const check of cases) {
    const result = results.get(check);
    if (!result || !failsTheRun(result) || check.exclusive) continue;
    let made = 0;
    let passed = 0;
    while (made < runs && performance.now() < until) {
      const { result: again } = await runAgain(check);
      made++;
      if (again.verdict !== "failed") passed++;
    }
    if (made > 0) results.set(check, withAloneRuns(result, { runs: made, passed }, runExchanges));
  }
}

/** Exchanges of a finding given a curl command line each, at most this many. */
const curlPerFinding = 3;

interface CaseRun {
  result: CheckResult;
  /** Set when a set-up step of another requirement than the case's was refused. */
  refusal?: SetupRefusal;
}

async function runCase(check: CheckCase, env: CaseEnvironment): Promise<CaseRun> {
  const findings: Finding[] = [];
  const exchanges: Exchange[] = [];
  let interleaving: InterleavingEvidence | undefined;
  let coverage: RunCoverage | undefined;
  let notExercised: string | undefined;
  const report = (input: FindingInput) => {
    const finding = makeFinding(input);
    const repeatable = finding.exchanges.slice(0, curlPerFinding);
    findings.push(repeatable.length > 0 ? { ...finding, curl: repeatable.map((e) => curlCommand(e, env.curl)) } : finding);
  };
  /** Keeps the exchange and reports its schema findings, each once in the run. */
  const keep = (exchange: Exchange, mismatches: readonly SchemaFinding[]) => {
    exchanges.push(exchange);
    for (const mismatch of mismatches) {
      if (env.schemaReports.claim(check, mismatch)) report(mismatch.finding);
    }
  };
  const record = (exchange: Exchange) => keep(exchange, schemaFindings(exchange, env.profile));
  const nodeUrl = (node: number): string => {
    const url = env.nodeUrls[node];
    if (url === undefined) throw new RangeError(`the deployment has no node ${node + 1}`);
    return url;
  };
  const clientOptions = (node = 0): ProtocolClientOptions => ({
    baseUrl: nodeUrl(node),
    profile: env.profile,
    timeoutMs: env.timeoutMs,
    dispatcher: env.dispatcher,
    rateLimits: env.rateLimits,
    onExchange: record,
  });
  const client = new RetryingClient(clientOptions());
  const nodeClients = new Map<number, RetryingClient>([[0, client]]);
  const ctx: CheckContext = {
    profile: env.profile,
    baseUrl: env.baseUrl,
    nodeUrls: env.nodeUrls,
    timeoutMs: env.timeoutMs,
    connection: env.connection,
    interleavings: env.interleavings,
    runId: env.runId,
    client,
    nodeClient: (node) => {
      if (!nodeClients.has(node)) nodeClients.set(node, new RetryingClient(clientOptions(node)));
      return nodeClients.get(node)!;
    },
    clientOptions,
    unique: env.unique,
    uniqueEmail: (label) => `ws-${env.unique(label)}@example.com`,
    report,
    record,
    recordOffSpec: (exchange) => {
      const mismatches = schemaFindings(exchange, env.profile);
      if (mismatches.length > 0) keep(exchange, mismatches);
    },
    reportProgress: env.progress,
    attachInterleaving: (evidence) => {
      interleaving = evidence;
    },
    attachCoverage: (exercised) => {
      coverage = exercised;
    },
    notExercised: (reason) => {
      notExercised = reason;
    },
  };

  const startedAt = new Date();
  const started = performance.now();
  let error: string | undefined;
  let refusal: SetupRefusal | undefined;
  try {
    await check.run(ctx);
  } catch (thrown) {
    const refused = findings.at(-1);
    if (thrown instanceof SetupRefused && thrown.requirement !== check.requirement && refused?.requirement === thrown.requirement) {
      refusal = { requirement: thrown.requirement, finding: refused };
    }
    if (!(thrown instanceof CheckAborted) || findings.length === 0) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
      report({ requirement: check.requirement, message: `the check stopped with an exception: ${error}` });
    }
  }
  const result: CheckResult = {
    id: check.id,
    requirement: check.requirement,
    level: check.level,
    title: check.title,
    // A check that threw proves nothing either way: failed, whatever its level. Findings outweigh "not exercised".
    verdict: error !== undefined ? "failed" : notExercised !== undefined && findings.length === 0 ? "not-exercised" : verdictOf(findings, env.strict),
    findings,
    exchanges,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    ...(error !== undefined ? { error } : {}),
    ...(interleaving !== undefined ? { interleaving } : {}),
    ...(notExercised !== undefined && findings.length === 0 ? { notExercised } : {}),
    ...(coverage !== undefined ? { coverage } : {}),
  };
  return { result, ...(refusal ? { refusal } : {}) };
}

/**
 * One cause, one failure: a schema mismatch is reported once, by the first
 * case of the run that owns its requirement (and operation), however many
 * cases see it on their way (every case logs in). The others go on and judge
 * what they exist to judge. A mismatch only other cases saw is added to its
 * owner when the run ends, or to the first case that saw it when the run has
 * no owner (--only).
 */
class SchemaReports {
  private readonly reported = new Map<CheckCase, Set<string>>();
  private readonly seenElsewhere = new Map<string, { mismatch: SchemaFinding; seenBy: CheckCase }>();

  constructor(private readonly cases: readonly CheckCase[]) {}

  ownerOf(mismatch: SchemaFinding): CheckCase | undefined {
    return this.cases.find(
      (c) =>
        c.requirement === mismatch.finding.requirement &&
        (c.schemaOperations === undefined || c.schemaOperations.includes(mismatch.operation)),
    );
  }

  /** Whether `check` reports this mismatch now: it owns it and has not reported it yet. */
  claim(check: CheckCase, mismatch: SchemaFinding): boolean {
    if (this.ownerOf(mismatch) !== check) {
      if (!this.seenElsewhere.has(mismatch.key)) this.seenElsewhere.set(mismatch.key, { mismatch, seenBy: check });
      return false;
    }
    const keys = this.reported.get(check) ?? new Set<string>();
    this.reported.set(check, keys);
    if (keys.has(mismatch.key)) return false;
    keys.add(mismatch.key);
    return true;
  }

  /** Adds the mismatches their owners did not see themselves, and levels those results again. */
  settle(results: Map<CheckCase, CheckResult>, strict: boolean): void {
    for (const [key, { mismatch, seenBy }] of this.seenElsewhere) {
      const target = this.ownerOf(mismatch) ?? seenBy;
      const result = results.get(target);
      const keys = this.reported.get(target) ?? new Set<string>();
      this.reported.set(target, keys);
      if (!result || keys.has(key)) continue;
      keys.add(key);
      result.findings.push(makeFinding(mismatch.finding));
      if (result.error === undefined) result.verdict = verdictOf(result.findings, strict);
    }
  }
}
