// The reference over PostgreSQL is durable: killed and started again during
// the workloads (--server-cmd, --restarts), it keeps every acknowledged
// version and account, so the suite finds nothing (DUR-1, DUR-2, LIN-*).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { describeWithPostgres } from "../../reference/test/support/postgres-tests.js";
import { runCli } from "../src/cli/main.js";
import { freePort } from "./support/ports.js";

const referenceCli = fileURLToPath(new URL("../../dist/reference/src/cli.js", import.meta.url));

describeWithPostgres("the reference over PostgreSQL with restarts", (postgres) => {
  test.each([1])("seed %i: two crashes, no violation", async (seed) => {
    const database = await postgres().createDatabase();
    const port = await freePort();
    // Each start of the server leaves a line, so the test sees that the crashes happened.
    const folder = await mkdtemp(join(tmpdir(), "wallet-sync-restarts-"));
    const starts = join(folder, "starts");
    const command = `echo start >> ${starts}; exec node ${referenceCli} --store ${database} --port ${port}`;
    const out: string[] = [];
    const result = await runCli(
      ["--server-cmd", command, "--restarts", "2", "--only", "LIN,DUR", "--runs", "4", "--seed", String(seed), "--settle", "0.5", "--quiet"],
      { stdout: (t) => void out.push(t), stderr: (t) => void out.push(t) },
    );
    expect(result.exitCode, out.join("")).toBe(0);
    expect((await readFile(starts, "utf8")).trim().split("\n")).toHaveLength(3);
    await rm(folder, { recursive: true, force: true });
  }, 120_000);
});
