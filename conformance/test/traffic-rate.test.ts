// Traffic below its profile's minimal rate: a run whose randomized
// workloads never put their load on the server is no pass. Every report
// says so, and the command's exit status is 4 (1 still wins when something
// failed). --rate caps the workloads' requests, every device together.
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { exitCodeOf } from "../src/cli/main.js";
import { defaultTrafficProfile, type TrafficProfile } from "../src/interleavings/workload/traffic.js";
import type { CaseProgress } from "../src/model/context.js";
import type { RunResult } from "../src/model/result.js";
import { casesOf } from "../src/registry.js";
import { formatHtmlReport } from "../src/report/html/page.js";
import { jsonReportOf } from "../src/report/json.js";
import { formatJunitReport } from "../src/report/junit.js";
import { formatTerminalReport } from "../src/report/terminal.js";
import { runChecks } from "../src/run/run-checks.js";
import { parseJunit } from "./support/junit.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";

const counterexampleDir = join(tmpdir(), `wallet-sync-traffic-rate-${process.pid}`);
let reference: ReferenceServer;
beforeAll(async () => {
  reference = await startReferenceServer({ scryptCost: 64 });
});
afterAll(async () => {
  await reference.close();
  await rm(counterexampleDir, { recursive: true, force: true });
});

/** Two small workloads of the given traffic profile, LIN-2's case alone. */
const run = (traffic: TrafficProfile, rate?: number, onProgress?: (progress: CaseProgress) => void): Promise<RunResult> =>
  runChecks(casesOf("seed").filter((c) => c.id === "LIN-2/interleavings"), {
    baseUrl: reference.url,
    interleavings: { runs: 2, shrinkBudgetMs: 0, depthCap: 0, counterexampleDir, traffic, ...(rate !== undefined ? { rate } : {}) },
    ...(onProgress ? { onProgress: (_check, progress) => onProgress(progress) } : {}),
  });

describe("a run below its profile's minimal rate", () => {
  // No server reaches a million checked operations a second: the traffic is below this profile's minimal rate.
  const unreachable: TrafficProfile = { ...defaultTrafficProfile, name: "unreachable", minimalRate: 1_000_000 };
  let result: RunResult;
  beforeAll(async () => {
    result = await run(unreachable);
  }, 60_000);

  test("passes its checks, but is not trusted: exit status 4", () => {
    expect(result.exitCode).toBe(0);
    expect(result.coverage?.traffic).toMatchObject({ profile: "unreachable", minimalRate: 1_000_000, trusted: false });
    expect(result.coverage!.traffic!.rate).toBeGreaterThan(0);
    expect(result.notTrusted).toMatch(/^the randomized workloads ran at [\d,]+ checked operations per second, below the unreachable traffic profile's minimal rate of 1,000,000/);
    expect(exitCodeOf(result)).toBe(4);
    // A failure still exits 1, an interruption 3.
    expect(exitCodeOf({ ...result, exitCode: 1 })).toBe(1);
    expect(exitCodeOf({ ...result, interrupted: "SIGINT" })).toBe(3);
  });

  test("says so in the terminal summary, the JSON report (as its schema has it), JUnit and HTML", () => {
    const terminal = formatTerminalReport(result);
    expect(terminal).toContain(`Not trusted: ${result.notTrusted}`);
    expect(terminal).toMatch(/^Traffic: the unreachable profile, [\d,]+ checked operations\/s while the workloads ran \(minimal 1,000,000\/s\): below it, NOT TRUSTED$/m);
    expect(terminal.trimEnd().split("\n").at(-1)).toBe(`NOT TRUSTED (traffic below its profile's minimal rate): ${reference.url}`);

    const json = JSON.parse(JSON.stringify(jsonReportOf(result))) as { notTrusted?: string; coverage: { traffic: { trusted: boolean } } };
    const validate = reportValidator();
    expect(validate(json), schemaErrors(validate).join("\n")).toBe(true);
    expect(json.notTrusted).toBe(result.notTrusted);
    expect(json.coverage.traffic.trusted).toBe(false);

    const junit = parseJunit(formatJunitReport(result));
    const suite = junit.testsuites.testsuite.find((s) => s.name === "Traffic");
    expect(suite?.testcase[0]?.failure?.type).toBe("not-trusted");
    expect(suite?.testcase[0]?.failure?.message).toMatch(/^not trusted: the randomized workloads ran at [\d,]+ checked operations per second/);
    expect(junit.testsuites.failures).toBe("1");

    const html = formatHtmlReport(result);
    expect(html).toContain("<title>wallet-sync conformance: NOT TRUSTED");
    expect(html).toContain('<div class="banner fails">');
    expect(html).toContain("<h1>NOT TRUSTED (traffic below its profile&#39;s minimal rate)</h1>");
  });
});

test("a run at its profile's minimal rate passes, and JUnit shows the rate's testcase passing", async () => {
  const progress: CaseProgress[] = [];
  const result = await run({ ...defaultTrafficProfile, name: "gentle", minimalRate: 1 }, undefined, (update) => progress.push(update));
  expect(result.coverage?.traffic).toMatchObject({ profile: "gentle", minimalRate: 1, trusted: true });
  expect(result.notTrusted).toBeUndefined();
  expect(exitCodeOf(result)).toBe(0);
  const suite = parseJunit(formatJunitReport(result)).testsuites.testsuite.find((s) => s.name === "Traffic");
  expect(suite?.testcase).toHaveLength(1);
  expect(suite?.testcase[0]?.failure).toBeUndefined();
  // The progress line's figures, as the run went: the last one is the run's.
  const last = progress.at(-1)!;
  expect(last).toMatchObject({ runsDone: 2, minimalRate: 1, accounts: result.coverage!.accounts, violations: 0 });
  expect(last.operationsPerSecond).toBeCloseTo(result.coverage!.traffic!.rate, 6);
  expect(last.deepestVersion).toBeGreaterThan(0);
  expect(last.deepestVersion).toBeLessThanOrEqual(result.coverage!.maxSequence);
}, 60_000);

test("--rate caps the workloads' requests per second, and the report names the cap", async () => {
  const result = await run(defaultTrafficProfile, 40);
  const traffic = result.coverage!.traffic!;
  expect(traffic.cap).toBe(40);
  // The bucket holds a second's worth: over T seconds at most 40 × (T + 1) requests, so never twice the cap once a run lasts a second.
  expect(traffic.rate).toBeLessThanOrEqual(40 * 2);
  expect(formatTerminalReport(result)).toMatch(/\(no minimal rate; --rate capped them at 40 requests\/s\)$/m);
}, 60_000);
