// The terminal report: every requirement with its verdict, then what failed
// and what warned, each finding with what was sent, what came back and what
// was expected, then the totals and the verdict of the run.
import { requirementById, requirementsOf } from "../../../spec/index.js";
import { describeAlone, targetName, type CheckResult, type Finding, type RunResult, type Verdict } from "../model/result.js";
import type { CheckCase } from "../model/case.js";
import { coverageLines } from "./coverage-text.js";

export interface TerminalReportOptions {
  /** Only failures, warnings and the totals. */
  quiet?: boolean;
  /** Every case the suite has (not only those run), to name requirements nothing checks. */
  registry?: readonly CheckCase[];
}

/** The word each verdict is shown as, in the terminal and in the HTML report. */
export const verdictLabel: Record<Verdict, string> = {
  passed: "PASS",
  warned: "WARN",
  failed: "FAIL",
  blocked: "BLOCKED",
  "expected-failure": "XFAIL",
  "stale-baseline": "STALE",
  "not-exercised": "NOT EXERCISED",
};
const label = verdictLabel;

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

/** A finding as indented text lines: the requirement and message, then sent, received and expected. */
export function formatFinding(finding: Finding): string {
  const lines = [`${finding.requirement} (${finding.level}) ${finding.message}`];
  if (finding.sent !== undefined) lines.push(`  sent:     ${finding.sent}`);
  if (finding.received !== undefined) lines.push(`  received: ${finding.received}`);
  if (finding.expected !== undefined) lines.push(`  expected: ${finding.expected}`);
  for (const command of finding.curl ?? []) lines.push(`  repeat:   ${command}`);
  if (finding.alone !== undefined) lines.push(`  alone:    ${describeAlone(finding.alone)}`);
  return lines.join("\n");
}

function formatDetails(result: CheckResult): string {
  const head = `${label[result.verdict]} ${result.id}  ${result.title}`;
  return [head, ...result.findings.map((f) => indent(formatFinding(f), "    "))].join("\n");
}

/** From worst to best: what a requirement shows when its cases differ. */
const severity: readonly Verdict[] = ["failed", "blocked", "warned", "expected-failure", "stale-baseline", "not-exercised", "passed"];

/** The worst verdict of a requirement's checks. */
export function worst(results: readonly CheckResult[]): Verdict {
  return severity.find((verdict) => results.some((r) => r.verdict === verdict)) ?? "passed";
}

/** One line per case the baseline lists: its verdict, ID and the reason the baseline gives. */
function baselineLines(results: readonly CheckResult[]): string[] {
  return results.map((r) => `  ${label[r.verdict]} ${r.id}  ${r.baselineReason ?? ""}`);
}

/** "BLOCKED AUTH-2/no-match  by SIGNUP-1/creates-account: SIGNUP-1 (MUST) signing up …" */
export function blockedLine(result: CheckResult): string {
  const by = result.blockedBy;
  return `${label[result.verdict]} ${result.id}  ${by ? `by ${by.case}: ${by.step}` : ""}`;
}

/** ", 12 blocked" when a refused set-up step blocked cases; "" otherwise. */
export function blockedTotals(run: RunResult): string {
  return run.totals.blocked > 0 ? `, ${run.totals.blocked} blocked` : "";
}

/** "…, 2 expected failures, 1 stale baseline entry" when a baseline was given; "" otherwise. */
export function baselineTotals(run: RunResult): string {
  const { expectedFailures, staleBaseline } = run.totals;
  if (expectedFailures === 0 && staleBaseline === 0) return "";
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `, ${plural(expectedFailures, "expected failure", "expected failures")}, ${plural(staleBaseline, "stale baseline entry", "stale baseline entries")}`;
}

