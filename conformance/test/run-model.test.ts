// The result model: verdicts by level, --strict, a check that throws, prefixes.
import { expect, test } from "vitest";
import { verdictOf, makeFinding } from "../src/model/result.js";
import { defineCheck } from "../src/model/case.js";
import { CheckAborted } from "../src/model/context.js";
import { matchesPrefix, selectCases } from "../src/model/selection.js";
import { runChecks } from "../src/run/run-checks.js";
import { casesOf } from "../src/registry.js";

test("a check names an existing requirement and takes its level", () => {
  const check = defineCheck({ file: import.meta.url, requirement: "HTTP-3", slug: "example", title: "t", run: async () => undefined });
  expect(check).toMatchObject({ id: "HTTP-3/example", level: "SHOULD", exclusive: false, file: "conformance/test/run-model.test.ts" });
  expect(() => defineCheck({ file: import.meta.url, requirement: "SEQ-1", slug: "x", title: "t", alsoChecks: ["NOPE-2"], run: async () => undefined })).toThrow(/unknown requirement/);
  expect(() => defineCheck({ file: import.meta.url, requirement: "NOPE-1", slug: "x", title: "t", run: async () => undefined })).toThrow(/unknown requirement/);
  expect(() => defineCheck({ file: import.meta.url, requirement: "SEQ-1", slug: "Not A Slug", title: "t", run: async () => undefined })).toThrow(/slug/);
});

test("verdicts: MUST fails, SHOULD warns (fails under --strict), nothing passes", () => {
  const must = makeFinding({ requirement: "SEQ-3", message: "m" });
  const should = makeFinding({ requirement: "HTTP-3", message: "s" });
  expect(must.level).toBe("MUST");
  expect(verdictOf([], false)).toBe("passed");
  expect(verdictOf([should], false)).toBe("warned");
  expect(verdictOf([should], true)).toBe("failed");
  expect(verdictOf([should, must], false)).toBe("failed");
});

test("a check that throws fails with the message, and the run goes on", async () => {
  const cases = [
    defineCheck({ file: import.meta.url, requirement: "HTTP-3", slug: "throws", title: "throws", run: async () => { throw new Error("boom"); } }),
    defineCheck({
      file: import.meta.url,
      requirement: "SEQ-1",
      slug: "aborts",
      title: "aborts",
      run: async (ctx) => {
        ctx.report({ requirement: "SEQ-1", message: "first step failed" });
        throw new CheckAborted("cannot go on");
      },
    }),
    defineCheck({ file: import.meta.url, requirement: "SEQ-2", slug: "passes", title: "passes", run: async () => undefined }),
  ];
  const run = await runChecks(cases, { baseUrl: "http://127.0.0.1:9" });
  expect(run.results.map((r) => r.verdict)).toEqual(["failed", "failed", "passed"]);
  expect(run.results[0]).toMatchObject({ error: "boom" });
  expect(run.results[0]?.findings[0]?.message).toContain("boom");
  expect(run.results[1]?.error).toBeUndefined();
  expect(run.results[1]?.findings.map((f) => f.message)).toEqual(["first step failed"]);
  expect(run.totals).toEqual({ checks: 3, passed: 1, warned: 0, failed: 2, blocked: 0, expectedFailures: 0, staleBaseline: 0, notExercised: 0 });
  expect(run.exitCode).toBe(1);
});

test("exclusive cases run alone, after the others", async () => {
  const order: string[] = [];
  const make = (slug: string, exclusive: boolean) =>
    defineCheck({ file: import.meta.url, requirement: "LIN-1", slug, title: slug, exclusive, run: async () => void order.push(slug) });
  await runChecks([make("alone", true), make("a", false), make("b", false)], { baseUrl: "http://127.0.0.1:9" });
  expect(order.at(-1)).toBe("alone");
});

test("prefixes match at ID boundaries, case-insensitively", () => {
  expect(matchesPrefix("SEQ-3/stale", "SEQ")).toBe(true);
  expect(matchesPrefix("SEQ-3/stale", "seq-3")).toBe(true);
  expect(matchesPrefix("SEQ-3/stale", "SEQ-3/stale")).toBe(true);
  expect(matchesPrefix("SEQ-10/x", "SEQ-1")).toBe(false);
  expect(matchesPrefix("SEQ-3/stale", "SE")).toBe(false);
  expect(selectCases(casesOf("seed"), { only: ["SYNC"] }).map((c) => c.id)).toEqual(["SYNC-1/walkthrough"]);
});

test("case ids are unique and listed in the order of protocol.md", () => {
  const ids = casesOf("seed").map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids[0]?.startsWith("HTTP-1/")).toBe(true);
  expect(ids.at(-1)).toBe("SYNC-1/walkthrough");
});
