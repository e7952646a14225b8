// --html FILE: one self-contained page (inline style and script, nothing
// loaded from the network) for a person reading a CI artifact: the verdict
// and totals, every failed and warned case with its findings and HTTP
// exchanges and, for an interleaving property, a timeline of its history
// with the contradicting operations picked out; the cases blocked by those
// failures; then every requirement.
import { requirementById } from "../../../../spec/index.js";
import { describeAlone, targetName, type CheckResult, type Finding, type RunCoverage, type RunResult, type Verdict } from "../../model/result.js";
import { exercisedLine, longLivedLine, notReachedLine, trafficLine, workersLine } from "../coverage-text.js";
import { throughputChart } from "./throughput-chart.js";
import { suiteVersion } from "../../version.js";
import { escapeMarkup, htmlDocumentStart } from "../markup.js";
import { baselineTotals, runVerdict, blockedTotals, verdictLabel, worst } from "../terminal.js";
import { writeReportFile, type ReportWriter } from "../write-file.js";
import { reportScript, reportStyle } from "./assets.js";
import { renderExchange, renderExchangeList } from "./exchanges.js";
import { renderInterleaving } from "./interleaving.js";

function verdictCell(verdict: Verdict): string {
  return `<span class="verdict ${verdict}">${verdictLabel[verdict]}</span>`;
}

/** An id attribute for a case, stable across runs. */
function anchorOf(caseId: string): string {
  return `case-${caseId.replace(/[^A-Za-z0-9-]/g, "-")}`;
}

