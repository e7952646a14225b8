// --json FILE: the whole run as JSON, for tools: every case with its level,
// verdict, findings and exchanges and, for interleaving properties, the
// recorded history and its violations. conformance/report-schema.json
// documents the shape (and a test holds the writer to it).
import { requirementById, type Requirement } from "../../../spec/index.js";
import type { RunResult } from "../model/result.js";
import { suiteVersion, type SuiteVersion } from "../version.js";
import { writeReportFile, type ReportWriter } from "./write-file.js";

export const jsonReportFormat = "wallet-sync-conformance-report/1";

export interface JsonReport extends RunResult {
  format: typeof jsonReportFormat;
  generator: SuiteVersion;
  /** The requirements the results name, with their text, in spec order. */
  requirements: Requirement[];
}

export function jsonReportOf(run: RunResult): JsonReport {
  const named = [...new Set(run.results.map((r) => r.requirement))].map(requirementById);
  return { format: jsonReportFormat, generator: suiteVersion(), ...run, requirements: named };
}

export const jsonWriter: ReportWriter = {
  flag: "json",
  description: "write the run as JSON to FILE (shape: conformance/report-schema.json)",
  write: (run, file) => writeReportFile(file, `${JSON.stringify(jsonReportOf(run), null, 2)}\n`),
};
