// The interleaving cases: one per requirement a concurrent history can
// break (LIN-1..LIN-7, TOKEN-1, TOKEN-2, DUR-1, DUR-2; in api3 also PASS-1,
// PASS-2, PASS-4, NOTIFY-2..NOTIFY-4, which bind that profile only, so the registry
// runs their cases only there), so that --list, --only and every
// report name requirements as the contract checks do. They share one
// execution of the property per suite run (shared-run.ts), so `--only LIN-4`
// runs the workload once, and so does a full run. Each case reports the
// violations of its own requirement, with the shrunk workload and how to
// replay it.
import { requirementById, type ProfileName } from "../../../../spec/index.js";
import { defineCheck, type CheckCase } from "../../model/case.js";
import { describeOperation, describeReplayAttempts, operationDescriber } from "./history-text.js";
import { SetupRefused, type CheckContext } from "../../model/context.js";
import type { Execution } from "../execution/execute.js";
import { startupRequirements } from "../execution/startup.js";
import { Narrator, type HistoryRequirement, type Violation } from "../../history/findings.js";
import { historyFormat, type History } from "../../history/history.js";
import type { ProvenViolation } from "../soak/long-lived-accounts.js";
import { describeTally } from "../../history/server-errors.js";
import type { PropertyOutcome } from "./property.js";
import { notExercisedReason, runCoverage } from "./coverage.js";
import { generatesAgain, replayCommandsFor, sharedRun, shrinkSummaryOf, type FinishedRun } from "./shared-run.js";
import { describeShrink, describeSize, workloadSize } from "./shrink-summary.js";
import { fieldLines, interleavingSlug, replaySeedCommand } from "./words.js";
import { describeWorkload } from "../workload/workload.js";
import { checkAcrossWorkers } from "../workers/across-workers.js";

type CheckedRequirement = HistoryRequirement | "LIN-7";

const titles: Record<CheckedRequirement, string> = {
  "LIN-1": "Concurrent devices: every accepted version extends the version its sequence replaces",
  "LIN-2": "Concurrent devices: at most one POST is accepted per sequence",
  "LIN-3": "Concurrent devices: every wallet returned is one a POST of that account sent",
  "LIN-4": "Concurrent devices: no answer is older than a version acknowledged before the request",
  "LIN-5": "Concurrent devices: no acknowledged change is ever lost",
  "LIN-6": "Concurrent devices: no device sees the sequence go backwards",
  "LIN-7": "Concurrent devices: well-formed requests under load are not answered 5xx",
  "TOKEN-1": "Concurrent devices: no token reaches another account's wallet, shared deviceIds included",
  "TOKEN-2": "Concurrent devices: the token a re-auth replaced is refused from then on",
  "DUR-1": "Crash and restart (checked with --server-cmd and --restarts only): a version acknowledged before a crash survives it",
  "DUR-2": "Crash and restart (checked with --server-cmd and --restarts only): an account created before a crash survives it",
  "PASS-1": "Concurrent devices (api3): of a password change and a write of the same sequence at most one is accepted",
  "PASS-2": "Concurrent devices (api3): once a password change is answered, older tokens and the old password are refused and the new one logs in",
  "PASS-4": "Concurrent devices (api3): a password change without the account's wallet is refused (409) and changes nothing",
  "NOTIFY-2": "Concurrent devices (api3): a socket open throughout an accepted POST receives wallet-update with its sequence",
  "NOTIFY-3": "Concurrent devices (api3): sockets are told only of stored sequences, in increasing order",
  "NOTIFY-4": "Concurrent devices (api3): a password change closes the sockets opened with the tokens it ended",
};

/** Violations of one requirement shown as findings; the rest are counted. */
const shownPerRequirement = 3;

function violationMessage(violation: Violation): string {
  const account = /^In account /.test(violation.explanation) ? "" : `In account ${violation.account}: `;
  const related = violation.related?.length ? ` (This also breaks ${violation.related.join(", ")}.)` : "";
  return `${account}${violation.explanation}${related}`;
}

/** Where the workload came from and what it is, for the finding's `sent`. */
function workloadHeading(execution: Execution, outcome: PropertyOutcome): string {
  const size = describeSize(workloadSize(execution.workload));
  const seed = outcome.seed !== undefined ? `, seed ${outcome.seed}` : "";
  if (outcome.mode === "replayed") return `the saved workload, replayed (${size}${seed}):`;
  const shrink = shrinkSummaryOf(execution, outcome);
  if (shrink && execution.workload !== outcome.firstFailure?.workload) return `the shrunk workload (${size}; ${describeShrink(shrink)}${seed}):`;
  if (execution === outcome.counterexample) return `the failing workload (${size}; it did not shrink further${seed}):`;
  return `a workload run while shrinking another failure (${size}${seed}):`;
}

