// A failed case is run again alone: its findings say whether it fails only
// while other requests are in flight, against a server that answers 500 to
// a password change only when another write overlaps it, and one that
// answers 500 to every password change. The verdict stays failed.
import { describe, expect, test } from "vitest";
import { brokenApi3Servers } from "../src/broken/servers.js";
import { describeAlone, type RunResult } from "../src/model/result.js";
import { casesOf } from "../src/registry.js";
import { formatHtmlReport } from "../src/report/html/page.js";
import { jsonReportOf } from "../src/report/json.js";
import { formatJunitReport } from "../src/report/junit.js";
import { formatTerminalReport } from "../src/report/terminal.js";
import { runChecks } from "../src/run/run-checks.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";

// Cases that change passwords among others that write. PASS-1/concurrent-post is left out: it overlaps its own writes, so it fails alone too.
const cases = casesOf("api3").filter((c) => !c.exclusive && /^(PASS-1\/(without|with)-wallet|PASS-2|SALT-1|AUTH-1|SIGNUP-2)\b/.test(c.id));

async function runAgainst(name: string, concurrency = 8): Promise<RunResult> {
  const server = await brokenApi3Servers[name]!.start({ scryptCost: 64 });
  try {
    return await runChecks(cases, { profile: "api3", baseUrl: server.url, concurrency });
  } finally {
    await server.close();
  }
}

function passwordChangeFindings(run: RunResult) {
  return run.results.flatMap((r) => r.findings.filter((f) => /^500 \[Content-Type: text\/plain; charset=utf-8\] database is locked$/.test(f.received ?? "")));
}

function expectInEveryReport(run: RunResult, wording: string): void {
  expect(formatTerminalReport(run)).toContain(`        alone:    ${wording}`);
  expect(formatJunitReport(run)).toContain(`alone:    ${wording}`);
  expect(formatHtmlReport(run)).toContain(`<dt>alone</dt><dd>${wording}</dd>`);
  const validate = reportValidator();
  expect(validate(JSON.parse(JSON.stringify(jsonReportOf(run)))), schemaErrors(validate).join("\n")).toBe(true);
}

test("the words for each outcome of the runs alone", () => {
  expect(describeAlone({ runs: 2, passed: 0, inFlight: 5 })).toBe("fails alone too");
  expect(describeAlone({ runs: 2, passed: 2, inFlight: 5 })).toBe("only while other requests were in flight (5 at once); alone it passed 2 of 2");
  expect(describeAlone({ runs: 2, passed: 1, inFlight: 5 })).toBe("fails now and then, also alone: it passed 1 of 2 runs alone");
  // Its exchange met no other request: the failure came from something else than load.
  expect(describeAlone({ runs: 2, passed: 2, inFlight: 1 })).toBe("did not fail again: alone it passed 2 of 2");
});

describe("a failed case run again alone", () => {
  test("against a server that fails a password change only while another write is in flight: only under load; alone it passed 2 of 2", async () => {
    const run = await runAgainst("500-on-password-change-during-writes");
    expect(run.exitCode).toBe(1);
    const findings = passwordChangeFindings(run);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.alone).toMatchObject({ runs: 2, passed: 2 });
      expect(finding.alone?.inFlight).toBeGreaterThan(1);
    }
    const first = findings[0]!.alone!;
    expectInEveryReport(run, `only while other requests were in flight (${first.inFlight} at once); alone it passed 2 of 2`);
  }, 60_000);

  test("against a server that fails every password change: fails alone too", async () => {
    const run = await runAgainst("500-on-every-password-change");
    expect(run.exitCode).toBe(1);
    const findings = passwordChangeFindings(run);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) expect(finding.alone).toMatchObject({ runs: 2, passed: 0 });
    expectInEveryReport(run, "fails alone too");
  }, 60_000);

  test("with --concurrency 1 every case already ran alone: nothing is run again", async () => {
    const run = await runAgainst("500-on-every-password-change", 1);
    const findings = passwordChangeFindings(run);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) expect(finding.alone).toBeUndefined();
  }, 60_000);
});
