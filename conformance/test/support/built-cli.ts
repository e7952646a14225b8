// The built command, as CI runs it: tests that start it as a child process
// need `npm run build` first (npm test builds before vitest runs).
import { existsSync } from "node:fs";

export const builtCli = "dist/conformance/src/cli.js";

/** The built command's path; throws, saying what to run, when it is not built. */
export function requireBuiltCli(): string {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`npm run build\` first`);
  return builtCli;
}
