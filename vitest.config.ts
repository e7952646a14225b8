// Most test files wait on servers and sockets more than they compute, so
// more files run at once than there are cores. They share the cores: a
// generous timeout keeps a slow moment from failing a correct test, while a
// hung test still ends.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    maxWorkers: 4,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
