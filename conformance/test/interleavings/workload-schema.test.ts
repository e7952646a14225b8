// The randomized workloads' exchanges are held to the spec's schemas too,
// of the profile the run speaks: an answer of the wrong shape that only the
// workloads meet is a finding of the case that ran them.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../../reference/src/index.js";
import { rewriteResponses } from "../../src/broken/wrappers.js";
import { interleavingCasesOf } from "../../src/interleavings/property/cases.js";
import { runChecks } from "../../src/run/run-checks.js";
import { counterexampleFolder } from "./broken-runs.js";

const folder = counterexampleFolder("wallet-sync-workload-schema-");
let server: ReferenceServer;
beforeAll(async () => {
  // GET /api/3/wallet answers its sequence as a string: only the body's shape is wrong, not what it says.
  server = await startReferenceServer({
    scryptCost: 64,
    protocol: "api3",
    wrapHandler: rewriteResponses((request, answer) => {
      const wallet = answer.body as { sequence?: unknown } | undefined;
      return request.method === "GET" && request.url?.startsWith("/api/3/wallet") && answer.status === 200 && typeof wallet?.sequence === "number"
        ? { status: 200, body: { ...wallet, sequence: String(wallet.sequence) } }
        : undefined;
    }),
  });
});
afterAll(() => server.close());

test("api3: a workload's answer of the wrong shape is an HTTP-2 finding", async () => {
  const run = await runChecks(interleavingCasesOf("api3"), {
    profile: "api3",
    baseUrl: server.url,
    interleavings: { runs: 2, seed: 1, depthCap: 0, shrinkBudgetMs: 0, settleMs: 100, counterexampleDir: folder() },
  });
  const schema = run.results.flatMap((result) => result.findings.filter((finding) => finding.requirement === "HTTP-2"));
  expect(schema.map((finding) => finding.message)).toContainEqual(expect.stringMatching(/GET \/api\/3\/wallet 200 body does not match the spec/));
}, 60_000);
