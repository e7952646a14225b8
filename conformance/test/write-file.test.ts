// Report files: missing folders are made; a folder that cannot be made is an error, never a hang.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { writeReportFile } from "../src/report/write-file.js";

test("makes the missing folders", async () => {
  const dir = await mkdtemp(join(tmpdir(), "wallet-sync-write-"));
  try {
    await writeReportFile(join(dir, "reports/ci/junit.xml"), "<x/>");
    expect(await readFile(join(dir, "reports/ci/junit.xml"), "utf8")).toBe("<x/>");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.skipIf(!existsSync("/proc/self"))("fails where a folder cannot be made (mkdir's recursive mode spins under /proc)", async () => {
  await expect(writeReportFile("/proc/no-such-folder/report.xml", "x")).rejects.toThrow(/ENOENT|EACCES|EPERM/);
}, 5_000);
