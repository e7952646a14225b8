// --workers N: the randomized workloads run in N processes, each with its
// own accounts and seed, into one report whose coverage adds up what each
// did; a concurrency defect fails the run naming the requirement and the
// worker, and the replay command it prints reproduces it in one process;
// SIGINT reaches the workers and the merged report is still written.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../src/cli/main.js";
import type { RunResult } from "../src/model/result.js";
import { captured } from "./support/captured-output.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";
import { startedServers } from "./support/started-servers.js";
import { builtCli, requireBuiltCli } from "./support/built-cli.js";

let dir: string;
beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(join(tmpdir(), "wallet-sync-workers-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const servers = startedServers("check-then-act-sequence");

describe("against the reference", () => {
  test("--workers 2: one passing report whose coverage is the sum of both workers', each with its own seed and accounts", async () => {
    const json = join(dir, "workers.json");
    const { out, output } = captured();
    const { exitCode, run } = await runCli(["--url", servers.reference.url, "--only", "LIN-2,LIN-4", "--workers", "2", "--runs", "2", "--seed", "40", "--json", json], output);
    expect(exitCode, out.stdout + out.stderr).toBe(0);
    const coverage = run!.coverage!;
    const workers = coverage.workers!;
    expect(workers.map((worker) => worker.seed)).toEqual([40, 41]);
    expect(workers.every((worker) => worker.accounts > 0 && worker.operations > 0)).toBe(true);
    expect(coverage.operations).toBe(workers[0]!.operations + workers[1]!.operations);
    expect(coverage.accounts).toBe(workers[0]!.accounts + workers[1]!.accounts);
    expect(out.stdout).toMatch(/^Workers: 2 processes at once, each with its own accounts: 1 seed 40, [\d,]+ operations/m);
    // Both workers' 2 runs each; as in one process, the case that ran them shows a history: the first worker's last,
    // whose device ids carry that worker's run id (no two workers' names meet).
    expect(run!.results.map((result) => [result.id, result.verdict, result.interleaving?.runs])).toEqual([
      ["LIN-2/interleavings", "passed", 4],
      ["LIN-4/interleavings", "passed", undefined],
    ]);
    expect(JSON.stringify(run!.results[0]!.interleaving!.history)).toContain(`${run!.runId}-w1-`);
    const report = JSON.parse(await readFile(json, "utf8")) as unknown;
    const validate = reportValidator();
    expect(validate(report), schemaErrors(validate).join("\n")).toBe(true);
  }, 90_000);
});

test("--workers 2 against a server with a check-then-act race: LIN-2 fails, naming the worker, and its replay command reproduces it in one process", async () => {
  const { out, output } = captured();
  const { exitCode, run } = await runCli(
    ["--url", servers.broken.url, "--only", "LIN-2", "--workers", "2", "--runs", "10", "--seed", "11", "--shrink-time", "1", "--settle", "0.1"],
    output,
  );
  expect(exitCode, out.stdout).toBe(1);
  const [lin2] = run!.results;
  expect(lin2!.verdict).toBe("failed");
  expect(lin2!.findings[0]!.requirement).toBe("LIN-2");
  expect(lin2!.findings[0]!.message).toMatch(/^Worker [12] of 2 \(seed 1[12]\): In account a\d/);
  const evidence = lin2!.interleaving!;
  expect([11, 12]).toContain(evidence.seed);
  const [replay] = evidence.counterexample!.replayCommands;
  expect(replay).toBe(`npx wallet-sync-conformance --url ${servers.broken.url} --only LIN-2/interleavings --replay ${evidence.path}`);

  // The replay, as printed, without --workers.
  const again = captured();
  const replayed = await runCli(["--url", servers.broken.url, "--only", "LIN-2/interleavings", "--replay", evidence.path!, "--settle", "0.1"], again.output);
  expect(replayed.exitCode, again.out.stdout).toBe(1);
  expect(replayed.run!.results[0]!.verdict).toBe("failed");
  expect(again.out.stdout).toMatch(/reproduced (on the first|within \d+) of up to \d+ replay attempts/);
}, 120_000);

test.each([
  [["--workers", "0"], "--workers must be an integer from 1 to 64, got '0'"],
  [["--workers", "1.5"], "--workers must be an integer from 1 to 64, got '1.5'"],
  [["--workers", "65"], "--workers must be an integer from 1 to 64, got '65'"],
  [["--workers", "2", "--replay", "saved.json"], "--replay executes one saved workload in one process; it takes no --workers"],
  [["--workers", "2", "--seed", "3", "--path", "1:0"], "--path generates one run's failure again, in one process; it takes no --workers"],
  [["--workers", "2", "--server-cmd", "true", "--restarts", "1"], "--restarts kills the server under every worker at once; it takes no --workers"],
])("usage error: %j", async (argv, message) => {
  const { out, output } = captured();
  expect((await runCli(argv, output)).exitCode).toBe(2);
  expect(out.stderr).toBe(`wallet-sync-conformance: ${message} (see --help)\n`);
});

test("SIGINT reaches the workers: the merged report is written, marked interrupted, with both workers' coverage; exit 3", async () => {
  const json = join(dir, "interrupted.json");
  const child = spawn(process.execPath, [builtCli, "--url", servers.reference.url, "--only", "LIN-4", "--workers", "2", "--duration", "10m", "--json", json], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  child.kill("SIGINT");
  expect(await exit).toBe(3);
  expect(stderr).toContain("SIGINT: finishing what is in flight");
  const report = JSON.parse(await readFile(json, "utf8")) as RunResult;
  expect(report.interrupted).toBe("SIGINT");
  expect(report.coverage?.workers).toHaveLength(2);
  expect(report.coverage!.operations).toBe(report.coverage!.workers!.reduce((sum, worker) => sum + worker.operations, 0));
}, 40_000);
