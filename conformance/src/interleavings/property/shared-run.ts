// The one execution of the interleaving property per suite run, shared by
// its cases: the first case to run executes it with its own context
// (progress, schema findings), the others wait for what it found. When it
// is done, every failing execution that will be reported is saved as a
// counterexample file.
import { defaultProfile } from "../../../../spec/index.js";
import { Pacer } from "../../client/pacer.js";
import type { ConnectionSettings } from "../../client/connection.js";
import { ProtocolClient } from "../../client/protocol-client.js";
import { startFaultProxy, type FaultProxy } from "../../faults/fault-proxy.js";
import type { CheckContext } from "../../model/context.js";
import { counterexampleFile, counterexampleFormat, saveCounterexample } from "./counterexample-file.js";
import type { Execution } from "../execution/execute.js";
import { brokenRequirements, runProperty, type PropertyOutcome } from "./property.js";
import type { InterleavingSettings } from "./settings.js";
import type { ShrinkSummary } from "../../model/result.js";
import { workloadSize } from "./shrink-summary.js";
import { defaultTrafficProfile } from "../workload/traffic.js";
import { hasFaults } from "../workload/workload.js";
import { replayFileCommand, replaySeedCommand, type ReplayTarget } from "./words.js";

export interface FinishedRun {
  outcome: PropertyOutcome;
  /** The saved counterexample file of each failing execution reported (or why it could not be saved). */
  files: Map<Execution, { file: string } | { error: string }>;
  target: Omit<ReplayTarget, "only">;
}

export interface SharedRun {
  /** The case whose context executes the property: its progress, its schema findings. */
  owner: CheckContext;
  finished: Promise<FinishedRun>;
}

/** One execution per suite run: each run has its own settings object. */
const sharedRuns = new WeakMap<InterleavingSettings, SharedRun>();

export function sharedRun(ctx: CheckContext): SharedRun {
  let shared = sharedRuns.get(ctx.interleavings);
  if (!shared) {
    shared = { owner: ctx, finished: executeProperty(ctx) };
    sharedRuns.set(ctx.interleavings, shared);
  }
  return shared;
}

async function executeProperty(ctx: CheckContext): Promise<FinishedRun> {
  const settings = ctx.interleavings;
  const replayed = settings.replay?.workload;
  // Faults go through the suite's proxy, one in front of each node (TLS to an https:// one with the run's trust); a saved workload with faults needs them too.
  const withFaults = settings.faults === true || (replayed !== undefined && hasFaults(replayed));
  const proxies: FaultProxy[] = withFaults ? await Promise.all(ctx.nodeUrls.map((url) => startFaultProxy(url, ctx.connection))) : [];
  let outcome: PropertyOutcome;
  try {
    // The run's connection pool, but not its recorder: thousands of exchanges
    // would swamp the case's result. Each is still checked against the spec,
    // and those that do not match are recorded (HTTP-2).
    // --rate: one bucket for every device on every node, up to a second's worth at once (a burst of contenders stays a burst).
    const cap = settings.rate !== undefined ? new Pacer(settings.rate, settings.rate) : undefined;
    const nodes = ctx.nodeUrls.map((_url, node) => {
      const proxy = proxies[node];
      const options = ctx.clientOptions(node);
      return new ProtocolClient({
        ...options,
        ...(cap && options.rateLimits ? { rateLimits: options.rateLimits.alsoPacedBy(cap) } : {}),
        ...(proxy ? { baseUrl: proxy.url } : {}),
        onExchange: (exchange) => ctx.recordOffSpec(exchange),
      });
    });
    outcome = await runProperty({
      nodes,
      unique: ctx.unique,
      timeoutMs: ctx.timeoutMs,
      settleMs: settings.settleMs,
      connection: ctx.connection,
      settings,
      onExecution: (progress) => ctx.reportProgress(progress),
    });
  } finally {
    await Promise.all(proxies.map((proxy) => proxy.close()));
  }
  const target = {
    urls: ctx.nodeUrls,
    timeoutMs: ctx.timeoutMs,
    ...(settings.faults ? { faults: true } : {}),
    ...(settings.traffic && settings.traffic !== defaultTrafficProfile ? { traffic: settings.traffic } : {}),
    ...(settings.depthCap !== undefined ? { depthCap: settings.depthCap } : {}),
    ...(ctx.profile !== defaultProfile ? { profile: ctx.profile } : {}),
    ...(settings.started ? { serverCommands: settings.started.commands, urlPrinted: settings.started.urlPrinted } : {}),
    ...(settings.restarts?.count ? { restarts: settings.restarts.count } : {}),
    ...reachedWith(ctx.connection),
  };
  return { outcome, target, files: await saveFailures(outcome, target, ctx.interleavings.counterexampleDir) };
}

