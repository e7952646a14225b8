// Final reads: an acknowledged version lost a few hundred milliseconds later
// is caught on every seed, and a correct server that acknowledges slowly is
// not flagged.
import { setTimeout as sleep } from "node:timers/promises";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MemoryStore, startReferenceServer, type SetWalletOutcome, type UserId, type WalletVersion } from "../../../reference/src/index.js";
import { brokenServers } from "../../src/broken/servers.js";
import { interleavingCasesOf } from "../../src/interleavings/property/cases.js";
import type { RunResult } from "../../src/model/result.js";
import { runChecks } from "../../src/run/run-checks.js";

const counterexampleDir = join(tmpdir(), `wallet-sync-final-reads-${process.pid}`);
afterAll(() => rm(counterexampleDir, { recursive: true, force: true }));

const failed = (run: RunResult) =>
  [...new Set(run.results.flatMap((r) => r.findings.filter((f) => f.level === "MUST").map((f) => f.requirement)))];

/** Stores at once, then acknowledges up to 150 ms later: slow, and honest. */
class SlowAcknowledgementStore extends MemoryStore {
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const outcome = await super.setWallet(userId, wallet);
    await sleep(Math.random() * 150);
    return outcome;
  }
}

// Deep accounts play no part in what these servers do (and a server that acknowledges slowly makes each advanced version slow): depthCap 0.
describe("final reads", () => {
  const seedsShownByFinalReads: number[] = [];
  test.each([3, 5, 8, 13, 21])("seed %i: a version rolled back after its acknowledgement is caught", async (seed) => {
    const server = await brokenServers["rolls-back-acknowledged-version"]!.start({ scryptCost: 64 });
    try {
      const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, interleavings: { runs: 6, seed, shrinkBudgetMs: 0, counterexampleDir, depthCap: 0 } });
      expect(run.exitCode).toBe(1);
      expect(failed(run)).toContain("LIN-4");
      // The loss is shown with the operations that contradict each other: the acknowledged POST and a final read.
      const evidence = run.results.find((r) => r.id === "LIN-4/interleavings")!.interleaving!;
      const byId = new Map(evidence.history.operations.map((op) => [op.id, op]));
      const lastWrite = Math.max(...evidence.history.operations.filter((op) => op.kind === "post").map((op) => op.completedAt));
      const losses = evidence.violations.filter((violation) => {
        const [subject, earlier] = violation.operations.map((id) => byId.get(id));
        return subject?.kind === "get" && earlier?.kind === "post" && earlier.outcome.type === "ok";
      });
      expect(losses.length).toBeGreaterThan(0);
      // Most often a final read shows it; on a busy machine a pause in the workload may let a device's read show it first.
      if (losses.some((violation) => byId.get(violation.operations[0]!)!.invokedAt > lastWrite)) seedsShownByFinalReads.push(seed);
    } finally {
      await server.close();
    }
  }, 60_000);

  test("in some seed, only the final reads came late enough to show the rollback", () => {
    expect(seedsShownByFinalReads.length).toBeGreaterThan(0);
  });

  // One seed: its store's delays are random on every run anyway.
  test.each([1])("seed %i: a server that acknowledges slowly but honestly passes", async (seed) => {
    const server = await startReferenceServer({ port: 0, scryptCost: 64, store: new SlowAcknowledgementStore({ scryptCost: 64 }) });
    try {
      const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, interleavings: { runs: 4, seed, settleMs: 300, counterexampleDir, depthCap: 0 } });
      expect(failed(run)).toEqual([]);
      const history = run.results.find((r) => r.interleaving)!.interleaving!.history;
      // The last execution's accounts were read twice more after its workload.
      const lastCompleted = Math.max(...history.operations.filter((op) => op.kind === "post").map((op) => op.completedAt));
      expect(history.operations.filter((op) => op.kind === "get" && op.invokedAt > lastCompleted).length).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
    }
  }, 60_000);
});
