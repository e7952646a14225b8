// Time to a verdict: the default run of the built command line against each
// concurrency broken server of the zoo (each started as a user would, with
// the real scrypt cost), over a few seeds; prints the median and the range
// per server. Figures, not a timed test.
//
//   npm run bench:verdict              5 seeds each
//   node dist/conformance/bench/verdict-bench.js 3     3 seeds each
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startCli } from "../../reference/test/support/cli-process.js";
import { concurrencyDefects } from "../src/broken/servers.js";

const suite = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const brokenCli = fileURLToPath(new URL("../src/broken/cli.js", import.meta.url));
// The concurrency defects, and one that only final reads are sure to show.
const defects = [...concurrencyDefects, "rolls-back-acknowledged-version"];

function runSuite(url: string, seed: number): Promise<{ seconds: number; exitCode: number | null }> {
  const started = performance.now();
  const child = spawn(process.execPath, [suite, "--url", url, "--seed", String(seed), "--quiet"], { stdio: "ignore" });
  return new Promise((resolve) =>
    child.once("exit", (exitCode) => resolve({ seconds: (performance.now() - started) / 1000, exitCode })),
  );
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const seeds = Array.from({ length: Number(process.argv[2] ?? 5) }, (_, index) => index + 1);
console.log(`Time to a verdict of the default run, ${seeds.length} seeds per broken server (node ${process.version}):`);
const rows = [["broken server", "median s", "fastest s", "slowest s", "exit 1"]];
const medians: number[] = [];
for (const name of defects) {
  const server = await startCli([name, "--port", "0"], { program: brokenCli });
  const runs = [];
  try {
    for (const seed of seeds) runs.push(await runSuite(server.url, seed));
  } finally {
    await server.stop();
  }
  const seconds = runs.map((run) => run.seconds);
  medians.push(median(seconds));
  rows.push([name, median(seconds).toFixed(1), Math.min(...seconds).toFixed(1), Math.max(...seconds).toFixed(1), `${runs.filter((r) => r.exitCode === 1).length}/${runs.length}`]);
}
rows.push(["all (median of medians)", median(medians).toFixed(1), "", "", ""]);
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  "));
