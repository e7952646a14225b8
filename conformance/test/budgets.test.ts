// Budgets for CI: --max-time stops starting randomized workloads past 90% of
// the budget and the report counts those that ran; --fail-fast stops at the
// first failed case and says how many did not run.
import { expect, test } from "vitest";
import { runCli } from "../src/cli/main.js";
import { captured } from "./support/captured-output.js";
import { startedServers } from "./support/started-servers.js";

const servers = startedServers();


test("--max-time: a run asked for 100000 workloads ends within its budget, reporting how many ran", async () => {
  const { output } = captured();
  const started = performance.now();
  // A budget with room for the first workload on a machine the whole test suite shares (its accounts may be advanced first).
  const result = await runCli(["--url", servers.reference.url, "--only", "LIN-1", "--runs", "100000", "--max-time", "5", "--quiet"], output);
  const seconds = (performance.now() - started) / 1000;
  expect(result.exitCode).toBe(0);
  // Ignoring the budget would run for hours; the slack is for a loaded CI machine, where the workload
  // in flight at the budget's 90% may take seconds to finish.
  expect(seconds).toBeLessThan(15);
  const runs = result.run?.results[0]?.interleaving?.runs ?? 0;
  expect(runs).toBeGreaterThan(0);
  expect(runs).toBeLessThan(100_000);
}, 30_000);

test("--fail-fast: the run stops at the first failed case", async () => {
  const { out, output } = captured();
  const result = await runCli(["--url", servers.broken.url, "--only", "SEQ", "--concurrency", "1", "--fail-fast", "--quiet"], output);
  expect(result.exitCode).toBe(1);
  expect(result.run?.totals.failed).toBe(1);
  expect(result.run?.casesNotRun).toBeGreaterThan(0);
  expect(out.stdout).toMatch(/Stopped at the first failure \(--fail-fast\): \d+ cases not run/);
}, 30_000);
