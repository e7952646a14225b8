// describe() for tests that need a real PostgreSQL: one throwaway server for
// the block (support/postgres.ts). Without PostgreSQL the block is skipped
// with a visible reason, except in CI, where it fails and says what to install.
import { afterAll, beforeAll, describe, test } from "vitest";
import { findPostgres, startPostgres, type ThrowawayPostgres } from "./postgres.js";

export function describeWithPostgres(name: string, body: (postgres: () => ThrowawayPostgres) => void): void {
  const found = findPostgres();
  if (!found.available && process.env["CI"]) {
    describe(name, () => {
      test("needs PostgreSQL", () => {
        throw new Error(found.reason);
      });
    });
    return;
  }
  if (!found.available) {
    console.warn(`skipping "${name}": ${found.reason}`);
    describe.skip(`${name} (skipped: ${found.reason})`, () => body(() => unavailable(found.reason)));
    return;
  }
  describe(name, () => {
    let server: ThrowawayPostgres | undefined;
    beforeAll(async () => {
      server = await startPostgres();
    }, 60_000);
    afterAll(() => server?.destroy(), 30_000);
    body(() => server ?? unavailable("PostgreSQL did not start"));
  });
}

function unavailable(reason: string): never {
  throw new Error(reason);
}
