// Time to a verdict, and how small the counterexample: the default run of
// the built command line against each concurrency broken server of the zoo
// (each started as a user would, with the real scrypt cost), over a few
// seeds. Per server it prints the median and range of the time to a
// verdict, the size of each seed's final counterexample (accounts/devices/
// moves, "+" when the shrink budget ran out) and how many of them replayed
// to the same failure from their saved file. Figures, not a timed test.
//
//   npm run bench:verdict              5 seeds each
//   node dist/conformance/bench/verdict-bench.js 3     3 seeds each
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startCli } from "../../reference/test/support/cli-process.js";
import { concurrencyDefects } from "../src/broken/servers.js";
import type { CheckResult, RunResult } from "../src/model/result.js";
import { median } from "./median.js";

const suite = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const brokenCli = fileURLToPath(new URL("../src/broken/cli.js", import.meta.url));
// The concurrency defects, and one that only final reads are sure to show.
const defects = [...concurrencyDefects, "rolls-back-acknowledged-version"];

interface SeedRun {
  seconds: number;
  exitCode: number | null;
  /** The final counterexample's case and size, when the run reported one. */
  final?: CheckResult;
  /** Whether its saved file, replayed, broke the same requirement again. */
  replayed?: boolean;
}

function runSuite(args: string[]): Promise<{ seconds: number; exitCode: number | null }> {
  const started = performance.now();
  const child = spawn(process.execPath, [suite, ...args, "--quiet"], { stdio: "ignore" });
  return new Promise((resolve) => child.once("exit", (exitCode) => resolve({ seconds: (performance.now() - started) / 1000, exitCode })));
}

async function reportOf(file: string): Promise<RunResult | undefined> {
  return readFile(file, "utf8").then((text) => JSON.parse(text) as RunResult, () => undefined);
}

async function runSeed(url: string, seed: number, folder: string): Promise<SeedRun> {
  const report = join(folder, `seed-${seed}.json`);
  const run: SeedRun = await runSuite(["--url", url, "--seed", String(seed), "--json", report]);
  const final = (await reportOf(report))?.results.find((r) => r.interleaving?.counterexample?.shrink !== undefined);
  if (!final?.interleaving?.path) return run;
  const replayReport = join(folder, `seed-${seed}-replay.json`);
  await runSuite(["--url", url, "--replay", final.interleaving.path, "--json", replayReport]);
  const again = await reportOf(replayReport);
  const replayed = again?.results.some((r) => r.requirement === final.requirement && r.verdict === "failed") ?? false;
  return { ...run, final, replayed };
}

/** "1/2/4" (accounts/devices/moves), "+" when the shrink budget ran out, "-" without a counterexample. */
function sizeOf(run: SeedRun): string {
  const counterexample = run.final?.interleaving?.counterexample;
  if (!counterexample?.size) return "-";
  const { accounts, devices, moves } = counterexample.size;
  return `${accounts}/${devices}/${moves}${counterexample.shrink?.budgetSpent ? "+" : ""}`;
}

const seeds = Array.from({ length: Number(process.argv[2] ?? 5) }, (_, index) => index + 1);
console.log(`Time to a verdict of the default run, ${seeds.length} seeds per broken server (node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}):`);
const rows = [["broken server", "median s", "fastest s", "slowest s", "exit 1", "counterexamples (accounts/devices/moves)", "replayed"]];
const medians: number[] = [];
const folder = await mkdtemp(join(tmpdir(), "wallet-sync-verdict-bench-"));
try {
  for (const name of defects) {
    const server = await startCli([name, "--port", "0"], { program: brokenCli });
    const runs: SeedRun[] = [];
    try {
      for (const seed of seeds) runs.push(await runSeed(server.url, seed, folder));
    } finally {
      await server.stop();
    }
    const seconds = runs.map((run) => run.seconds);
    medians.push(median(seconds));
    const withCounterexample = runs.filter((run) => run.final !== undefined);
    rows.push([
      name,
      median(seconds).toFixed(1),
      Math.min(...seconds).toFixed(1),
      Math.max(...seconds).toFixed(1),
      `${runs.filter((r) => r.exitCode === 1).length}/${runs.length}`,
      runs.map(sizeOf).join(" "),
      `${withCounterexample.filter((run) => run.replayed).length}/${withCounterexample.length}`,
    ]);
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
rows.push(["all (median of medians)", median(medians).toFixed(1), "", "", "", "", ""]);
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => (column === 0 || column === 5 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  "));
console.log(`"+": the shrink budget ran out first. Replays execute the saved file (up to the default attempts) and count when the same requirement fails again. Load average at the end ${loadavg()[0]!.toFixed(1)}.`);
