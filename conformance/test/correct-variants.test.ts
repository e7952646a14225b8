// No false alarms: correct servers that differ from the reference where no
// client can care each pass (exit 0); with --strict each fails at most in the
// one case that owns the SHOULD naming its difference. And one cause is one
// failure: a server with a single MUST deviation in a body many cases see
// fails only in the case that owns it.
import { afterAll, describe, expect, test } from "vitest";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startReferenceServer } from "../../reference/src/index.js";
import { rewriteResponses } from "../src/broken/wrappers.js";
import type { RunResult } from "../src/model/result.js";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";
import { correctVariants } from "./fixtures/correct-variants.js";

const counterexampleDir = join(tmpdir(), `wallet-sync-correct-variants-${process.pid}`);
afterAll(() => rm(counterexampleDir, { recursive: true, force: true }));

const strictRun = (url: string): Promise<RunResult> =>
  // What these servers vary is their answers, not how they keep long histories: no deep accounts.
  runChecks(casesOf("seed"), { baseUrl: url, strict: true, concurrency: 8, interleavings: { runs: 3, shrinkBudgetMs: 0, counterexampleDir, depthCap: 0 } });

const mustFindings = (run: RunResult) =>
  run.results.flatMap((r) => r.findings.filter((f) => f.level === "MUST").map((f) => `${r.id}: ${f.message}`));

/** The case that owns a requirement: the first of the run with that requirement. */
const ownerOf = (requirement: string) => casesOf("seed").find((c) => c.requirement === requirement)?.id;

describe.each(Object.entries(correctVariants))("%s", (_name, variant) => {
  test(`passes; with --strict fails only in the cases owning ${variant.should.join(", ") || "nothing"}`, async () => {
    const server = await variant.start({ scryptCost: 64 });
    try {
      const run = await strictRun(server.url);
      // No MUST finding and no exception: exit 0 without --strict.
      expect(mustFindings(run)).toEqual([]);
      expect(run.results.filter((r) => r.error !== undefined).map((r) => `${r.id}: ${r.error}`)).toEqual([]);
      const failed = run.results.filter((r) => r.verdict === "failed").map((r) => r.id);
      expect(failed.sort()).toEqual(variant.should.map(ownerOf).sort());
      expect(run.exitCode).toBe(variant.should.length > 0 ? 1 : 0);
    } finally {
      await server.close();
    }
  }, 120_000);
});

test("a rate-limited server is waited for, retried, and the report counts it", async () => {
  const server = await correctVariants["rate-limited"]!.start({ scryptCost: 64 });
  try {
    const run = await runChecks(casesOf("seed").filter((c) => !c.exclusive), { baseUrl: server.url, concurrency: 8 });
    expect(run.exitCode).toBe(0);
    expect(run.rateLimits.limitedResponses).toBeGreaterThan(0);
  } finally {
    await server.close();
  }
}, 60_000);

test("--rate-limit paces the run", async () => {
  const server = await startReferenceServer({ scryptCost: 64 });
  try {
    const cases = casesOf("seed").filter((c) => c.id === "WGET-2/no-wallet-yet" || c.requirement === "SIGNUP-1");
    const run = await runChecks(cases, { baseUrl: server.url, concurrency: 4, requestsPerSecond: 20 });
    const requests = run.results.reduce((count, r) => count + r.exchanges.length, 0);
    expect(run.exitCode).toBe(0);
    expect(run.rateLimits.requestsPerSecond).toBe(20);
    // N requests at 20 per second take at least (N - 1) / 20 seconds.
    expect(run.durationMs).toBeGreaterThanOrEqual(((requests - 1) / 20) * 1000 - 50);
  } finally {
    await server.close();
  }
});

test("one MUST deviation in a body every case sees fails only the case that owns it", async () => {
  // An empty error text on 401: HTTP-2's, seen by every case that checks a refused token.
  const server = await startReferenceServer({
    scryptCost: 64,
    wrapHandler: rewriteResponses((_request, answer) => (answer.status === 401 ? { ...answer, body: { error: "" } } : undefined)),
  });
  try {
    const run = await runChecks(casesOf("seed").filter((c) => !c.exclusive), { baseUrl: server.url, concurrency: 8 });
    const failed = run.results.filter((r) => r.verdict === "failed");
    expect(failed.map((r) => r.id).sort()).toEqual(["HTTP-2/get-wallet-responses", "HTTP-2/post-auth-full-responses", "HTTP-2/post-wallet-responses"]);
    for (const result of failed) expect(result.findings.every((f) => f.requirement === "HTTP-2")).toBe(true);
  } finally {
    await server.close();
  }
}, 60_000);
