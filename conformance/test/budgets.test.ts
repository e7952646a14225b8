// Budgets for CI: --max-time stops starting randomized workloads past 90% of
// the budget and the report counts those that ran; --fail-fast stops at the
// first failed case and says how many did not run.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { brokenServers } from "../src/broken/servers.js";
import { runCli } from "../src/cli/main.js";

let reference: ReferenceServer;
let broken: ReferenceServer;

function captured() {
  const out = { stdout: "", stderr: "" };
  return { out, output: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

beforeAll(async () => {
  reference = await startReferenceServer({ scryptCost: 64 });
  broken = await brokenServers["accepts-skipped-sequence"]!.start({ scryptCost: 64 });
});
afterAll(() => Promise.all([reference.close(), broken.close()]));

test("--max-time: a run asked for 100000 workloads ends within its budget, reporting how many ran", async () => {
  const { output } = captured();
  const started = performance.now();
  const result = await runCli(["--url", reference.url, "--only", "LIN-1", "--runs", "100000", "--max-time", "3", "--quiet"], output);
  const seconds = (performance.now() - started) / 1000;
  expect(result.exitCode).toBe(0);
  expect(seconds).toBeLessThan(6);
  const runs = result.run?.results[0]?.interleaving?.runs ?? 0;
  expect(runs).toBeGreaterThan(0);
  expect(runs).toBeLessThan(100_000);
}, 30_000);

test("--fail-fast: the run stops at the first failed case", async () => {
  const { out, output } = captured();
  const result = await runCli(["--url", broken.url, "--only", "SEQ", "--concurrency", "1", "--fail-fast", "--quiet"], output);
  expect(result.exitCode).toBe(1);
  expect(result.run?.totals.failed).toBe(1);
  expect(result.run?.casesNotRun).toBeGreaterThan(0);
  expect(out.stdout).toMatch(/Stopped at the first failure \(--fail-fast\): \d+ cases not run/);
}, 30_000);
