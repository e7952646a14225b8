// Each broken server: the suite fails it and names the requirement its defect breaks.
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { profileNames, type ProfileName } from "../../spec/index.js";
import { brokenServers, brokenServersByProfile, concurrencyDefects, depthDefects } from "../src/broken/servers.js";
import { interleavingSlug } from "../src/interleavings/property/words.js";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";
import { schemaRequirement } from "../src/run/schema-findings.js";

// Where the interleaving cases save their counterexamples, removed afterwards.
const counterexampleDir = join(tmpdir(), `wallet-sync-broken-servers-${process.pid}`);
afterAll(() => rm(counterexampleDir, { recursive: true, force: true }));

// Every profile's zoo, each server checked by its profile's cases. Servers whose defect shows only under
// faults or restarts have tests of their own (faults.test.ts, restarts.test.ts), and so have those
// whose defect shows deep in a history or in large wallets, which a default run reaches (broken-depth.test.ts).
const deepHistory: ReadonlySet<string> = new Set(depthDefects);
// The concurrency defects are caught by the interleaving cases over several seeds, with their counterexamples (broken-concurrency.test.ts).
const concurrency: ReadonlySet<string> = new Set(concurrencyDefects);
const zoo = profileNames.flatMap((profile) =>
  Object.entries(brokenServersByProfile[profile])
    .filter(([name, broken]) => broken.needs === undefined && !deepHistory.has(name) && !concurrency.has(name))
    .map(([name, broken]) => [profile, name, broken] as const),
);

/** Whether a contract case, not the randomized workloads, owns the requirement: then the defect shows without workloads. */
const ownedByContract = (profile: ProfileName, requirement: string) =>
  casesOf(profile).some((c) => c.requirement === requirement && !c.id.endsWith(`/${interleavingSlug}`));

describe.each(zoo)("%s: %s", (profile, _name, broken) => {
  test(`fails, naming ${broken.breaks.join(", ")}`, async () => {
    const server = await broken.start({ scryptCost: 64 });
    try {
      // A few interleaving runs, no shrinking, where a requirement the defect breaks is the workloads' to judge
      // (such defects fail on most runs). Failed cases are not run again alone: which requirements fail is the
      // question here (alone.test.ts checks those runs).
      const runs = broken.breaks.every((requirement) => ownedByContract(profile, requirement)) ? 0 : 4;
      const run = await runChecks(casesOf(profile), {
        profile,
        baseUrl: server.url,
        concurrency: 8,
        aloneRuns: 0,
        // No deep accounts: the depth defects have a test of their own, and these defects show without them.
        // A short settle: a defect that shows only in final reads has a test of its own (final-reads.test.ts).
        interleavings: { runs, shrinkBudgetMs: 0, counterexampleDir, depthCap: 0, settleMs: 100 },
      });
      expect(run.exitCode).toBe(1);
      const mustFindings = run.results.flatMap((r) => r.findings.filter((f) => f.level === "MUST"));
      const failedRequirements = new Set(mustFindings.map((f) => f.requirement));
      for (const requirement of broken.breaks) expect([...failedRequirements]).toContain(requirement);
      // Every finding names its case's requirement, one its steps declare (alsoChecks), or the
      // schema requirement the run checks every response against: else a declaration is stale.
      const byId = new Map(casesOf(profile).map((c) => [c.id, c]));
      for (const result of run.results) {
        const check = byId.get(result.id)!;
        const declared = [check.requirement, ...check.alsoChecks, schemaRequirement];
        for (const finding of result.findings) expect(declared, `${result.id}: ${finding.message}`).toContain(finding.requirement);
      }
      // Every failure explains itself: what was expected, and a message.
      for (const result of run.results.filter((r) => r.verdict === "failed")) {
        expect(result.error).toBeUndefined();
        for (const finding of result.findings) expect(finding.message).not.toBe("");
      }
    } finally {
      await server.close();
    }
    // A whole run per server; the default 5 s is too tight when the full test suite shares the machine.
  }, 60_000);
});

test("a dropped connection is reported plainly", async () => {
  const server = await brokenServers["drops-connection-on-malformed-json"]!.start({ scryptCost: 64 });
  try {
    const run = await runChecks(casesOf("seed").filter((c) => c.id === "HTTP-6/malformed-requests"), { baseUrl: server.url });
    const messages = run.results.flatMap((r) => r.findings.map((f) => f.message));
    expect(messages.some((m) => /the server (closed|reset) the connection/.test(m))).toBe(true);
  } finally {
    await server.close();
  }
});
