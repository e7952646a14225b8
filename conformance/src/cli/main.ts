// wallet-sync-conformance: list, select and run the cases against a server
// (or the embedded reference), print the report, write report files, and
// answer with the exit status: 0 conforms, 1 does not, 2 usage or unreachable,
// 3 interrupted, 4 not trusted (traffic below its profile's minimal rate).
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { defaultProfile, specProfile, type ProfileName } from "../../../spec/index.js";
import type { ConnectionSettings } from "../client/connection.js";
import { loadCounterexample, type Counterexample } from "../interleavings/property/counterexample-file.js";
import { nodesNeeded } from "../interleavings/workload/workload.js";
import type { RunResult } from "../model/result.js";
import { selectCases, unmatchedPrefixes } from "../model/selection.js";
import { casesOf } from "../registry.js";
import { ProgressDisplay } from "../report/progress.js";
import { writeReportFile } from "../report/write-file.js";
import { formatTerminalReport } from "../report/terminal.js";
import { baselineOfRun, loadBaseline, type Baseline } from "../run/baseline.js";
import { runChecks } from "../run/run-checks.js";
import { startEmbeddedReference, type EmbeddedServer } from "../target/embedded.js";
import { preflight } from "../target/preflight.js";
import { probe } from "../target/probe.js";
import { ServerProcess } from "../target/server-process.js";
import { checkHistoryCommand } from "./check-history.js";
import { configArguments, mergeArguments, splitConfigFlag } from "./config.js";
import { parseCliOptions, program, usage, UsageError, type CliOptions } from "./options.js";

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Present when stderr is a terminal: its width now (progress is then one line redrawn in place). */
  stderrColumns?: () => number;
}

const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  ...(process.stderr.isTTY ? { stderrColumns: () => process.stderr.columns ?? 80 } : {}),
};

/**
 * 0 conforms; 1 a failure; 2 a usage error or no server; 3 interrupted with
 * no failure in what ran; 4 no failure, but the randomized workloads ran
 * below their traffic profile's minimal rate, so the result is not trusted.
 */
export type ExitCode = 0 | 1 | 2 | 3 | 4;

export interface MainResult {
  exitCode: ExitCode;
  /** The run, when there was one. */
  run?: RunResult;
}

export async function main(argv: readonly string[], output: CliOutput = processOutput): Promise<ExitCode> {
  const interruption = onInterruption(output);
  try {
    return (await runCli(argv, output, interruption.signal)).exitCode;
  } finally {
    interruption.release();
  }
}

/**
 * The first SIGINT or SIGTERM stops the run from starting anything more:
 * what is in flight finishes, what ran is judged, and every report is
 * written, marked interrupted. A second one ends the command at once.
 */
function onInterruption(output: CliOutput): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const handle = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === "SIGINT" ? 130 : 143);
    output.stderr(`${program}: ${signal}: finishing what is in flight, then reporting what ran (${signal} again ends it at once)\n`);
    controller.abort(signal);
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
  return {
    signal: controller.signal,
    release: () => {
      process.off("SIGINT", handle);
      process.off("SIGTERM", handle);
    },
  };
}

