// The committed types must be what openapi-typescript makes of openapi.yaml
// today: `npm run generate` refreshes them.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { specDir } from "../index.js";

const run = promisify(execFile);

const generated = [
  { document: "openapi.yaml", types: "openapi.ts" },
  { document: "api3/openapi.yaml", types: "api3.ts" },
];

test.each(generated)("spec/generated/$types is up to date with spec/$document (else run `npm run generate`)", async ({ document, types }) => {
  const scratch = await mkdtemp(join(tmpdir(), "wallet-sync-types-"));
  try {
    const fresh = join(scratch, types);
    const bin = join(specDir, "..", "node_modules", ".bin", "openapi-typescript");
    await run(bin, [join(specDir, document), "-o", fresh]);
    const committed = await readFile(join(specDir, "generated", types), "utf8");
    expect(committed, `spec/generated/${types} is stale: run \`npm run generate\``).toBe(await readFile(fresh, "utf8"));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
