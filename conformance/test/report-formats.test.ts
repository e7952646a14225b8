// The JUnit and JSON writers on hand-made runs: SHOULD warnings, --strict,
// a check that threw, an interleaving failure with its history, and text a
// hostile server sent.
import { describe, expect, test } from "vitest";
import { makeFinding, verdictOf, type CheckResult } from "../src/model/result.js";
import { jsonReportOf } from "../src/report/json.js";
import { formatJunitReport } from "../src/report/junit.js";
import { hostileText, interleavingResult, largeBrokenHistory, runOf, smallBrokenHistory } from "./fixtures/interleaving-run.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";
import { parseJunit } from "./support/junit.js";

function contractResult(id: string, findings: CheckResult["findings"], strict = false, error?: string): CheckResult {
  const requirement = id.split("/")[0] as string;
  const level = requirement === "HTTP-3" ? "SHOULD" : "MUST";
  return {
    id,
    requirement,
    level,
    title: `title of ${id}`,
    verdict: error !== undefined ? "failed" : verdictOf(findings, strict),
    findings,
    exchanges: [],
    startedAt: new Date(0).toISOString(),
    durationMs: 12,
    ...(error !== undefined ? { error } : {}),
  };
}

const warning = makeFinding({ requirement: "HTTP-3", message: "answered with Content-Type text/plain", received: `200 ${hostileText}\u0000` });

function testcases(xml: string) {
  return parseJunit(xml).testsuites.testsuite.flatMap((suite) => suite.testcase);
}

describe("JUnit", () => {
  test("a SHOULD warning passes the testcase and goes to <system-out>; under --strict it is a failure", () => {
    const [lenient] = testcases(formatJunitReport(runOf([contractResult("HTTP-3/json-content-type", [warning])])));
    expect(lenient?.failure).toBeUndefined();
    expect(lenient?.["system-out"]).toContain("WARNING HTTP-3 (SHOULD) answered with Content-Type text/plain");
    const [strict] = testcases(formatJunitReport(runOf([contractResult("HTTP-3/json-content-type", [warning], true)], true)));
    expect(strict?.failure?.type).toBe("SHOULD");
  });

  test("what a server sent comes through escaped: the parsed text is the text, control characters made visible", () => {
    const [testcase] = testcases(formatJunitReport(runOf([contractResult("HTTP-3/json-content-type", [warning], true)], true)));
    expect(testcase?.failure?.["#text"]).toContain(`received: 200 ${hostileText}\\u0000`);
  });

  test("a check that threw is an <error>, counted apart from failures", () => {
    const thrown = contractResult("SEQ-1/first", [makeFinding({ requirement: "SEQ-1", message: "the check stopped with an exception: boom" })], false, "boom");
    const xml = formatJunitReport(runOf([thrown]));
    const [testcase] = testcases(xml);
    expect(testcase?.error?.type).toBe("exception");
    expect(parseJunit(xml).testsuites).toMatchObject({ failures: "0", errors: "1" });
  });

  test("an interleaving failure lists its violations, the operations they name and the replay facts", () => {
    const [testcase] = testcases(formatJunitReport(runOf([interleavingResult(smallBrokenHistory())])));
    const text = testcase?.failure?.["#text"] ?? "";
    expect(testcase?.classname).toBe("LIN-2");
    expect(text).toContain("history: 13 operations, 20 runs, seed 42, history saved to reports/histories/LIN-2-seed-42.json");
    expect(text).toMatch(/LIN-2 \(also SEQ-6\), account acct: Sequence 4 was accepted twice/);
    expect(text).toMatch(/#7 account acct, client A: POST sequence 4 on base 3 with token 1 → 200/);
    expect(text).toContain(hostileText.slice(-20));
    expect(text).toContain("workload:\n    account acct: device A posts 4 times");
    expect(text).toContain("run it again:\n    wallet-sync-conformance --url http://127.0.0.1:8090 --only LIN-2 --replay");
  });
});

describe("the JSON report's schema", () => {
  const validate = reportValidator();

  test("accepts a run with interleaving histories, small and large", () => {
    const run = runOf([interleavingResult(smallBrokenHistory()), interleavingResult(largeBrokenHistory(5, 60)), contractResult("HTTP-3/json-content-type", [warning])]);
    const report = JSON.parse(JSON.stringify(jsonReportOf(run))) as unknown;
    expect(validate(report), schemaErrors(validate).join("\n")).toBe(true);
  });

  test("rejects what the writer must not produce: unknown fields, a signup with a posted version, a bad verdict", () => {
    const report = () => JSON.parse(JSON.stringify(jsonReportOf(runOf([interleavingResult(smallBrokenHistory())])))) as {
      results: Array<Record<string, unknown> & { interleaving: { history: { operations: Array<Record<string, unknown>> } } }>;
    };
    const unknownField = report();
    unknownField.results[0]!["surprise"] = 1;
    expect(validate(unknownField)).toBe(false);
    const signupWithVersion = report();
    const signup = { id: 99, kind: "signup", account: "a", client: "c", invokedAt: 0, completedAt: 1, outcome: { type: "ok", status: 201 } };
    signupWithVersion.results[0]!.interleaving.history.operations.push({ ...signup, request: { encryptedWallet: "x", sequence: 1, hmac: "h", baseSequence: 0 } });
    expect(validate(signupWithVersion)).toBe(false);
    const badVerdict = report();
    badVerdict.results[0]!["verdict"] = "maybe";
    expect(validate(badVerdict)).toBe(false);
  });
});
