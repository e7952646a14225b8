// What the tests of broken servers read from a run of the interleaving cases:
// the requirements it failed, the case with the final counterexample, and a
// folder for the counterexample files, removed after the test file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { CheckResult, RunResult } from "../../src/model/result.js";

export function failedRequirements(run: RunResult): string[] {
  return [...new Set(run.results.flatMap((r) => r.findings.filter((f) => f.level === "MUST").map((f) => f.requirement)))];
}

/** The case whose evidence is the run's final counterexample: it says how shrinking reached it. */
export function finalCounterexample(run: RunResult): CheckResult | undefined {
  return run.results.find((r) => r.interleaving?.counterexample?.shrink !== undefined);
}

/** A temporary folder for the test file's counterexamples; call at the top level of the file. */
export function counterexampleFolder(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => (dir !== undefined ? rm(dir, { recursive: true, force: true }) : undefined));
  return () => dir!;
}
