// check-history FILE: the checker run again on a saved history, without a
// server: the histories of a JSON report, of a counterexample file, or a bare
// history; exit 1 with the violations for a broken server's, 0 for the
// reference's, 2 for a file that is not one.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { brokenServers } from "../src/broken/servers.js";
import { runCli } from "../src/cli/main.js";
import { runChecks } from "../src/run/run-checks.js";
import { casesOf } from "../src/registry.js";
import { jsonReportOf } from "../src/report/json.js";
import { captured } from "./support/captured-output.js";

let dir: string;
let reference: ReferenceServer;
let broken: ReferenceServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wallet-sync-check-history-"));
  reference = await startReferenceServer({ scryptCost: 64 });
  broken = await brokenServers["check-then-act-sequence"]!.start({ scryptCost: 64 });
});
afterAll(async () => {
  await Promise.all([reference.close(), broken.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const linCases = () => casesOf("seed").filter((c) => c.id.startsWith("LIN-2"));

test("a broken server's report and counterexample: exit 1 and the violations, as a run prints them", async () => {
  const counterexampleDir = join(dir, "counterexamples");
  const run = await runChecks(linCases(), { baseUrl: broken.url, interleavings: { runs: 10, shrinkBudgetMs: 0, counterexampleDir } });
  expect(run.exitCode).toBe(1);
  const reportFile = join(dir, "broken.json");
  writeFileSync(reportFile, JSON.stringify(jsonReportOf(run)));
  const fromReport = captured();
  expect((await runCli(["check-history", reportFile], fromReport.output)).exitCode).toBe(1);
  expect(fromReport.out.stdout).toMatch(/FAIL LIN-2\/interleavings: \d+ violations?/);
  expect(fromReport.out.stdout).toMatch(/LIN-2.*account/);

  const saved = readdirSync(counterexampleDir).filter((f) => f.endsWith(".json"));
  expect(saved.length).toBeGreaterThan(0);
  const fromCounterexample = captured();
  expect((await runCli(["check-history", join(counterexampleDir, saved[0]!)], fromCounterexample.output)).exitCode).toBe(1);
  expect(fromCounterexample.out.stdout).toMatch(/FAIL the counterexample's history/);
}, 120_000);

test("the reference's history, saved bare: exit 0", async () => {
  const run = await runChecks(linCases(), { baseUrl: reference.url, interleavings: { runs: 2 } });
  const history = run.results[0]?.interleaving?.history;
  expect(history?.operations.length).toBeGreaterThan(0);
  const file = join(dir, "history.json");
  writeFileSync(file, JSON.stringify(history));
  const { out, output } = captured();
  expect((await runCli(["check-history", file], output)).exitCode).toBe(0);
  expect(out.stdout).toMatch(/PASS the history: no violation/);
}, 60_000);

test("a file that holds no usable history: exit 2, naming what is wrong", async () => {
  const notJson = join(dir, "not.json");
  writeFileSync(notJson, "{");
  const first = captured();
  expect((await runCli(["check-history", notJson], first.output)).exitCode).toBe(2);
  const bad = join(dir, "bad-history.json");
  writeFileSync(bad, JSON.stringify({ format: "wallet-sync-history/1", contentModel: "opaque", operations: [{ id: "x" }] }));
  const second = captured();
  expect((await runCli(["check-history", bad], second.output)).exitCode).toBe(2);
  expect(second.out.stderr).toMatch(/is not a wallet-sync-history\/1 history: \/operations\/0/);
  const none = captured();
  expect((await runCli(["check-history"], none.output)).exitCode).toBe(2);
  expect(none.out.stderr).toContain("takes one file");
});
