// Tests that start servers and run whole suites share two cores with each
// other: a generous timeout keeps a slow moment from failing a correct test,
// while a hung test still ends.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