/** main() with the run result kept, for tests and for tools built on the CLI; `interrupt` ends the run early, as a signal does. */
export async function runCli(argv: readonly string[], output: CliOutput = processOutput, interrupt?: AbortSignal): Promise<MainResult> {
  const fail = (message: string): MainResult => {
    output.stderr(`${program}: ${message}\n`);
    return { exitCode: 2 };
  };
  if (argv[0] === "check-history") return { exitCode: await checkHistoryCommand(argv.slice(1), output) };
  let options: CliOptions;
  try {
    const { file, rest } = splitConfigFlag(argv);
    options = parseCliOptions(file !== undefined ? mergeArguments(await configArguments(file), rest) : rest);
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message} (see --help)`);
    throw error;
  }
  if (options.help) {
    output.stdout(`${usage()}\n`);
    return { exitCode: 0 };
  }

  const registry = casesOf(options.profile);
  const unknown = unmatchedPrefixes(registry, options.only);
  if (unknown.length > 0) return fail(`--only ${unknown.join(",")} matches no case (see --list)`);
  const cases = selectCases(registry, options);
  if (cases.length === 0) return fail("--only and --skip leave no case to run");
  if (options.list) {
    output.stdout(cases.map((c) => `${c.id} ${c.level} ${c.file} ${c.title}\n`).join(""));
    return { exitCode: 0 };
  }

  let replay: Counterexample | undefined;
  if (options.replay !== undefined) {
    try {
      replay = await loadCounterexample(options.replay);
    } catch (error) {
      return fail(`cannot replay ${options.replay}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const recordedIn = replay.profile ?? defaultProfile;
    if (recordedIn !== options.profile) return fail(`cannot replay ${options.replay}: it was recorded with --protocol ${recordedIn}`);
  }

  let baseline: Baseline | undefined;
  if (options.baselineFile !== undefined) {
    try {
      baseline = await loadBaseline(options.baselineFile);
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error));
    }
    const known = new Set(registry.map((c) => c.id));
    const unknownIds = [...baseline.keys()].filter((id) => !known.has(id));
    if (unknownIds.length > 0) return fail(`the baseline ${options.baselineFile} names no case ${unknownIds.join(", ")} (see --list)`);
  }

  let connection: ConnectionSettings;
  try {
    connection = await connectionOf(options);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }

  if (replay && nodesNeeded(replay.workload) > Math.max(1, options.urls.length)) {
    return fail(`cannot replay ${options.replay}: its workload sends requests to ${nodesNeeded(replay.workload)} nodes; give each with --url`);
  }
  if (replay?.workload.restarts?.length && options.serverCommands.length < 2) {
    return fail(`cannot replay ${options.replay}: its workload restarts nodes; give each node's command with --server-cmd, once per --url`);
  }

  let embedded: EmbeddedServer | undefined;
  const started: ServerProcess[] = [];
  const stopStarted = () => Promise.all(started.map((server) => server.stop()));
  const roots = options.urls.map((node) => serverRoot(node, options.profile));
  for (const [index, root] of roots.entries()) {
    if (root !== options.urls[index]) {
      output.stderr(`${program}: --url ${options.urls[index]} ends with the ${options.profile} profile's prefix; checking ${root} as the server's root\n`);
    }
  }
  options = { ...options, urls: roots };
  let url = options.urls[0];
  // One after another, each answering before the next starts: the first node may create what the others share.
  for (const [index, command] of options.serverCommands.entries()) {
    try {
      started.push(await ServerProcess.start(command, options.urls[index]));
    } catch (error) {
      await stopStarted();
      return fail(error instanceof Error ? error.message : String(error));
    }
  }
  url = started[0]?.url ?? url;
  if (url === undefined) {
    try {
      embedded = await startEmbeddedReference(options.profile);
    } catch (error) {
      return fail(`cannot start the embedded reference server: ${error instanceof Error ? error.message : String(error)}`);
    }
    url = embedded.url;
  } else {
    for (const node of options.urls) {
      const reached = await probe(node, options.timeoutMs, { connection, waitForMs: options.waitForSeconds * 1000 });
      if (!reached.reachable) {
        await stopStarted();
        return fail(`cannot reach ${node}: ${reached.reason}`);
      }
    }
  }
  const account = { email: `ws-preflight-${randomBytes(6).toString("hex")}@example.com`, password: randomBytes(8).toString("hex"), clientSaltSeed: randomBytes(32).toString("hex") };
  const ready = await preflight(options.profile, url, account, { timeoutMs: options.timeoutMs, connection });
  if (!ready.ready) {
    await embedded?.close();
    await stopStarted();
    return fail(ready.reason);
  }
  const progress = options.quiet
    ? undefined
    : new ProgressDisplay(cases.length, {
        write: output.stderr,
        ...(output.stderrColumns ? { terminalColumns: output.stderrColumns } : {}),
      });
  try {
    const run = await runChecks(cases, {
      profile: options.profile,
      baseUrl: url,
      otherNodes: options.urls.slice(1),
      embedded: embedded !== undefined,
      timeoutMs: options.timeoutMs,
      ...(options.requestsPerSecond !== undefined ? { requestsPerSecond: options.requestsPerSecond } : {}),
      concurrency: options.concurrency,
      strict: options.strict,
      connection,
      ...(baseline ? { baseline } : {}),
      failFast: options.failFast,
      ...(interrupt ? { interrupt } : {}),
      ...(options.maxTimeSeconds !== undefined ? { maxTimeMs: options.maxTimeSeconds * 1000 } : {}),
      interleavings: {
        ...options.interleavings,
        ...(replay ? { replay } : {}),
        ...(options.faults ? { faults: true } : {}),
        // A replayed workload with node restarts needs its nodes restarted, whatever --restarts says.
        ...(started.length > 0 && (options.restarts > 0 || replay?.workload.restarts?.length) ? { restarts: { servers: started, count: options.restarts } } : {}),
        ...(started.length > 0 ? { started: { commands: options.serverCommands, urlPrinted: options.urls.length === 0 } } : {}),
        ...(options.workers > 1
          ? { workers: { count: options.workers, ...(options.requestsPerSecond !== undefined ? { requestsPerSecond: options.requestsPerSecond } : {}) } }
          : {}),
      },
      onStart: progress?.started,
      onResult: progress?.finished,
      onProgress: progress?.progressed,
      onRunAgain: progress?.runningAgain,
    });
    progress?.close();
    output.stdout(formatTerminalReport(run, { quiet: options.quiet, registry }));
    const writes = [
      ...options.reports.map(({ writer, file }) => ({ file, write: () => writer.write(run, file) })),
      ...(options.writeBaselineFile !== undefined ? [baselineWrite(run, options.writeBaselineFile)] : []),
    ];
    for (const { write, file } of writes) {
      try {
        await write();
      } catch (error) {
        output.stderr(`${program}: cannot write ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
        return { exitCode: 2, run };
      }
    }
    return { exitCode: exitCodeOf(run), run };
  } finally {
    progress?.close();
    await embedded?.close();
    await stopStarted();
  }
}

/** A failure outweighs an interruption, which outweighs traffic below the profile's minimal rate. */
export function exitCodeOf(run: RunResult): ExitCode {
  if (run.exitCode !== 0) return run.exitCode;
  if (run.interrupted !== undefined) return 3;
  return run.notTrusted !== undefined ? 4 : 0;
}

/** A URL that ends with the profile's own prefix names the protocol's root below it: the profile adds the prefix again. */
function serverRoot(url: string, profile: ProfileName): string {
  const prefix = specProfile(profile).pathPrefix;
  const trimmed = url.replace(/\/+$/, "");
  return prefix !== "" && trimmed.endsWith(prefix) ? trimmed.slice(0, -prefix.length) : url;
}

async function connectionOf(options: CliOptions): Promise<ConnectionSettings> {
  let ca: string | undefined;
  if (options.caFile !== undefined) {
    try {
      ca = await readFile(options.caFile, "utf8");
    } catch (error) {
      throw new Error(`cannot read --ca ${options.caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`--ca ${options.caFile} holds no PEM certificate`);
  }
  return { headers: options.headers, insecure: options.insecure, ...(ca !== undefined ? { ca, caFile: options.caFile } : {}) };
}

function baselineWrite(run: RunResult, file: string): { file: string; write: () => Promise<void> } {
  const text = baselineOfRun(run, file.endsWith(".json") ? "json" : "yaml");
  return { file, write: () => writeReportFile(file, text) };
}
