// wallet-sync-conformance check-history FILE: the history checker on a
// recorded history, without a server. FILE is a JSON report (every
// interleaving case's history in it), a counterexample file, or a bare
// history (format wallet-sync-history/2 or /1, the shape report-schema.json gives
// as $defs/history: the contract for histories recorded by other tools).
// Exit 0: no violation; 1: a MUST violation; 2: the file cannot be used.
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";
import { specDir } from "../../../spec/index.js";
import { checkHistory } from "../history/checker.js";
import { historyFormat, isReadableHistoryFormat, type History } from "../history/history.js";
import { counterexampleFormat } from "../interleavings/property/counterexample-file.js";
import { describeEvidence } from "../interleavings/property/history-text.js";
import { jsonReportFormat } from "../report/json.js";

export const reportSchemaFile = join(dirname(specDir), "conformance", "report-schema.json");

interface NamedHistory {
  /** Where in the file: "the history", or the case whose history it is. */
  label: string;
  history: History;
}

export interface CheckHistoryOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const checkHistoryUsage = "Usage: wallet-sync-conformance check-history FILE  (a JSON report, a counterexample file or a history)";

export async function checkHistoryCommand(args: readonly string[], output: CheckHistoryOutput): Promise<0 | 1 | 2> {
  const fail = (message: string): 2 => {
    output.stderr(`wallet-sync-conformance check-history: ${message}\n`);
    return 2;
  };
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    output.stdout(`${checkHistoryUsage}\n`);
    return 0;
  }
  if (args.length !== 1 || args[0]!.startsWith("-")) return fail(`takes one file (${checkHistoryUsage})`);
  const file = args[0]!;
  let histories: NamedHistory[];
  try {
    histories = historiesIn(JSON.parse(await readFile(file, "utf8")) as unknown);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(`${file}: ${code === "ENOENT" ? "no such file" : error instanceof Error ? error.message : String(error)}`);
  }
  const validate = await historyValidator();
  for (const { label, history } of histories) {
    if (!validate(history)) {
      const error = validate.errors?.[0];
      const format = isReadableHistoryFormat(history.format) ? history.format : historyFormat;
      return fail(`${file}: ${label} is not a ${format} history: ${error?.instancePath || "/"} ${error?.message ?? ""}`);
    }
  }
  let failed = false;
  for (const { label, history } of histories) {
    const check = checkHistory(history);
    failed ||= !check.passed;
    const verdict = check.passed ? "no violation" : `${check.violations.length} violation${check.violations.length === 1 ? "" : "s"}`;
    const lines = [`${check.passed ? "PASS" : "FAIL"} ${label}: ${verdict}`];
    if (!check.passed) lines.push(...describeEvidence({ history, violations: check.violations }).map((line) => `  ${line}`));
    for (const warning of check.warnings) lines.push(`  WARN ${warning.requirement} (SHOULD) ${warning.explanation}`);
    output.stdout(`${lines.join("\n")}\n`);
  }
  if (histories.length === 0) output.stdout("the file holds no history (no interleaving case ran)\n");
  return failed ? 1 : 0;
}

function historiesIn(json: unknown): NamedHistory[] {
  const fields = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  if (isReadableHistoryFormat(fields["format"])) return [{ label: "the history", history: json as History }];
  switch (fields["format"]) {
    case counterexampleFormat:
      return [{ label: "the counterexample's history", history: fields["history"] as History }];
    case jsonReportFormat: {
      const results = Array.isArray(fields["results"]) ? (fields["results"] as Array<Record<string, unknown>>) : [];
      return results.flatMap((result) => {
        const history = (result["interleaving"] as { history?: History } | undefined)?.history;
        return history ? [{ label: String(result["id"]), history }] : [];
      });
    }
    default:
      throw new Error(`not a report, counterexample or history (its format is not ${jsonReportFormat}, ${counterexampleFormat} or ${historyFormat})`);
  }
}

async function historyValidator(): Promise<ReturnType<Ajv2020["compile"]>> {
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  (ajvFormats.default as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(JSON.parse(await readFile(reportSchemaFile, "utf8")) as object, "report");
  return ajv.compile({ $ref: "report#/$defs/history" });
}
