// A refused set-up step fails the case that owns it once; every case that
// needed that step is blocked by it, in every report format.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReferenceServer } from "../../reference/src/index.js";
import { brokenServers } from "../src/broken/servers.js";
import type { RunResult } from "../src/model/result.js";
import { casesOf } from "../src/registry.js";
import { formatHtmlReport } from "../src/report/html/page.js";
import { jsonReportOf } from "../src/report/json.js";
import { formatJunitReport } from "../src/report/junit.js";
import { formatTerminalReport } from "../src/report/terminal.js";
import { runChecks } from "../src/run/run-checks.js";
import { parseJunit } from "./support/junit.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";

const owner = "SIGNUP-1/creates-account";
/** The cases that take no signup: they pass against this server. */
const needNoSignup = ["HTTP-3/json-content-type", "HTTP-6/malformed-requests", "WGET-3/missing-token"];

describe("a server whose signup answers 200 instead of 201", () => {
  let server: ReferenceServer;
  let run: RunResult;
  beforeAll(async () => {
    server = await brokenServers["signup-answers-200"]!.start({ scryptCost: 64 });
    run = await runChecks(casesOf("seed"), { baseUrl: server.url, concurrency: 8, interleavings: { runs: 2, shrinkBudgetMs: 0 } });
  }, 60_000);
  afterAll(() => server?.close());

  test("fails SIGNUP-1 once; every case that needed a signup is blocked by it, with no finding of its own", () => {
    const failed = run.results.filter((r) => r.verdict === "failed");
    expect(failed.map((r) => r.id)).toEqual([owner]);
    expect(failed[0]?.findings.map((f) => f.message)).toEqual(["signing up a fresh account: answered 200, expected 201"]);
    const blocked = run.results.filter((r) => r.verdict === "blocked");
    expect(blocked.map((r) => r.id).sort()).toEqual(run.results.map((r) => r.id).filter((id) => id !== owner && !needNoSignup.includes(id)).sort());
    for (const result of blocked) {
      expect(result.findings).toEqual([]);
      expect(result.blockedBy?.case).toBe(owner);
      // A contract case's step says what it expected; an interleaving case's says its workload could not start.
      expect(result.blockedBy?.step).toMatch(/^SIGNUP-1 \(MUST\) .*(answered 200, expected 201|POST \/signup answered 200\))$/);
    }
    expect(run.totals).toMatchObject({ failed: 1, blocked: blocked.length, passed: needNoSignup.length });
    expect(run.exitCode).toBe(1);
  });

  test("the terminal report lists the blocked cases apart and counts them in the totals", () => {
    const text = formatTerminalReport(run);
    expect(text).toContain(`  BLOCKED AUTH-1/issues-token  by ${owner}: SIGNUP-1 (MUST) signing up a fresh account: answered 200, expected 201`);
    expect(text).toContain(`1 failed, ${run.totals.blocked} blocked in`);
    expect(text).toContain("DOES NOT CONFORM: 1 check failed");
  });

  test("the JSON report carries the verdict, the owner and the totals, as its schema says", () => {
    const validate = reportValidator();
    const report = jsonReportOf(run);
    expect(validate(JSON.parse(JSON.stringify(report))), schemaErrors(validate).join("\n")).toBe(true);
    expect(report.results.find((r) => r.id === "SEQ-1/first-wallet")).toMatchObject({ verdict: "blocked", blockedBy: { case: owner } });
    expect(report.totals.blocked).toBe(run.totals.blocked);
  });

  test("JUnit marks the blocked cases skipped, with the reason", () => {
    const parsed = parseJunit(formatJunitReport(run));
    expect(parsed.testsuites.failures).toBe("1");
    const testcases = parsed.testsuites.testsuite.flatMap((suite) => suite.testcase);
    const skipped = testcases.filter((t) => t.skipped?.type === "blocked");
    expect(skipped).toHaveLength(run.totals.blocked);
    expect(skipped[0]?.skipped?.message).toMatch(new RegExp(`^blocked by ${owner}: SIGNUP-1 \\(MUST\\) `));
    expect(testcases.filter((t) => t.failure !== undefined).map((t) => t.name)).toEqual([expect.stringContaining(owner)]);
  });

  test("the HTML report opens on the failure, then the blocked cases, then every requirement", () => {
    const html = formatHtmlReport(run);
    const at = (section: string) => html.indexOf(`<section id="${section}">`);
    expect(at("failures")).toBeGreaterThan(-1);
    expect(at("blocked")).toBeGreaterThan(at("failures"));
    expect(at("requirements")).toBeGreaterThan(at("blocked"));
    expect(html).toContain(`failed, ${run.totals.blocked} blocked`);
    expect(html).toContain(`<a href="#case-SIGNUP-1-creates-account">${owner}</a>: SIGNUP-1 (MUST) signing up a fresh account`);
  });
});
