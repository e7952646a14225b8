// The reports of a real interleaving failure: the LIN-2 case against a
// server that checks the sequence and stores the wallet in two steps. The
// JUnit file and the JSON report carry its history and violations, and the
// HTML report draws them in headless Chromium.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { brokenServers } from "../src/broken/servers.js";
import { interleavingCasesOf } from "../src/interleavings/property/cases.js";
import type { RunResult } from "../src/model/result.js";
import { htmlWriter } from "../src/report/html/page.js";
import { jsonWriter } from "../src/report/json.js";
import { junitWriter } from "../src/report/junit.js";
import { runChecks } from "../src/run/run-checks.js";
import { describeInChromium, useChromium, openReport } from "./support/chromium.js";
import { parseJunit } from "./support/junit.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";

describe("reports of the LIN-2 case against a server with a check-then-act race", () => {
  let dir: string;
  let run: RunResult;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wallet-sync-interleaving-report-"));
    const server = await brokenServers["check-then-act-sequence"]!.start({ scryptCost: 64 });
    try {
      const cases = interleavingCasesOf("seed").filter((c) => c.requirement === "LIN-2");
      const interleavings = { runs: 10, seed: 11, shrinkBudgetMs: 1000, counterexampleDir: dir };
      run = await runChecks(cases, { baseUrl: server.url, interleavings });
    } finally {
      await server.close();
    }
    for (const writer of [junitWriter, jsonWriter, htmlWriter]) await writer.write(run, file(`report.${writer.flag}`));
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("the case failed with its history and the violations' operations attached", () => {
    const [result] = run.results;
    expect(result?.verdict).toBe("failed");
    const evidence = result?.interleaving;
    expect(evidence?.violations.length).toBeGreaterThan(0);
    const ids = new Set(evidence?.history.operations.map((op) => op.id));
    for (const violation of evidence?.violations ?? []) for (const id of violation.operations) expect(ids.has(id)).toBe(true);
  });

  test("the JUnit failure names LIN-2 and lists the contradicting operations", async () => {
    const { testsuites } = parseJunit(await readFile(file("report.junit"), "utf8"));
    const [testcase] = testsuites.testsuite.flatMap((s) => s.testcase);
    expect(testcase?.classname).toBe("LIN-2");
    expect(testcase?.failure?.["#text"]).toMatch(/accepted twice/);
    expect(testcase?.failure?.["#text"]).toMatch(/run it again:\n {4}npx wallet-sync-conformance .* --replay /);
  });

  test("the JSON report validates, history included", async () => {
    const validate = reportValidator();
    const report = JSON.parse(await readFile(file("report.json"), "utf8")) as RunResult;
    expect(validate(report), schemaErrors(validate).join("\n")).toBe(true);
    expect(report.results[0]?.interleaving?.history.operations.length).toBe(run.results[0]?.interleaving?.history.operations.length);
  });

  describeInChromium("the HTML report in headless Chromium", () => {
    const browser = useChromium();

    test("draws the timeline with the contradicting operations outlined, without errors", async () => {
      const { page, errors, requests } = await openReport(browser(), file("report.html"));
      const figure = page.locator("#case-LIN-2-interleavings figure.interleaving").first();
      expect(await figure.locator("svg.timeline g.op").count()).toBeGreaterThan(2);
      const highlighted = await figure.locator("svg.timeline g.op.hl").evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute("data-op"))));
      const named = run.results[0]?.interleaving?.violations.flatMap((v) => v.operations) ?? [];
      expect(highlighted.length).toBeGreaterThanOrEqual(2);
      expect(highlighted.every((id) => named.includes(id))).toBe(true);
      expect(await figure.locator("li.violation").first().textContent()).toMatch(/accepted twice/);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    });
  });
});
