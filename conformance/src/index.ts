// The conformance suite as a library: the case registry, the runner and the
// result model, for report writers and tools built on the suite.
export { allCases, casesOf } from "./registry.js";
export { runChecks, newRunId, type RunOptions } from "./run/run-checks.js";
export { defaultConcurrency, defaultTimeoutMs } from "./defaults.js";
export { defineCheck, type CheckCase, type CheckDefinition } from "./model/case.js";
export {
  makeFinding,
  verdictOf,
  totalsOf,
  describeAlone,
  type AloneRuns,
  type BlockedBy,
  type CheckResult,
  type Finding,
  type FindingInput,
  type InterleavingEvidence,
  type RunResult,
  type Totals,
  type Verdict,
} from "./model/result.js";
export { CheckAborted, SetupRefused, type CaseProgress, type CheckClient, type CheckContext } from "./model/context.js";
export { matchesPrefix, selectCases, type Selection } from "./model/selection.js";
export { reportWriters, type ReportWriter } from "./report/writers.js";
export { formatTerminalReport } from "./report/terminal.js";
export { formatJunitReport } from "./report/junit.js";
export { jsonReportOf, jsonReportFormat, type JsonReport } from "./report/json.js";
export { formatHtmlReport } from "./report/html/page.js";
export { ProgressDisplay } from "./report/progress.js";
export { loadTraceability, type Traceability, type TracedRequirement } from "./traceability.js";
export { describeExchangeLine, describeFailure, describeRequest, describeResponse } from "./model/describe.js";
export { main, runCli } from "./cli/main.js";
