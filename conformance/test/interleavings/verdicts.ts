// The verdict a correct server gets from an interleaving case: without a
// crash the durability cases are not exercised; any other case passes, or
// was not exercised by so short a run (each test also checks that every
// case passed in some run).
import { expect } from "vitest";

export function expectedVerdict(check: { requirement: string }): unknown {
  return check.requirement.startsWith("DUR-") ? "not-exercised" : expect.stringMatching(/^(passed|not-exercised)$/);
}