function reportViolations(ctx: CheckContext, requirement: HistoryRequirement, run: FinishedRun, execution: Execution): void {
  const { outcome } = run;
  const violations = execution.check.violations.filter((violation) => violation.requirement === requirement);
  const saved = run.files.get(execution);
  const file = saved && "file" in saved ? saved.file : undefined;
  const replayCommands = file ? replayCommandsFor(execution, outcome, { ...run.target, only: [requirement] }, file) : [];
  const fastCheckPath = generatesAgain(execution, outcome) ? outcome.path : undefined;
  const replayAttempts = outcome.replayAttempts && { ...outcome.replayAttempts, reproduced: true };
  const shrink = shrinkSummaryOf(execution, outcome);
  // The seed and path generate the first failure, which shrinking has changed since: offered as that, not as a replay.
  const offerFirstFailure = fastCheckPath === undefined && shrink?.firstFailurePath !== undefined && outcome.seed !== undefined;
  const replay = [
    ...(replayAttempts ? [describeReplayAttempts(replayAttempts)] : []),
    ...replayCommands.map((commandLine, index) => `${index === 0 ? "replay:" : "or:"} ${commandLine}`),
    ...(offerFirstFailure ? [`the first failure, before shrinking: ${replaySeedCommand({ ...run.target, only: [requirement] }, outcome.seed!, shrink.firstFailurePath!)}`] : []),
    [
      outcome.seed !== undefined ? `seed ${outcome.seed}` : undefined,
      fastCheckPath !== undefined ? `path ${fastCheckPath}` : undefined,
      saved ? ("file" in saved ? `saved to ${saved.file}` : `not saved: ${saved.error}`) : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(", "),
  ];
  const total = execution.check.violationCounts[requirement] ?? violations.length;
  const describeOperations = operationDescriber(execution.history);
  violations.slice(0, shownPerRequirement).forEach((violation, index) => {
    const more = index === 0 && total > shownPerRequirement ? ` [${total} violations of ${requirement} in this history; ${shownPerRequirement} shown.]` : "";
    ctx.report({
      requirement,
      message: violationMessage(violation) + more,
      ...(index === 0 ? { sent: fieldLines([workloadHeading(execution, outcome), ...describeWorkload(execution.workload)]) } : {}),
      received: fieldLines(describeOperations(violation.operations)),
      ...(index === 0 ? { expected: fieldLines([requirementById(requirement).text, ...replay]) } : {}),
    });
  });
  ctx.attachInterleaving({
    history: execution.history,
    violations,
    ...(outcome.seed !== undefined ? { seed: outcome.seed } : {}),
    ...(file ? { path: file } : {}),
    runs: outcome.executions,
    ...(replayAttempts ? { replayAttempts } : {}),
    counterexample: {
      workload: describeWorkload(execution.workload),
      size: workloadSize(execution.workload),
      ...(shrink ? { shrink } : {}),
      ...(fastCheckPath !== undefined ? { fastCheckPath } : {}),
      replayCommands,
    },
  });
}

/**
 * A violation of a soak's long-lived accounts, found online: no workload
 * made it, so there is nothing to shrink or replay; what proves it is the
 * operations it names, kept when it was found. They are the evidence the
 * case attaches (every report shows them) unless a workload broke the
 * requirement too, whose shrunk history is then the one attached.
 */
function reportLongLivedViolations(ctx: CheckContext, requirement: HistoryRequirement, outcome: PropertyOutcome, proven: readonly ProvenViolation[], attach: boolean): void {
  const longLived = outcome.longLived!;
  const byId = new Map(proven.flatMap(({ operations }) => operations.map((op) => [op.id, op] as const)));
  const operations = [...byId.values()].sort((a, b) => a.id - b.id);
  const narrator = new Narrator(longLived.origin);
  const total = longLived.violationCounts[requirement] ?? proven.length;
  const seconds = Math.round(longLived.elapsedMs / 1000);
  const seed = outcome.seed !== undefined ? `, seed ${outcome.seed}` : "";
  const heading =
    `the soak's long-lived accounts (${longLived.accounts} accounts of ${longLived.devicesPerAccount} devices and ${longLived.newcomers} newcomers, ${longLived.coverage.operations.toLocaleString("en-US")} operations in ${seconds} s${seed}), ` +
    "checked online: no workload made this history, so it cannot be shrunk or replayed; the operations that prove it are below and in the report's history";
  proven.forEach(({ violation }, index) => {
    const more = index === 0 && total > proven.length ? ` [${total} violations of ${requirement} in the long-lived accounts; ${proven.length} shown.]` : "";
    ctx.report({
      requirement,
      message: violationMessage(violation) + more,
      ...(index === 0 ? { sent: fieldLines([heading]) } : {}),
      received: fieldLines(violation.operations.map((id) => (byId.has(id) ? describeOperation(byId.get(id)!, narrator) : `#${id} (no longer held)`))),
      ...(index === 0 ? { expected: fieldLines([requirementById(requirement).text]) } : {}),
    });
  });
  if (!attach) return;
  const history: History = {
    format: historyFormat,
    ...(ctx.profile === "api3" ? { profile: "api3" as const } : {}),
    contentModel: "append-log",
    operations,
    meta: { generator: "soak", longLivedAccounts: longLived.accounts, operations: longLived.coverage.operations },
  };
  ctx.attachInterleaving({
    history,
    violations: proven.map(({ violation }) => violation),
    ...(outcome.seed !== undefined ? { seed: outcome.seed } : {}),
    runs: outcome.executions,
  });
}

/** LIN-7 (SHOULD): 5xx answers under load are a warning; the checks counted them as settling nothing. */
function reportServerErrors(ctx: CheckContext, outcome: PropertyOutcome): void {
  const { count, requests, byStatus, byEndpoint } = outcome.serverErrors;
  if (count === 0) return;
  const statuses = describeTally(byStatus, (status, n) => `${n} × ${status}`);
  const endpoints = describeTally(byEndpoint, (endpoint, n) => `${endpoint} ${n}`);
  ctx.report({
    requirement: "LIN-7",
    message: `${count} of ${requests} requests of ${outcome.executions} concurrent runs were answered with a server error (${statuses}; ${endpoints}); the other checks counted them as neither success nor failure`,
    expected: requirementById("LIN-7").text,
  });
}

async function checkRequirement(ctx: CheckContext, requirement: CheckedRequirement): Promise<void> {
  if (ctx.interleavings.workers) return checkAcrossWorkers(ctx, requirement);
  const shared = sharedRun(ctx);
  const run = await shared.finished;
  const { outcome } = run;
  if (shared.owner === ctx) ctx.attachCoverage(runCoverage(outcome, ctx.interleavings, ctx.profile));
  if (outcome.notStarted) {
    // Nothing was checked: a MUST finding if the server refused to start, else a warning.
    ctx.report({ requirement: outcome.notStarted.requirement, message: outcome.notStarted.message });
    // A refused signup or login is set-up every case shares: the case owning it fails, this one is blocked.
    if (outcome.notStarted.definite) throw new SetupRefused(outcome.notStarted.requirement, outcome.notStarted.message);
    return;
  }
  if (requirement === "LIN-7") {
    reportServerErrors(ctx, outcome);
  } else {
    const execution = outcome.byRequirement.get(requirement);
    const proven = outcome.longLived?.violations.filter(({ violation }) => violation.requirement === requirement) ?? [];
    if (proven.length > 0) reportLongLivedViolations(ctx, requirement, outcome, proven, execution === undefined);
    if (execution) return reportViolations(ctx, requirement, run, execution);
    if (proven.length > 0) return;
  }
  const unexercised = notExercisedReason(requirement, outcome.coverage);
  if (unexercised !== undefined) ctx.notExercised(unexercised);
  if (shared.owner === ctx && outcome.byRequirement.size === 0 && outcome.last) {
    // Nothing failed: the case that ran the workload shows the last history.
    ctx.attachInterleaving({
      history: outcome.last.history,
      violations: [],
      ...(outcome.seed !== undefined ? { seed: outcome.seed } : {}),
      runs: outcome.executions,
      ...(outcome.replayAttempts ? { replayAttempts: { ...outcome.replayAttempts, reproduced: false } } : {}),
    });
  }
}

export const interleavingCases: readonly CheckCase[] = (Object.keys(titles) as CheckedRequirement[]).map((requirement) =>
  defineCheck({
    requirement,
    slug: interleavingSlug,
    file: import.meta.url,
    alsoChecks: startupRequirements,
    title: titles[requirement],
    // Load-sensitive and long: alone, after the contract checks.
    exclusive: true,
    run: (ctx) => checkRequirement(ctx, requirement),
  }),
);

/** The interleaving cases that run in a profile. */
export function interleavingCasesOf(profile: ProfileName): CheckCase[] {
  return interleavingCases.filter((check) => check.profiles.includes(profile));
}
