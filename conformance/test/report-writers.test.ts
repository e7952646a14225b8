// --junit, --json and --html against a broken server: the JUnit file is
// what JUnit parsers accept, with counts that match the run; the JSON report
// validates against conformance/report-schema.json; the HTML report renders
// in headless Chromium with every failure and its exchanges.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { brokenServers } from "../src/broken/servers.js";
import { runCli } from "../src/cli/main.js";
import type { RunResult } from "../src/model/result.js";
import { jsonReportFormat } from "../src/report/json.js";
import { useChromium, describeInChromium, openReport } from "./support/chromium.js";
import { parseJunit } from "./support/junit.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";

describe("reports of one run against a broken server", () => {
  let dir: string;
  let run: RunResult;
  const files = { junit: "", json: "", html: "" };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wallet-sync-reports-"));
    Object.assign(files, { junit: join(dir, "ci/junit.xml"), json: join(dir, "report.json"), html: join(dir, "report.html") });
    const server = await brokenServers["500-on-malformed-json"]!.start({ scryptCost: 64 });
    try {
      const quiet = { stdout: () => undefined, stderr: () => undefined };
      // Two randomized runs of the interleaving cases: this test is about the reports, not the server.
      const argv = ["--url", server.url, "--runs", "2", "--junit", files.junit, "--json", files.json, "--html", files.html, "--quiet"];
      const result = await runCli(argv, quiet);
      expect(result.exitCode).toBe(1);
      run = result.run as RunResult;
    } finally {
      await server.close();
    }
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("the JUnit file parses, with one testcase per case and the run's failure count", async () => {
    const { testsuites } = parseJunit(await readFile(files.junit, "utf8"));
    const testcases = testsuites.testsuite.flatMap((suite) => suite.testcase);
    expect(Number(testsuites.tests)).toBe(run.results.length);
    expect(testcases).toHaveLength(run.results.length);
    expect(Number(testsuites.failures) + Number(testsuites.errors)).toBe(run.totals.failed);
    for (const suite of testsuites.testsuite) {
      expect(Number(suite.tests)).toBe(suite.testcase.length);
      expect(Number(suite.failures) + Number(suite.errors)).toBe(suite.testcase.filter((t) => t.failure ?? t.error).length);
    }
    const failed = testcases.filter((t) => t.failure ?? t.error);
    expect(failed.map((t) => t.name.split(":")[0]).sort()).toEqual(
      run.results.filter((r) => r.verdict === "failed").map((r) => r.id).sort(),
    );
    for (const testcase of testcases) {
      const result = run.results.find((r) => testcase.name.startsWith(`${r.id}: `));
      expect(testcase.classname).toBe(result?.requirement);
    }
  });

  test("a JUnit failure gives the requirement, the message and the exchanges", async () => {
    const { testsuites } = parseJunit(await readFile(files.junit, "utf8"));
    const testcase = testsuites.testsuite.flatMap((s) => s.testcase).find((t) => t.name.startsWith("HTTP-6/"));
    expect(testcase?.failure?.type).toBe("MUST");
    expect(testcase?.failure?.message).toMatch(/^HTTP-6 \(MUST\) .*answered 500/);
    const text = testcase?.failure?.["#text"] ?? "";
    expect(text).toMatch(/^HTTP-6 \(MUST\) /);
    expect(text).toContain("> POST /signup");
    expect(text).toContain('< 500 [Content-Type: application/json] {"error":"Internal Server Error: unexpected end of JSON input"}');
  });

  test("the JSON report validates against conformance/report-schema.json and holds every case", async () => {
    const report = JSON.parse(await readFile(files.json, "utf8")) as RunResult & { format: string };
    const validate = reportValidator();
    expect(validate(report), schemaErrors(validate).join("\n")).toBe(true);
    expect(report.format).toBe(jsonReportFormat);
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual(run.results.map((r) => [r.id, r.verdict]));
    expect(report.totals).toEqual(run.totals);
    const failed = report.results.find((r) => r.id.startsWith("HTTP-6/"));
    expect(failed?.findings[0]?.exchanges[0]?.response?.status).toBe(500);
  });

  describeInChromium("the HTML report in headless Chromium", () => {
    const browser = useChromium();

    test("renders the summary and every failure with its exchanges, without errors or requests", async () => {
      const { page, errors, requests } = await openReport(browser(), files.html);
      expect(await page.locator(".banner h1").textContent()).toBe("DOES NOT CONFORM");
      const failedIds = run.results.filter((r) => r.verdict === "failed").map((r) => r.id);
      expect(await page.locator("#failures article.case").count()).toBe(failedIds.length);
      for (const id of failedIds) await expect(page.locator("#failures").textContent()).resolves.toContain(id);
      const firstExchange = page.locator("#failures .exchange").first();
      expect(await firstExchange.locator(".request pre").textContent()).toMatch(/^POST \/signup/);
      expect(await firstExchange.locator(".response pre").textContent()).toMatch(/^500 /);
      expect(await page.locator("table.requirements tbody tr").count()).toBe(new Set(run.results.map((r) => r.requirement)).size);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    });
  });
});
