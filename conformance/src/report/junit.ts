// --junit FILE: the run as JUnit XML, the format every CI understands. One
// testsuite per section of spec/protocol.md, one testcase per case (contract
// check, walkthrough, interleaving property), classname = requirement ID.
// A failed case gets a <failure> (an <error> when the check itself threw)
// with its findings and exchanges as text; a SHOULD warning leaves the case
// passing (it fails only under --strict) and goes into <system-out>, which
// CI test views show next to the case. A failure the baseline expects is a
// <skipped type="expected-failure"> with its findings; a stale baseline entry
// passes, with a STALE BASELINE ENTRY line in <system-out>. A case blocked
// by a refused set-up step is a <skipped type="blocked"> naming the case
// that owns the step. When the traffic profile has a minimal rate, a
// testsuite "Traffic" holds one testcase that fails when the randomized
// workloads ran below it (the run is then not trusted).
import { hostname } from "node:os";
import { requirementById } from "../../../spec/index.js";
import type { Exchange } from "../client/protocol-client.js";
import { targetName, type CheckResult, type Finding, type RunCoverage, type RunResult } from "../model/result.js";
import { describeRequest, describeResponse } from "../model/describe.js";
import { describeEvidence, describeReplay } from "../interleavings/property/history-text.js";
import { escapeAttribute, escapeMarkup } from "./markup.js";
import { formatFinding } from "./terminal.js";
import { writeReportFile, type ReportWriter } from "./write-file.js";

const suiteName = "wallet-sync conformance";

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** The JUnit schema's timestamp: ISO 8601 without a zone (here: UTC). */
function timestamp(iso: string): string {
  return iso.replace(/(\.\d+)?Z$/, "");
}

function exchangeText(exchange: Exchange): string {
  return `    > ${describeRequest(exchange.request)}\n    < ${describeResponse(exchange)}`;
}

function findingText(finding: Finding): string {
  const lines = [formatFinding(finding)];
  if (finding.exchanges.length > 0) lines.push("  exchanges:", ...finding.exchanges.map(exchangeText));
  return lines.join("\n");
}

/** The text of a <failure> or <error>: every finding, then what an interleaving property saw. */
function failureBody(result: CheckResult): string {
  const parts = result.findings.map(findingText);
  if (result.interleaving) parts.push(describeEvidence(result.interleaving).join("\n"));
  return parts.join("\n\n");
}

function failureMessage(result: CheckResult): string {
  const failing = result.findings.filter((f) => f.level === "MUST");
  const first = (failing.length > 0 ? failing : result.findings)[0];
  if (!first) return result.error ?? "failed";
  const more = result.findings.length > 1 ? ` (and ${result.findings.length - 1} more findings)` : "";
  return `${first.requirement} (${first.level}) ${first.message}${more}`;
}

/** What CI shows as the case's output: the warnings of a passing case, the replay facts of a property. */
function systemOut(result: CheckResult): string[] {
  const lines: string[] = [];
  if (result.verdict === "warned") {
    for (const finding of result.findings) lines.push(`WARNING ${findingText(finding)}`);
  }
  if (result.verdict === "stale-baseline") {
    lines.push(`STALE BASELINE ENTRY: ${result.id} passes now; remove it from the baseline (reason given: ${result.baselineReason ?? ""})`);
  }
  if (result.interleaving && result.verdict !== "failed") lines.push(`history: ${describeReplay(result.interleaving)}`);
  return lines;
}

function testcase(result: CheckResult): string {
  const name = escapeAttribute(`${result.id}: ${result.title}`);
  const open = `    <testcase classname="${escapeAttribute(result.requirement)}" name="${name}" time="${seconds(result.durationMs)}"`;
  const children: string[] = [];
  if (result.verdict === "failed") {
    const element = result.error !== undefined ? "error" : "failure";
    const type = result.error !== undefined ? "exception" : result.findings.some((f) => f.level === "MUST") ? "MUST" : "SHOULD";
    children.push(
      `      <${element} message="${escapeAttribute(failureMessage(result))}" type="${type}">${escapeMarkup(failureBody(result))}</${element}>`,
    );
  }
  if (result.verdict === "blocked") {
    const message = `blocked by ${result.blockedBy?.case ?? "a refused set-up step"}: ${result.blockedBy?.step ?? ""}`;
    children.push(`      <skipped type="blocked" message="${escapeAttribute(message)}"/>`);
  }
  if (result.verdict === "expected-failure") {
    const message = `expected failure (baseline: ${result.baselineReason ?? ""}): ${failureMessage(result)}`;
    children.push(`      <skipped type="expected-failure" message="${escapeAttribute(message)}">${escapeMarkup(failureBody(result))}</skipped>`);
  }
  if (result.verdict === "not-exercised") {
    children.push(`      <skipped type="not-exercised" message="${escapeAttribute(`not exercised: ${result.notExercised ?? ""}`)}"/>`);
  }
  const output = systemOut(result);
  if (output.length > 0) children.push(`      <system-out>${escapeMarkup(output.join("\n"))}</system-out>`);
  return children.length === 0 ? `${open}/>` : [`${open}>`, ...children, "    </testcase>"].join("\n");
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
}

