// npm run check:deployment, short: three PostgreSQL-backed reference
// processes pass the suite as one deployment (the full check runs 20 seeds).
import { expect, it } from "vitest";
import { describeWithPostgres } from "../reference/test/support/postgres-tests.js";
import { checkDeployment, verdictLine } from "./check-deployment.js";

describeWithPostgres("check:deployment", () => {
  it("three reference processes over one PostgreSQL conform as one deployment, 1 seed", async () => {
    const results = await checkDeployment({ nodes: 3, seeds: 1, firstSeed: 1, runs: 2 });
    expect(results.map((result) => result.seed)).toEqual([1]);
    for (const result of results) {
      expect(verdictLine(result.output), result.output).toMatch(/^CONFORMS: a deployment of 3 nodes: n1 http:\/\/127\.0\.0\.1:\d+, n2 /);
      expect(result.exitCode, result.output).toBe(0);
    }
  }, 240_000);
});
