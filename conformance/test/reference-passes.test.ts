// The suite against the reference: every case passes, with no warning (the
// reference does everything a server SHOULD that can be seen from outside).
import { afterAll, beforeAll, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { requirementsOf } from "../../spec/index.js";
import type { RunResult } from "../src/model/result.js";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";

let server: ReferenceServer;
let run: RunResult;

beforeAll(async () => {
  server = await startReferenceServer({ scryptCost: 64 });
  run = await runChecks(casesOf("seed"), { baseUrl: server.url, interleavings: { runs: 5 } });
});
afterAll(() => server.close());

test("every case passes against the reference, without warnings", () => {
  const findings = run.results.flatMap((r) => r.findings.map((f) => `${r.id}: ${f.requirement} ${f.message}`));
  expect(findings).toEqual([]);
  const cases = casesOf("seed").length;
  // No crash in this run: the durability cases say so rather than pass.
  expect(run.totals).toEqual({ checks: cases, passed: cases - 2, warned: 0, failed: 0, blocked: 0, expectedFailures: 0, staleBaseline: 0, notExercised: 2 });
  expect(run.results.filter((r) => r.verdict === "not-exercised").map((r) => r.id)).toEqual(["DUR-1/interleavings", "DUR-2/interleavings"]);
  expect(run.exitCode).toBe(0);
});

test("the run reports what its workloads exercised", () => {
  const coverage = run.coverage!;
  expect(coverage.operations).toBeGreaterThan(100);
  expect(coverage.accounts).toBeGreaterThanOrEqual(10);
  expect(coverage.largestAcceptedWallet).toBeGreaterThan(1_000_000);
  expect(coverage.peakContenders).toBeGreaterThanOrEqual(2);
  expect(coverage.maxSequence).toBeGreaterThan(1);
});

test("every response of the run matched the spec, so HTTP-2 had its chance everywhere", () => {
  const exchanges = run.results.flatMap((r) => r.exchanges);
  expect(exchanges.length).toBeGreaterThan(300);
  expect(exchanges.every((e) => e.response !== undefined)).toBe(true);
});

test("every server requirement that can be observed from outside has a case", () => {
  const checked = new Set(casesOf("seed").map((c) => c.requirement));
  const observable = requirementsOf("seed").filter(
    (r) => r.party === "server" && !["TOKEN-6", "SEC-1", "SEC-2", "SEC-3"].includes(r.id),
  );
  expect(observable.filter((r) => !checked.has(r.id)).map((r) => r.id)).toEqual([]);
});

test("the cases can share one long-lived server: a second run passes too", async () => {
  const again = await runChecks(casesOf("seed").filter((c) => c.requirement.startsWith("SIGNUP") || c.id === "SYNC-1/walkthrough"), {
    baseUrl: server.url,
  });
  expect(again.exitCode).toBe(0);
});
