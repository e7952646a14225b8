// describe() for tests that need a real PostgreSQL: one throwaway server for
// the block (support/postgres.ts). Without PostgreSQL the block is skipped
// with a visible reason, except in CI, where it fails and says what to install.
import { afterAll, beforeAll } from "vitest";
import { describeNeeding } from "../../../conformance/test/support/real-component.js";
import { findPostgres, startPostgres, type ThrowawayPostgres } from "./postgres.js";

export function describeWithPostgres(name: string, body: (postgres: () => ThrowawayPostgres) => void): void {
  const found = findPostgres();
  describeNeeding("PostgreSQL", found.available ? undefined : found.reason, name, () => {
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
