// describe() for tests that need a real component of the machine (a browser,
// a database server): without it the block is skipped with a visible reason,
// except in CI, where it fails and says what to install.
import { describe, test } from "vitest";

/** `missing`: why the component cannot be used here, or undefined when it can. */
export function describeNeeding(component: string, missing: string | undefined, name: string, body: () => void): void {
  if (missing !== undefined && process.env["CI"]) {
    describe(name, () => {
      test(`needs ${component}`, () => {
        throw new Error(missing);
      });
    });
    return;
  }
  if (missing !== undefined) {
    console.warn(`skipping "${name}": ${missing}`);
    describe.skip(`${name} (skipped: ${missing})`, body);
    return;
  }
  describe(name, body);
}
