// Most test files wait on servers and sockets more than they compute, so
// more files run at once than there are cores. They share the cores: a
// generous timeout keeps a slow moment from failing a correct test, while a
// hung test still ends. A worker keeps its loaded modules from one file to
// the next (isolate: false): the files share no mutable state, and loading
// the suite afresh for each of ninety files cost more than a tenth of the run.
// Servers the tests start without a password-hash cost of their own (the
// command lines', the embedded reference's) hash at a test cost: at the real
// one, hashing was most of the run's CPU.
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer } from "vitest/node";

/**
 * The files that take longest, longest first (measured on 2 cores). They
 * start before the rest, so that the run does not end with one of them
 * running alone while the other workers have nothing left. Vitest would
 * order by its last run's durations, but a fresh clone (CI) has none, and
 * then it orders by file size, which put some of these last.
 */
const slowestFiles = [
  "conformance/test/broken-servers.test.ts",
  "conformance/test/hostile-bounds.test.ts",
  "conformance/test/correct-variants.test.ts",
  "conformance/test/faults.test.ts",
  "conformance/test/broken-deployments.test.ts",
  "conformance/test/interleavings/property-api3.test.ts",
  "conformance/test/package.test.ts",
  "conformance/test/gateway.test.ts",
  "conformance/test/interleavings/broken-api3-concurrency.test.ts",
  "conformance/test/cli.test.ts",
  "conformance/test/broken-soak.test.ts",
  "reference/test/postgres-deployment.test.ts",
  "conformance/test/workers.test.ts",
  "conformance/test/interleavings/replay.test.ts",
  "conformance/test/api3-reference-passes.test.ts",
  "conformance/test/interleavings/final-reads.test.ts",
  "conformance/test/rolling-restarts.test.ts",
  "conformance/test/soak-long-lived.test.ts",
  "conformance/test/interleavings/broken-concurrency.test.ts",
  "scripts/check-deployment.test.ts",
];
// A file renamed or gone from the list would silently lose its place.
for (const file of slowestFiles) if (!existsSync(join(import.meta.dirname, file))) throw new Error(`vitest.config.ts lists ${file}, which does not exist`);

/** The slowest files first, in that order; the others in vitest's own order after them. */
class SlowestFirst extends BaseSequencer {
  override async sort(files: Parameters<BaseSequencer["sort"]>[0]) {
    const rank = (file: (typeof files)[number]) => {
      const index = slowestFiles.indexOf(relative(this.ctx.config.root, file.moduleId));
      return index === -1 ? slowestFiles.length : index;
    };
    // A stable sort: files of one rank keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    maxWorkers: 4,
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { WALLET_SYNC_SCRYPT_COST: "1024" },
    sequence: { sequencer: SlowestFirst },
  },
});
