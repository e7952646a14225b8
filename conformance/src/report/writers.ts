// Report files next to the terminal report. Each writer brings its own flag
// (--junit FILE, --json FILE, --html FILE …): adding a format is adding an
// entry here; the CLI derives its flags and help from this list.
import { htmlWriter } from "./html/page.js";
import { jsonWriter } from "./json.js";
import { junitWriter } from "./junit.js";
import type { ReportWriter } from "./write-file.js";

export type { ReportWriter } from "./write-file.js";

export const reportWriters: ReportWriter[] = [junitWriter, jsonWriter, htmlWriter];
