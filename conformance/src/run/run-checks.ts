// Runs cases against one server with bounded concurrency and turns what they
// report into verdicts, totals and an exit code. Cases are independent (each
// makes its own accounts), so any order and any interleaving is fine.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";
import { connectionDispatcher, directConnection, type ConnectionSettings } from "../client/connection.js";
import type { Exchange, ProtocolClientOptions } from "../client/protocol-client.js";
import { makeFinding, totalsOf, verdictOf, type CheckResult, type Finding, type FindingInput, type InterleavingEvidence, type RunResult } from "../model/result.js";
import { type CheckCase } from "../model/case.js";
import { resolveInterleavingSettings, type InterleavingSettings } from "../interleavings/property/settings.js";
import { CheckAborted, type CaseProgress, type CheckContext } from "../model/context.js";
import { defaultConcurrency, defaultTimeoutMs } from "../defaults.js";
import { curlCommand, type CurlContext } from "../report/curl.js";
import { judgeAgainstBaseline, type Baseline } from "./baseline.js";
import { forEachBounded } from "./pool.js";
import { RetryingClient } from "./retrying-client.js";
import { schemaFinding } from "./schema-findings.js";

export interface RunOptions {
  baseUrl: string;
  /** True when the suite started the server itself (reports say so). */
  embedded?: boolean;
  /** Per-request timeout; default 10000 ms. */
  timeoutMs?: number;
  /** Cases running at once; default 4. */
  concurrency?: number;
  /** SHOULD findings fail the run. */
  strict?: boolean;
  /** Known failures: listed cases that fail do not fail the run. */
  baseline?: Baseline;
  /** Stop at the first failed case: cases not yet started do not run. */
  failFast?: boolean;
  /** Milliseconds the run may take: randomized workloads are not started past 90% of it. */
  maxTimeMs?: number;
  /** Extra headers, TLS trust and proxies; none by default. */
  connection?: ConnectionSettings;
  /** Part of every unique name; random by default. */
  runId?: string;
  /** Runs, seed, replay of the interleaving properties; defaults for what is not given. */
  interleavings?: Partial<InterleavingSettings>;
  /** Called as each case starts, for progress output. */
  onStart?: (check: CheckCase) => void;
  /** Called as each case finishes, for progress output. */
  onResult?: (result: CheckResult) => void;
  /** Called when a long case reports how far it has got. */
  onProgress?: (check: CheckCase, progress: CaseProgress) => void;
}

export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

export async function runChecks(cases: readonly CheckCase[], options: RunOptions): Promise<RunResult> {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const strict = options.strict ?? false;
  const runId = options.runId ?? newRunId();
  // Past the budget's last tenth no workload starts: what runs then finishes and is reported.
  const deadline = options.maxTimeMs !== undefined ? performance.now() + options.maxTimeMs * 0.9 : undefined;
  const interleavings = resolveInterleavingSettings({ ...options.interleavings, ...(deadline !== undefined ? { deadline } : {}) });
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
  let nameCounter = 0;
  const unique = (label: string) => `${runId}-${++nameCounter}-${label.replace(/[^A-Za-z0-9-]/g, "-")}`;

  const startedAt = new Date();
  const started = performance.now();
  const results = new Map<CheckCase, CheckResult>();
  const onProgress = options.onProgress;
  let stopped = false;
  const runOne = async (check: CheckCase): Promise<void> => {
    if (stopped) return;
    options.onStart?.(check);
    const progress = (update: CaseProgress) => onProgress?.(check, update);
    const result = judgeAgainstBaseline(await runCase(check, { baseUrl, timeoutMs, strict, runId, unique, dispatcher, progress, interleavings, curl }), options.baseline);
    results.set(check, result);
    if (options.failFast && result.verdict === "failed") stopped = true;
    options.onResult?.(result);
  };
  try {
    const shared = cases.filter((c) => !c.exclusive);
    await forEachBounded(shared, options.concurrency ?? defaultConcurrency, runOne);
    for (const check of cases.filter((c) => c.exclusive)) await runOne(check);
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }

  const ordered = cases.flatMap((c) => results.get(c) ?? []);
  const totals = totalsOf(ordered);
  return {
    runId,
    target: { url: baseUrl, embedded: options.embedded ?? false },
    strict,
    timeoutMs,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    results: ordered,
    totals,
    exitCode: totals.failed > 0 ? 1 : 0,
    ...(ordered.length < cases.length ? { casesNotRun: cases.length - ordered.length } : {}),
  };
}

interface CaseEnvironment {
  baseUrl: string;
  timeoutMs: number;
  strict: boolean;
  runId: string;
  unique: (label: string) => string;
  dispatcher: Dispatcher;
  progress: (update: CaseProgress) => void;
  interleavings: InterleavingSettings;
  curl: CurlContext;
}

/** Exchanges of a finding given a curl command line each, at most this many. */
const curlPerFinding = 3;

async function runCase(check: CheckCase, env: CaseEnvironment): Promise<CheckResult> {
  const findings: Finding[] = [];
  const exchanges: Exchange[] = [];
  let interleaving: InterleavingEvidence | undefined;
  const schemaMismatches = new Set<string>();
  const report = (input: FindingInput) => {
    const finding = makeFinding(input);
    const repeatable = finding.exchanges.slice(0, curlPerFinding);
    findings.push(repeatable.length > 0 ? { ...finding, curl: repeatable.map((e) => curlCommand(e, env.curl)) } : finding);
  };
  const record = (exchange: Exchange) => {
    exchanges.push(exchange);
    const mismatch = schemaFinding(exchange);
    // One finding per distinct mismatch: a server that gets one body wrong gets it wrong every time.
    if (mismatch && !schemaMismatches.has(mismatch.key)) {
      schemaMismatches.add(mismatch.key);
      report(mismatch.finding);
    }
  };
  const clientOptions = (): ProtocolClientOptions => ({
    baseUrl: env.baseUrl,
    timeoutMs: env.timeoutMs,
    dispatcher: env.dispatcher,
    onExchange: record,
  });
  const ctx: CheckContext = {
    baseUrl: env.baseUrl,
    timeoutMs: env.timeoutMs,
    interleavings: env.interleavings,
    runId: env.runId,
    client: new RetryingClient(clientOptions()),
    clientOptions,
    unique: env.unique,
    uniqueEmail: (label) => `ws-${env.unique(label)}@example.com`,
    report,
    record,
    reportProgress: env.progress,
    attachInterleaving: (evidence) => {
      interleaving = evidence;
    },
  };

  const startedAt = new Date();
  const started = performance.now();
  let error: string | undefined;
  try {
    await check.run(ctx);
  } catch (thrown) {
    if (!(thrown instanceof CheckAborted) || findings.length === 0) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
      report({ requirement: check.requirement, message: `the check stopped with an exception: ${error}` });
    }
  }
  return {
    id: check.id,
    requirement: check.requirement,
    level: check.level,
    title: check.title,
    // A check that threw proves nothing either way: failed, whatever its level.
    verdict: error !== undefined ? "failed" : verdictOf(findings, env.strict),
    findings,
    exchanges,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    ...(error !== undefined ? { error } : {}),
    ...(interleaving !== undefined ? { interleaving } : {}),
  };
}
