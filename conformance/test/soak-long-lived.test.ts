// A soak's long-lived accounts (interleavings/soak/): worked on for the whole
// run beside the workloads, their operations streamed into the online
// checker and kept nowhere else. Short soaks against the reference, and
// against a server of the zoo that a long-lived account breaks in seconds.
import { afterEach, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { ProtocolClient } from "../src/client/protocol-client.js";
import { brokenServers, tinyintMax } from "../src/broken/servers.js";
import { coverageOf } from "../src/history/coverage.js";
import { interleavingCasesOf } from "../src/interleavings/property/cases.js";
import { LongLivedAccounts } from "../src/interleavings/soak/long-lived-accounts.js";
import { defaultTrafficProfile, type TrafficProfile } from "../src/interleavings/workload/traffic.js";
import { formatHtmlReport } from "../src/report/html/page.js";
import { jsonReportOf } from "../src/report/json.js";
import { formatJunitReport } from "../src/report/junit.js";
import { formatTerminalReport } from "../src/report/terminal.js";
import { runChecks } from "../src/run/run-checks.js";
import { counterexampleFolder, failedRequirements } from "./interleavings/broken-runs.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const folder = counterexampleFolder("wallet-sync-long-lived-");

/**
 * Workloads of one account with one device and at most one move (never
 * deeper than a few versions) beside long-lived accounts: whatever depth the
 * run reaches, the long-lived accounts reached it.
 */
const shallowWorkloads: TrafficProfile = {
  ...defaultTrafficProfile,
  name: "shallow-workloads",
  accounts: { min: 1, max: 1 },
  devices: { min: 1, max: 1 },
  moves: { min: 0, max: 1 },
  bursts: { ...defaultTrafficProfile.bursts, some: 0 },
  longLived: { ...defaultTrafficProfile.longLived, accounts: 2, devicesPerAccount: 3 },
};

const soak = (durationMs: number) => ({ durationMs, seed: 7, settleMs: 100, depthCap: 0, traffic: shallowWorkloads, counterexampleDir: folder() });

describe("a soak with long-lived accounts", () => {
  test("passes the reference; its reports count the long-lived accounts' operations, deeper than the workloads' accounts", async () => {
    server = await startReferenceServer({ port: 0, scryptCost: 64 });
    const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, aloneRuns: 0, interleavings: soak(5_000) });
    expect(failedRequirements(run)).toEqual([]);
    const coverage = run.coverage!;
    const longLived = coverage.longLived!;
    expect(longLived).toMatchObject({ accounts: 2, devicesPerAccount: 3 });
    // Newcomers signed up beside them, each counted with the accounts.
    expect(longLived.newcomers).toBeGreaterThan(0);
    expect(coverage.accounts).toBeGreaterThanOrEqual(2 + longLived.newcomers);
    expect(longLived.operations).toBeGreaterThan(20);
    expect(longLived.stopped).toBeUndefined();
    // The totals hold the long-lived accounts' operations and depth.
    expect(coverage.operations).toBeGreaterThan(longLived.operations);
    expect(coverage.maxSequence).toBe(longLived.maxSequence);
    const workloadHistory = run.results.find((result) => result.interleaving)!.interleaving!.history;
    expect(longLived.maxSequence).toBeGreaterThan(coverageOf(workloadHistory).maxSequence);
    expect(longLived.peakRetainedOperations).toBeLessThanOrEqual(longLived.operations);

    const throughput = coverage.throughput!;
    expect(throughput.length).toBeGreaterThanOrEqual(2);
    expect(throughput.length).toBeLessThanOrEqual(120);
    expect(throughput.some((point) => point.longLivedPerSecond > 0)).toBe(true);

    const validate = reportValidator();
    const json = JSON.parse(JSON.stringify(jsonReportOf(run))) as unknown;
    expect(validate(json), schemaErrors(validate).join("\n")).toBe(true);
    expect(formatTerminalReport(run)).toMatch(/Long-lived: 2 accounts of 3 devices and [\d,]+ newcomers, [\d,]+ operations, deepest version [\d,]+, checked online in [\d,]+ windows/);
    expect(formatHtmlReport(run)).toMatch(/<svg class="throughput"[^>]*>.*<polyline class="long-lived" points="[\d., ]+"\/><\/svg>/);
    expect(formatJunitReport(run)).toMatch(/<property name="coverage\.longLived\.operations" value="\d+"\/>/);
  });

  test(`fails a server that clamps sequences at ${tinyintMax} naming LIN-3, with the operations that prove it in the JSON report`, async () => {
    server = await brokenServers["clamps-sequence-at-127"]!.start({ scryptCost: 64 });
    const started = performance.now();
    // The workloads never get past a few versions (--depth 0): only the long-lived accounts reach 128, all the sooner with small wallets.
    const traffic = { ...shallowWorkloads, wallets: { ...shallowWorkloads.wallets, padded: 0 }, longLived: { ...shallowWorkloads.longLived, accounts: 1, devicesPerAccount: 2 } };
    const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, aloneRuns: 0, interleavings: { ...soak(60_000), traffic } });
    // Stopped at the first violation, long before the soak's time was up.
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(failedRequirements(run)).toContain("LIN-3");
    expect(run.exitCode).toBe(1);
    expect(run.coverage!.longLived!.stopped).toBe("violation");

    const report = JSON.parse(JSON.stringify(jsonReportOf(run))) as {
      results: Array<{ requirement: string; verdict: string; findings: Array<{ sent?: string }>; interleaving?: { history: { operations: Array<{ id: number; account: string }> }; violations: Array<{ requirement: string; operations: number[] }> } }>;
    };
    const validate = reportValidator();
    expect(validate(report), schemaErrors(validate).join("\n")).toBe(true);
    const lin3 = report.results.find((result) => result.requirement === "LIN-3")!;
    expect(lin3.verdict).toBe("failed");
    expect(lin3.findings[0]!.sent).toMatch(/long-lived accounts .* cannot be shrunk or replayed/);
    const evidence = lin3.interleaving!;
    const [violation] = evidence.violations;
    expect(violation!.requirement).toBe("LIN-3");
    // Every operation the violation names is in the report's history, and the history holds little else.
    const held = new Set(evidence.history.operations.map((op) => op.id));
    expect(violation!.operations.every((id) => held.has(id))).toBe(true);
    expect(evidence.history.operations.length).toBeLessThan(50);
    expect(evidence.history.operations.every((op) => op.account.startsWith("long-"))).toBe(true);
  });
});