function countsOf(results: readonly CheckResult[]): Counts {
  const failed = results.filter((r) => r.verdict === "failed");
  const errors = failed.filter((r) => r.error !== undefined).length;
  return {
    tests: results.length,
    failures: failed.length - errors,
    errors,
    skipped: results.filter((r) => r.verdict === "expected-failure" || r.verdict === "blocked" || r.verdict === "not-exercised").length,
    time: results.reduce((sum, r) => sum + r.durationMs, 0),
  };
}

function countAttributes(counts: Counts, time: number): string {
  return `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(time)}"`;
}

/** Results grouped by the protocol.md section of their requirement, in run order. */
function bySection(results: readonly CheckResult[]): Map<string, CheckResult[]> {
  const sections = new Map<string, CheckResult[]>();
  for (const result of results) {
    const section = requirementById(result.requirement).section;
    sections.set(section, [...(sections.get(section) ?? []), result]);
  }
  return sections;
}

const decimal = (value: number): string => String(Number.isInteger(value) ? value : Number(value.toFixed(1)));

/**
 * The run's coverage as properties named coverage.<dimension>, its traffic as
 * coverage.traffic.<field>; the dimensions not reached as one list; with
 * --workers, their count and seeds.
 */
function coverageProperties(coverage: RunCoverage | undefined): string[][] {
  if (!coverage) return [];
  // The throughput series is a chart's: the HTML and JSON reports have it.
  const { notReached, traffic, longLived, workers, throughput: _throughput, ...reached } = coverage;
  const numbers = Object.entries(reached).map(([name, value]) => [`coverage.${name}`, decimal(value)]);
  const fields = (prefix: string, record: object | undefined) =>
    Object.entries(record ?? {}).map(([name, value]) => [`coverage.${prefix}.${name}`, typeof value === "number" ? decimal(value) : String(value)]);
  const rate = [...fields("traffic", traffic), ...fields("longLived", longLived)];
  const gaps = notReached.length > 0 ? [["coverage.notReached", notReached.map((gap) => `${gap.dimension} ${gap.target} (reached ${gap.reached})`).join(", ")]] : [];
  const shares = workers ? [["coverage.workers", String(workers.length)], ["coverage.workers.seeds", workers.map((worker) => worker.seed).join(", ")]] : [];
  return [...numbers, ...rate, ...gaps, ...shares];
}

/**
 * The traffic's own testsuite, when its profile has a minimal rate: one
 * testcase, failed (type not-trusted) when the workloads ran below it, so
 * that a CI view shows such a run as no pass.
 */
function trafficSuite(run: RunResult): { counts: Counts; testcase: string } | undefined {
  const traffic = run.coverage?.traffic;
  if (!traffic || traffic.minimalRate <= 0) return undefined;
  const name = escapeAttribute(`minimal rate: ${traffic.minimalRate} checked operations per second (the ${traffic.profile} traffic profile)`);
  const open = `    <testcase classname="traffic" name="${name}" time="0.000"`;
  const failed = run.notTrusted !== undefined;
  const testcase = failed
    ? [`${open}>`, `      <failure message="${escapeAttribute(`not trusted: ${run.notTrusted}`)}" type="not-trusted"/>`, "    </testcase>"].join("\n")
    : `${open}/>`;
  return { counts: { tests: 1, failures: failed ? 1 : 0, errors: 0, skipped: 0, time: 0 }, testcase };
}

function addCounts(a: Counts, b: Counts | undefined): Counts {
  if (!b) return a;
  return { tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors, skipped: a.skipped + b.skipped, time: a.time + b.time };
}

export function formatJunitReport(run: RunResult): string {
  const stamp = timestamp(run.startedAt);
  const host = escapeAttribute(hostname());
  const properties = [
    ["profile", run.profile],
    ["target", run.target.url],
    ["embedded", String(run.target.embedded)],
    ...(run.target.nodes ? [["nodes", run.target.nodes.join(" ")]] : []),
    ["runId", run.runId],
    ["strict", String(run.strict)],
    ["timeoutMs", String(run.timeoutMs)],
    ...(run.interrupted !== undefined ? [["interrupted", run.interrupted]] : []),
    ...(run.notTrusted !== undefined ? [["notTrusted", run.notTrusted]] : []),
    ...coverageProperties(run.coverage),
  ]
    .map(([name, value]) => `      <property name="${name}" value="${escapeAttribute(value ?? "")}"/>`)
    .join("\n");
  const suite = (index: number, name: string, counts: Counts, testcases: string[]) =>
    [
      `  <testsuite id="${index}" name="${escapeAttribute(name)}" ${countAttributes(counts, counts.time)} timestamp="${stamp}" hostname="${host}">`,
      `    <properties>\n${properties}\n    </properties>`,
      ...testcases,
      "  </testsuite>",
    ].join("\n");
  const sections = [...bySection(run.results)];
  const suites = sections.map(([section, results], index) => suite(index, section, countsOf(results), results.map(testcase)));
  const traffic = trafficSuite(run);
  if (traffic) suites.push(suite(sections.length, "Traffic", traffic.counts, [traffic.testcase]));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeAttribute(`${suiteName}: ${targetName(run.target)}`)}" ${countAttributes(addCounts(countsOf(run.results), traffic?.counts), run.durationMs)}>`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}

export const junitWriter: ReportWriter = {
  flag: "junit",
  description: "write a JUnit XML report to FILE (one testcase per case)",
  write: (run, file) => writeReportFile(file, formatJunitReport(run)),
};
