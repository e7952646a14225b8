// Report files next to the terminal report. Each writer brings its own flag
// (--junit FILE, --json FILE, --html FILE …): adding a format is adding an
// entry here; the CLI derives its flags and help from this list.
import type { RunResult } from "../model/check.js";
import { htmlWriter } from "./html/page.js";
import { jsonWriter } from "./json.js";
import { junitWriter } from "./junit.js";

export interface ReportWriter {
  /** The long flag without dashes, e.g. "junit"; its value is the file to write. */
  flag: string;
  /** One line for --help, e.g. "write a JUnit XML report to FILE". */
  description: string;
  write(run: RunResult, file: string): Promise<void>;
}

export const reportWriters: ReportWriter[] = [junitWriter, jsonWriter, htmlWriter];