test("a profile's pause between workloads leaves the server to the long-lived accounts meanwhile", async () => {
  server = await startReferenceServer({ port: 0, scryptCost: 64 });
  const runsWithPause = async (workloadPauseMs: number) => {
    const traffic = { ...shallowWorkloads, longLived: { ...shallowWorkloads.longLived, newcomers: 0, workloadPauseMs } };
    const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server!.url, aloneRuns: 0, interleavings: { ...soak(2_000), traffic } });
    expect(failedRequirements(run)).toEqual([]);
    expect(run.coverage!.longLived!.operations).toBeGreaterThan(20);
    return run.results.find((result) => result.interleaving)!.interleaving!.runs!;
  };
  // 2 s with 700 ms before each workload but the first: at most 3 workloads; back to back, many more.
  expect(await runsWithPause(700)).toBeLessThanOrEqual(3);
  expect(await runsWithPause(0)).toBeGreaterThan(3);
});

describe("the long-lived accounts' memory", () => {
  test("the recorder keeps no operation once the online checker has it", async () => {
    server = await startReferenceServer({ port: 0, scryptCost: 64 });
    const node = new ProtocolClient({ baseUrl: server.url, timeoutMs: 5_000 });
    const stop = new AbortController();
    const accounts = new LongLivedAccounts({
      nodes: [node],
      unique: (label) => `${label}-${Date.now()}`,
      timeoutMs: 5_000,
      settleMs: 50,
      traffic: shallowWorkloads,
      profile: "seed",
      faults: false,
      seed: 3,
      until: performance.now() + 2_000,
      stop: stop.signal,
    });
    const outcome = await accounts.run();
    await node.close();
    expect(outcome.checker.operations).toBeGreaterThan(100);
    expect(outcome.coverage.operations).toBe(outcome.checker.operations);
    expect(accounts.operationsKept).toBe(0);
    expect(outcome.violations).toEqual([]);
  });
});
