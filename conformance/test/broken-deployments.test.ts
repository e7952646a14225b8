// Each broken deployment: given every node, the suite fails it, names the
// requirement its defect breaks and the nodes of the operations that show
// it; given any one node, the suite passes it (no single node shows it).
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { describeWithPostgres } from "../../reference/test/support/postgres-tests.js";
import type { ProfileName } from "../../spec/index.js";
import { brokenDeployments, type BrokenDeployment, type BrokenDeploymentOptions } from "../src/broken/deployments.js";
import { selectCases } from "../src/model/selection.js";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";

const counterexampleDir = join(tmpdir(), `wallet-sync-broken-deployments-${process.pid}`);
afterAll(() => rm(counterexampleDir, { recursive: true, force: true }));

/**
 * The cases a deployment can break: the concurrent histories, tokens and the
 * deployment cases; in api3, the deployment cases of notifications and
 * password changes too (its interleavings take a minute more and add nothing here).
 */
const casesByProfile = {
  seed: selectCases(casesOf("seed"), { only: ["LIN", "TOKEN-2", "DEPLOY"], skip: [] }),
  api3: selectCases(casesOf("api3"), { only: ["TOKEN-2/replaced-by-new-login", "DEPLOY", "NOTIFY-2/heard-on-every-node", "PASS-2/tokens-ended-on-every-node"], skip: [] }),
} as const;

function check(profile: ProfileName, urls: readonly string[]) {
  // A few interleaving runs of a fixed seed, no shrinking: each defect shows on most runs. No deep
  // accounts: these defects are in how nodes share state, which shows at any depth.
  return runChecks(casesByProfile[profile], {
    profile,
    baseUrl: urls[0]!,
    otherNodes: urls.slice(1),
    concurrency: 4,
    interleavings: { runs: 5, seed: 1, shrinkBudgetMs: 0, settleMs: 100, counterexampleDir, depthCap: 0 },
  });
}

/** The distinct node labels ("n1", "n3") a text names. */
function nodesNamed(text: string): Set<string> {
  return new Set([...text.matchAll(/\b(?:on|through) (n\d+)\b/g)].map((match) => match[1]!));
}

async function expectCaughtOnlyTogether(broken: BrokenDeployment, options: BrokenDeploymentOptions): Promise<void> {
  // Two nodes: the fewest that show each defect, and one run less through a single node.
  const deployment = await broken.start({ scryptCost: 64, nodes: 2, ...options });
  try {
    // Every node alone and all together at once: their accounts are apart, so the runs do not meet.
    const [together, ...alone] = await Promise.all([check(broken.protocol, deployment.urls), ...deployment.urls.map((url) => check(broken.protocol, [url]))]);
    expect(together!.exitCode).toBe(1);
    expect(together!.target.nodes).toEqual(deployment.urls);
    const findings = together!.results.flatMap((result) => result.findings.filter((finding) => finding.level === "MUST"));
    for (const requirement of broken.breaks) expect(findings.map((finding) => finding.requirement)).toContain(requirement);
    // The history's violation names the operations on two different nodes.
    // The seed profile's history violation names the operations on two different nodes; an api3 finding, the node that shows it.
    const named = findings.filter((finding) => broken.breaks.includes(finding.requirement) && /^LIN|^TOKEN|^NOTIFY|^PASS/.test(finding.requirement));
    const nodesShown = broken.protocol === "seed" ? 2 : 1;
    expect(named.some((finding) => nodesNamed(finding.message).size >= nodesShown), named.map((f) => f.message).join("\n")).toBe(true);

    alone.forEach((run, index) => {
      const failed = run.results.filter((result) => result.verdict === "failed");
      expect(failed.map((result) => `${result.id}: ${result.findings[0]?.message}`), `through ${deployment.urls[index]} alone`).toEqual([]);
      expect(run.target.nodes).toBeUndefined();
    });
  } finally {
    await deployment.close();
  }
}

const inMemory = Object.entries(brokenDeployments).filter(([, broken]) => !broken.needsPostgres);
const overPostgres = Object.entries(brokenDeployments).filter(([, broken]) => broken.needsPostgres);

describe.each(inMemory)("%s", (_name, broken) => {
  test(`fails with every node, naming ${broken.breaks.join(", ")} and the nodes; passes through each node alone`, () => expectCaughtOnlyTogether(broken, {}), 120_000);
});

describeWithPostgres("broken deployments over PostgreSQL", (postgres) => {
  for (const [name, broken] of overPostgres) {
    test(`${name}: fails with every node, naming ${broken.breaks.join(", ")} and the nodes; passes through each node alone`, async () => {
      await expectCaughtOnlyTogether(broken, { databaseUrl: await postgres().createDatabase() });
    }, 120_000);
  }
});
