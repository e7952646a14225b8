// Known failures (--baseline FILE): a listed case that fails is an expected
// failure and does not fail the run; a listed case that passes is a stale
// entry, shown in every report so it gets removed; any other failure fails
// the run as ever. --write-baseline writes the failures of a run in the
// same format, keeping the reasons of entries that are still needed.
import { readFile } from "node:fs/promises";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { targetName, type CheckResult, type RunResult } from "../model/result.js";

/** Case ID to the reason it is expected to fail. */
export type Baseline = ReadonlyMap<string, string>;

export const baselineFormat = "wallet-sync-conformance-baseline/1";

const baselineSchema = {
  type: "object",
  required: ["expectedFailures"],
  additionalProperties: false,
  properties: {
    format: { const: baselineFormat },
    expectedFailures: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "reason"],
        additionalProperties: false,
        properties: { id: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 1 } },
      },
    },
  },
} as const;

const validate = new Ajv2020({ allErrors: false, strict: true }).compile(baselineSchema);

/** Reads a baseline file (YAML or JSON; JSON is YAML too); throws with a one-line message. */
export async function loadBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read the baseline ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new Error(`the baseline ${file} is neither YAML nor JSON: ${firstLine(error)}`);
  }
  if (!validate(document)) {
    const error = validate.errors?.[0];
    const where = error?.instancePath ? ` at ${error.instancePath}` : "";
    throw new Error(`the baseline ${file} is not a list of expectedFailures with id and reason${where}: ${error?.message ?? "invalid"}`);
  }
  const baseline = new Map<string, string>();
  for (const { id, reason } of (document as { expectedFailures: Array<{ id: string; reason: string }> }).expectedFailures) {
    if (baseline.has(id)) throw new Error(`the baseline ${file} lists ${id} twice`);
    baseline.set(id, reason);
  }
  return baseline;
}

/** The verdict of a case once the baseline is taken into account. */
export function judgeAgainstBaseline(result: CheckResult, baseline: Baseline | undefined): CheckResult {
  const reason = baseline?.get(result.id);
  // A blocked case stays blocked: the baseline entry of the case owning its refused step decides.
  if (reason === undefined || result.verdict === "blocked") return result;
  return { ...result, verdict: result.verdict === "failed" ? "expected-failure" : "stale-baseline", baselineReason: reason };
}

/**
 * The baseline that makes this run pass: every failing case, with the
 * reason of its old entry or, for a new one, its first finding.
 */
export function baselineOfRun(run: RunResult, syntax: "yaml" | "json"): string {
  const failing = run.results.filter((r) => r.verdict === "failed" || r.verdict === "expected-failure");
  const expectedFailures = failing.map((r) => ({ id: r.id, reason: r.baselineReason ?? firstFinding(r) }));
  if (syntax === "json") return `${JSON.stringify({ format: baselineFormat, expectedFailures }, null, 2)}\n`;
  const header = `# Known failures of ${targetName(run.target)}: listed cases that fail do not fail the run (--baseline).\n# Say why each is expected; remove an entry once the run reports it stale.\n`;
  return header + stringifyYaml({ format: baselineFormat, expectedFailures }, { lineWidth: 0 });
}

function firstFinding(result: CheckResult): string {
  const finding = result.findings.find((f) => f.level === "MUST") ?? result.findings[0];
  return finding ? `${finding.requirement}: ${finding.message}` : (result.error ?? "fails");
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