function renderFinding(finding: Finding): string {
  const facts = (
    [
      ["sent", finding.sent],
      ["received", finding.received],
      ["expected", finding.expected],
      ...(finding.curl ?? []).map((command) => ["repeat", command] as const),
      ["alone", finding.alone && describeAlone(finding.alone)],
    ] as const
  )
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<dt>${name}</dt><dd>${escapeMarkup(value ?? "")}</dd>`)
    .join("");
  return [
    '<div class="finding">',
    `<p class="message">${escapeMarkup(`${finding.requirement} (${finding.level}) ${finding.message}`)}</p>`,
    facts ? `<dl>${facts}</dl>` : "",
    ...finding.exchanges.map(renderExchange),
    "</div>",
  ].join("\n");
}

/** Findings shown open; a server that fails one rule often fails it for every request, and the rest can wait. */
const openFindings = 3;

function renderCase(result: CheckResult, index: number): string {
  const { text } = requirementById(result.requirement);
  const parts = [
    `<article class="case ${result.verdict}" id="${anchorOf(result.id)}">`,
    `<h3>${verdictCell(result.verdict)} ${escapeMarkup(result.id)} — ${escapeMarkup(result.title)}</h3>`,
    `<p class="requirement">${escapeMarkup(`${result.requirement} (${result.level}): ${text}`)}</p>`,
    result.baselineReason !== undefined ? `<p class="baseline">Baseline: ${escapeMarkup(result.baselineReason)}</p>` : "",
    ...result.findings.slice(0, openFindings).map(renderFinding),
  ];
  const more = result.findings.slice(openFindings);
  if (more.length > 0) {
    parts.push(`<details><summary>${more.length} more finding${more.length === 1 ? "" : "s"}</summary>`, ...more.map(renderFinding), "</details>");
  }
  if (result.interleaving) {
    parts.push("<h4>Interleaving</h4>", renderInterleaving(result.interleaving, `result-${index}`));
  }
  if (result.exchanges.length > 0) {
    parts.push(
      `<details><summary>Every exchange of this case (${result.exchanges.length})</summary>`,
      renderExchangeList(result.exchanges),
      "</details>",
    );
  }
  parts.push("</article>");
  return parts.join("\n");
}

function requirementTable(run: RunResult): string {
  const byRequirement = new Map<string, CheckResult[]>();
  for (const result of run.results) byRequirement.set(result.requirement, [...(byRequirement.get(result.requirement) ?? []), result]);
  const rows = [...byRequirement].map(([id, results]) => {
    const { level, text } = requirementById(id);
    const verdict = worst(results);
    const notPassed = results.filter((r) => r.verdict !== "passed").length;
    const count = notPassed === 0 ? `${results.length}` : `${notPassed} of ${results.length}`;
    return `<tr><td>${verdictCell(verdict)}</td><td>${escapeMarkup(id)}</td><td>${level}</td><td>${count}</td><td>${escapeMarkup(text)}</td></tr>`;
  });
  return [
    "<table class=\"requirements\">",
    "<thead><tr><th>Verdict</th><th>Requirement</th><th>Level</th><th>Cases</th><th>Text</th></tr></thead>",
    `<tbody>${rows.join("\n")}</tbody>`,
    "</table>",
  ].join("\n");
}

function passedTable(results: readonly CheckResult[]): string {
  const rows = results.map(
    (r) =>
      `<tr id="${anchorOf(r.id)}"><td>${escapeMarkup(r.id)}</td><td>${r.level}</td><td>${escapeMarkup(r.title)}</td><td>${r.durationMs} ms</td></tr>`,
  );
  return `<table><thead><tr><th>Case</th><th>Level</th><th>Title</th><th>Time</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

function blockedTable(results: readonly CheckResult[]): string {
  const rows = results.map((r) => {
    const by = r.blockedBy;
    const owner = by ? `<a href="#${anchorOf(by.case)}">${escapeMarkup(by.case)}</a>: ${escapeMarkup(by.step)}` : "";
    return `<tr id="${anchorOf(r.id)}"><td>${escapeMarkup(r.id)}</td><td>${escapeMarkup(r.title)}</td><td>${owner}</td></tr>`;
  });
  return `<table><thead><tr><th>Case</th><th>Title</th><th>Blocked by</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

function caseLinks(label: string, results: readonly CheckResult[]): string[] {
  if (results.length === 0) return [];
  const links = results.map((r) => `<a href="#${anchorOf(r.id)}">${escapeMarkup(r.id)}</a>`).join(", ");
  return [`<dt>${label}</dt><dd>${links}</dd>`];
}

/** What the randomized workloads exercised, and what they did not reach. */
function coverageFacts(coverage: RunCoverage | undefined): string[] {
  if (!coverage) return [];
  const gaps = notReachedLine(coverage);
  const traffic = trafficLine(coverage);
  const longLived = longLivedLine(coverage);
  const chart = throughputChart(coverage.throughput ?? []);
  const workers = workersLine(coverage);
  return [
    `<dt>Exercised</dt><dd>${escapeMarkup(exercisedLine(coverage).replace(/^Exercised: /, ""))}</dd>`,
    ...(longLived ? [`<dt>Long-lived</dt><dd>${escapeMarkup(longLived.replace(/^Long-lived: /, ""))}</dd>`] : []),
    ...(chart ? [`<dt>Throughput</dt><dd>${chart}<span class="legend">checked operations/s: all (solid), long-lived accounts (dashed)</span></dd>`] : []),
    ...(gaps ? [`<dt>Not reached</dt><dd>${escapeMarkup(gaps.replace(/^Not reached: /, ""))}</dd>`] : []),
    ...(traffic ? [`<dt>Traffic</dt><dd>${escapeMarkup(traffic.replace(/^Traffic: /, ""))}</dd>`] : []),
    ...(workers ? [`<dt>Workers</dt><dd>${escapeMarkup(workers.replace(/^Workers: /, ""))}</dd>`] : []),
  ];
}

/** Green only for a whole run that conforms: one not trusted is no pass, and an interrupted one with no failure is incomplete. */
function bannerClass(run: RunResult): "conforms" | "incomplete" | "fails" {
  if (run.exitCode !== 0 || run.notTrusted !== undefined) return "fails";
  return run.interrupted !== undefined ? "incomplete" : "conforms";
}

function header(run: RunResult): string {
  const { checks, passed, warned, failed } = run.totals;
  const target = targetName(run.target);
  const verdict = runVerdict(run);
  return [
    `<div class="banner ${bannerClass(run)}">`,
    `<h1>${escapeMarkup(verdict)}</h1>`,
    ...(run.notTrusted !== undefined ? [`<p>${escapeMarkup(`Not trusted: ${run.notTrusted}`)}</p>`] : []),
    `<p>${checks} cases: ${passed} passed, ${warned} warned, ${failed} failed${blockedTotals(run)}${escapeMarkup(baselineTotals(run))}${run.strict ? " (--strict: SHOULD findings fail)" : ""}</p>`,
    "</div>",
    '<dl class="facts">',
    `<dt>Server</dt><dd>${escapeMarkup(target)}</dd>`,
    `<dt>Profile</dt><dd>${escapeMarkup(run.profile)}</dd>`,
    `<dt>Started</dt><dd>${escapeMarkup(run.startedAt)}, ran ${(run.durationMs / 1000).toFixed(1)} s</dd>`,
    `<dt>Run id</dt><dd><code>${escapeMarkup(run.runId)}</code> (part of every email and device id the run made)</dd>`,
    `<dt>Request timeout</dt><dd>${run.timeoutMs} ms</dd>`,
    ...caseLinks("Failed", run.results.filter((r) => r.verdict === "failed")),
    ...caseLinks("Warned", run.results.filter((r) => r.verdict === "warned")),
    ...caseLinks("Blocked", run.results.filter((r) => r.verdict === "blocked")),
    ...caseLinks("Expected failures", run.results.filter((r) => r.verdict === "expected-failure")),
    ...caseLinks("Stale baseline entries", run.results.filter((r) => r.verdict === "stale-baseline")),
    ...caseLinks("Not exercised", run.results.filter((r) => r.verdict === "not-exercised")),
    ...coverageFacts(run.coverage),
    "</dl>",
  ].join("\n");
}

export function formatHtmlReport(run: RunResult): string {
  const failed = run.results.filter((r) => r.verdict === "failed");
  const warned = run.results.filter((r) => r.verdict === "warned");
  const passed = run.results.filter((r) => r.verdict === "passed");
  const expected = run.results.filter((r) => r.verdict === "expected-failure");
  const stale = run.results.filter((r) => r.verdict === "stale-baseline");
  const notExercised = run.results.filter((r) => r.verdict === "not-exercised");
  const blocked = run.results.filter((r) => r.verdict === "blocked");
  const indexOf = new Map(run.results.map((r, index) => [r, index]));
  const cases = (results: readonly CheckResult[]) => results.map((r) => renderCase(r, indexOf.get(r) ?? 0)).join("\n");
  const { name, version } = suiteVersion();
  const title = `wallet-sync conformance: ${runVerdict(run)} — ${targetName(run.target)}`;
  return [
    ...htmlDocumentStart({
      title,
      style: reportStyle,
      // Nothing on the page may load anything: it is read from CI artifacts, often offline.
      extraHead: [
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
      ],
    }),
    "<header>",
    header(run),
    "</header>",
    "<main>",
    failed.length > 0 ? `<section id="failures"><h2>Failed (${failed.length})</h2>\n${cases(failed)}\n</section>` : "",
    warned.length > 0
      ? `<section id="warnings"><h2>Warnings (${warned.length}): SHOULD requirements, failing only with --strict</h2>\n${cases(warned)}\n</section>`
      : "",
    blocked.length > 0
      ? `<section id="blocked"><h2>Blocked (${blocked.length}): a set-up step was refused; the case owning it fails, these checked nothing of their own</h2>\n${blockedTable(blocked)}\n</section>`
      : "",
    stale.length > 0
      ? `<section id="stale-baseline"><h2>Stale baseline entries (${stale.length}): these cases pass now; remove them from the baseline</h2>\n${cases(stale)}\n</section>`
      : "",
    notExercised.length > 0
      ? `<section id="not-exercised"><h2>Not exercised (${notExercised.length}): the run never did what these requirements are about</h2>\n<ul>${notExercised
          .map((r) => `<li id="${anchorOf(r.id)}">${escapeMarkup(r.id)}: ${escapeMarkup(r.notExercised ?? "")}</li>`)
          .join("")}</ul>\n</section>`
      : "",
    expected.length > 0
      ? `<section id="expected-failures"><h2>Expected failures (${expected.length}): listed in the baseline, they do not fail the run</h2>\n${cases(expected)}\n</section>`
      : "",
    // A failing run opens on its failures; the table of every requirement comes after them.
    '<section id="requirements"><h2>Requirements</h2>',
    requirementTable(run),
    "</section>",
    `<section id="passed"><h2>Passed (${passed.length})</h2>`,
    passed.length > 0 ? `<details><summary>Every passed case</summary>\n${passedTable(passed)}\n</details>` : "",
    "</section>",
    "</main>",
    `<footer>${escapeMarkup(`${name} ${version}`)}; requirements from spec/protocol.md.</footer>`,
    `<script>${reportScript}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export const htmlWriter: ReportWriter = {
  flag: "html",
  description: "write a self-contained HTML report to FILE (exchanges, timelines)",
  write: (run, file) => writeReportFile(file, formatHtmlReport(run)),
};
