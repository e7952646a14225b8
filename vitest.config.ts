// Most test files wait on servers and sockets more than they compute, so
// more files run at once than there are cores. They share the cores: a
// generous timeout keeps a slow moment from failing a correct test, while a
// hung test still ends. A worker keeps its loaded modules from one file to
// the next (isolate: false): the files share no mutable state, and loading
// the suite afresh for each of ninety files cost more than a tenth of the run.
// Servers the tests start without a password-hash cost of their own (the
// command lines', the embedded reference's) hash at a test cost: at the real
// one, hashing was most of the run's CPU.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    maxWorkers: 4,
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { WALLET_SYNC_SCRYPT_COST: "1024" },
  },
});
