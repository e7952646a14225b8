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

test("spec/generated/openapi.ts is up to date with spec/openapi.yaml (else run `npm run generate`)", async () => {
  const scratch = await mkdtemp(join(tmpdir(), "wallet-sync-types-"));
  try {
    const fresh = join(scratch, "openapi.ts");
    const bin = join(specDir, "..", "node_modules", ".bin", "openapi-typescript");
    await run(bin, [join(specDir, "openapi.yaml"), "-o", fresh]);
    const committed = await readFile(join(specDir, "generated", "openapi.ts"), "utf8");
    expect(committed, "spec/generated/openapi.ts is stale: run `npm run generate`").toBe(await readFile(fresh, "utf8"));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
