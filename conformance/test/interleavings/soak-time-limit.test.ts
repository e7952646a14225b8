// A soak's time limit ends fast-check's loop without waiting for the workload
// in flight; the run waits for it, so that what it sent is counted and
// checked, and nothing of it reaches the server after the run has reported.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../../reference/src/index.js";
import { interleavingCasesOf } from "../../src/interleavings/property/cases.js";
import { runChecks } from "../../src/run/run-checks.js";

/** Requests before the workloads: the probe for the largest wallet takes about 25. */
const probeRequests = 40;
let requests = 0;
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({
    scryptCost: 64,
    // Past the probe every answer takes 200 ms: the first workload outlasts the soak's 300 ms.
    wrapHandler: (listener) => (request, response) => {
      requests++;
      if (requests <= probeRequests) return listener(request, response);
      setTimeout(() => listener(request, response), 200);
    },
  });
});
afterAll(() => server.close());

test("the workload in flight when a soak's time is up is waited for: counted, and done before the run reports", async () => {
  const [lin1] = interleavingCasesOf("seed").filter((check) => check.requirement === "LIN-1");
  const run = await runChecks([lin1!], { baseUrl: server.url, aloneRuns: 0, interleavings: { durationMs: 300, settleMs: 100, seed: 3 } });
  const seen = requests;
  expect(run.results[0]!.verdict).toBe("passed");
  expect(run.coverage!.operations).toBeGreaterThan(0);
  expect(run.coverage!.operations).toBeLessThanOrEqual(seen - 1);
  await sleep(1_000);
  expect(requests, "requests after the run reported").toBe(seen);
}, 60_000);