function requirementLines(run: RunResult): string[] {
  const byRequirement = new Map<string, CheckResult[]>();
  for (const result of run.results) {
    byRequirement.set(result.requirement, [...(byRequirement.get(result.requirement) ?? []), result]);
  }
  const idWidth = Math.max(...[...byRequirement.keys()].map((id) => id.length), 6);
  return [...byRequirement].map(([id, results]) => {
    const verdict = worst(results);
    const { level, text } = requirementById(id);
    const notPassed = results.filter((r) => r.verdict === verdict).length;
    const count =
      verdict === "passed"
        ? `${results.length} check${results.length === 1 ? "" : "s"}`
        : `${notPassed} of ${results.length} ${verdict}`;
    return `  ${label[verdict]}  ${id.padEnd(idWidth)}  ${level.padEnd(6)}  ${count.padEnd(13)}  ${clip(text, 72)}`;
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatTerminalReport(run: RunResult, options: TerminalReportOptions = {}): string {
  const out: string[] = [];
  const target = targetName(run.target);
  if (!options.quiet) {
    out.push(`wallet-sync conformance: ${target} (${run.profile} profile)`, "");
    out.push("Requirements", ...requirementLines(run), "");
  }
  const failed = run.results.filter((r) => r.verdict === "failed");
  const warned = run.results.filter((r) => r.verdict === "warned");
  if (failed.length > 0) out.push("Failed", ...failed.map((r) => indent(formatDetails(r), "  ")), "");
  const blocked = run.results.filter((r) => r.verdict === "blocked");
  if (blocked.length > 0) {
    out.push("Blocked (a set-up step was refused: the case that owns it fails; these could not check their own requirement)", ...blocked.map((r) => `  ${blockedLine(r)}`), "");
  }
  if (warned.length > 0) {
    out.push("Warnings (SHOULD; they fail only with --strict)", ...warned.map((r) => indent(formatDetails(r), "  ")), "");
  }
  const expected = run.results.filter((r) => r.verdict === "expected-failure");
  const stale = run.results.filter((r) => r.verdict === "stale-baseline");
  if (expected.length > 0) out.push("Expected failures (listed in the baseline; they do not fail the run)", ...baselineLines(expected), "");
  if (stale.length > 0) {
    out.push("Stale baseline entries (these cases pass now: remove them from the baseline)", ...baselineLines(stale), "");
  }
  const notExercised = run.results.filter((r) => r.verdict === "not-exercised");
  if (notExercised.length > 0) {
    out.push("Not exercised (the run never did what these requirements are about; neither passed nor failed)", ...notExercised.map((r) => `  ${r.id}  ${r.notExercised ?? ""}`), "");
  }
  if (!options.quiet && options.registry) {
    const checked = new Set(options.registry.map((c) => c.requirement));
    const unchecked = requirementsOf(run.profile).filter((r) => r.party === "server" && !checked.has(r.id));
    if (unchecked.length > 0) out.push(`No check in this suite for: ${unchecked.map((r) => r.id).join(", ")}`, "");
  }
  const { checks, passed, warned: warnings, failed: failures } = run.totals;
  const strict = run.strict ? " (--strict)" : "";
  if (run.interrupted !== undefined) {
    out.push(`Interrupted by ${run.interrupted}: ${run.casesNotRun ?? 0} cases not run; what ran is judged and reported`);
  } else if (run.casesNotRun !== undefined) {
    out.push(`Stopped at the first failure (--fail-fast): ${run.casesNotRun} cases not run`);
  }
  const unexercised = run.totals.notExercised > 0 ? `, ${run.totals.notExercised} not exercised` : "";
  out.push(`${checks} checks: ${passed} passed, ${warnings} warned, ${failures} failed${blockedTotals(run)}${unexercised}${baselineTotals(run)} in ${seconds(run.durationMs)}${strict}`);
  out.push(...coverageLines(run.coverage));
  const limits = run.rateLimits;
  if (limits.limitedResponses > 0 || limits.requestsPerSecond !== undefined) {
    const pace = limits.requestsPerSecond !== undefined ? `, paced at ${limits.requestsPerSecond} requests/s` : "";
    out.push(
      `Rate limits: ${limits.limitedResponses} response${limits.limitedResponses === 1 ? " was" : "s were"} 429 or 503 with Retry-After, ` +
        `waited ${seconds(limits.waitedMs)} before retrying${pace}`,
    );
  }
  if (run.notTrusted !== undefined) out.push(`Not trusted: ${run.notTrusted}`);
  out.push(`${runVerdict(run)}: ${run.exitCode === 0 ? "" : `${failures} check${failures === 1 ? "" : "s"} failed at `}${targetName(run.target)}`);
  return `${out.join("\n")}\n`;
}

/**
 * "CONFORMS", "CONFORMS, with warnings", "DOES NOT CONFORM"; with no failure,
 * "INCOMPLETE (interrupted by SIGINT)" for an interrupted run and "NOT
 * TRUSTED (traffic below its profile's minimal rate)" for one whose
 * workloads ran below their profile's minimal rate.
 */
export function runVerdict(run: RunResult): string {
  if (run.exitCode !== 0) return "DOES NOT CONFORM";
  if (run.interrupted !== undefined) return `INCOMPLETE (interrupted by ${run.interrupted})`;
  if (run.notTrusted !== undefined) return "NOT TRUSTED (traffic below its profile's minimal rate)";
  return `CONFORMS${run.totals.warned > 0 ? ", with warnings" : ""}`;
}