/** What a replay needs to reach the server as this run did; nothing for a plain one. */
function reachedWith(connection: ConnectionSettings): Pick<ReplayTarget, "connection"> {
  const headerNames = Object.keys(connection.headers);
  if (connection.caFile === undefined && !connection.insecure && headerNames.length === 0) return {};
  const { caFile, insecure } = connection;
  return { connection: { ...(caFile !== undefined ? { caFile } : {}), ...(insecure ? { insecure } : {}), ...(headerNames.length > 0 ? { headerNames } : {}) } };
}

/** The execution each broken requirement is reported with, each once. */
function reportedExecutions(outcome: PropertyOutcome): Execution[] {
  return [...new Set(outcome.byRequirement.values())];
}

/**
 * Whether fast-check's seed and path generate this execution's workload:
 * they lead to the first failure, which shrinking has usually changed since.
 */
export function generatesAgain(execution: Execution, outcome: PropertyOutcome): boolean {
  return outcome.seed !== undefined && outcome.path !== undefined && execution.workload === outcome.firstFailure?.workload;
}

/** How the final counterexample was reached; undefined for any other execution, or when nothing shrank it. */
export function shrinkSummaryOf(execution: Execution, outcome: PropertyOutcome): ShrinkSummary | undefined {
  const first = outcome.firstFailure;
  if (outcome.mode !== "generated" || execution !== outcome.counterexample || !first) return undefined;
  const domain = outcome.domainShrink;
  return {
    from: workloadSize(first.workload),
    ...(outcome.path !== undefined ? { firstFailurePath: outcome.path } : {}),
    projected: domain?.projected ?? false,
    deltaDebuggingSteps: domain?.deltaDebuggingSteps ?? 0,
    simplifyingSteps: domain?.simplifyingSteps ?? 0,
    fastCheckSteps: outcome.shrinkSteps,
    candidates: domain?.candidates ?? 0,
    elapsedMs: Math.round(domain?.elapsedMs ?? 0),
    budgetSpent: outcome.shrinkCut,
  };
}

/** The saved file replays the execution exactly; the seed and path only when they generate this very workload. */
export function replayCommandsFor(execution: Execution, outcome: PropertyOutcome, target: ReplayTarget, file: string): string[] {
  const commands = [replayFileCommand(target, file)];
  if (generatesAgain(execution, outcome)) commands.push(replaySeedCommand(target, outcome.seed!, outcome.path!));
  return commands;
}

async function saveFailures(
  outcome: PropertyOutcome,
  target: FinishedRun["target"],
  dir: string | undefined,
): Promise<FinishedRun["files"]> {
  const files: FinishedRun["files"] = new Map();
  for (const execution of reportedExecutions(outcome)) {
    // The requirement shrinking kept broken first: a replay executes the workload until that one breaks again.
    const broken = brokenRequirements(execution);
    const lead = outcome.lead !== undefined && execution === outcome.counterexample && broken.includes(outcome.lead) ? [outcome.lead] : [];
    const requirements = [...new Set([...lead, ...broken])];
    const file = counterexampleFile(execution.tag, dir);
    const shrink = shrinkSummaryOf(execution, outcome);
    try {
      await saveCounterexample(
        {
          format: counterexampleFormat,
          createdAt: new Date().toISOString(),
          target: target.urls[0]!,
          ...(target.profile ? { profile: target.profile } : {}),
          ...(target.urls.length > 1 ? { nodes: [...target.urls] } : {}),
          requirements,
          ...(outcome.seed !== undefined ? { seed: outcome.seed } : {}),
          ...(generatesAgain(execution, outcome) ? { path: outcome.path! } : {}),
          workload: execution.workload,
          size: workloadSize(execution.workload),
          ...(shrink ? { shrink } : {}),
          history: execution.history,
          violations: execution.check.violations,
          replayCommands: replayCommandsFor(execution, outcome, { ...target, only: requirements }, file),
        },
        file,
      );
      files.set(execution, { file });
    } catch (error) {
      files.set(execution, { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return files;
}
