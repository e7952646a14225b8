// Benchmark of the history checker on synthetic valid histories (overlapping
// requests, lost answers, 5xx, re-auths and hostile POSTs): 10^4, 10^5 and
// 10^6 operations spread over accounts of 200 each, then one account of up
// to 10^5 operations, whose wallet content grows with every change (the
// cost per account must grow with its operations only). Prints figures; it
// is not a timed test.
//
// Each size runs in child processes of its own, so that peak RSS belongs to
// that size: one child only generates the history (the baseline), another
// generates and checks it; the difference is the checker's own peak.
//
//   npm run bench:checker                  all sizes
//   node dist/conformance/bench/checker-bench.js 10000 50000   chosen sizes (spread over accounts)
//   npm run bench:checker -- --online      the online checker's memory instead (online-memory.ts)
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { checkHistory } from "../src/history/checker.js";
import { onlineMemoryBench } from "./online-memory.js";
import { generateHistory } from "./synthetic-history.js";

const operationsPerAccount = 200;
const clientsPerAccount = 8;
const concurrentAccounts = 32;
const defaultSizes = [10_000, 100_000, 1_000_000];
const oneAccountSizes = [12_500, 25_000, 50_000, 100_000];

type Shape = "spread" | "one-account";

interface Measurement {
  operations: number;
  accounts: number;
  /** Best and slowest of the timed runs, in milliseconds. */
  checkMs: number;
  slowestMs: number;
  runs: number;
  violations: number;
  /** Peak resident set size of the process, in bytes. */
  maxRss: number;
  /** Heap used by the history alone, after a full GC, in bytes. */
  historyHeap: number;
}

function history(operations: number, shape: Shape) {
  if (shape === "one-account") {
    // Ropes: flat copies of a content that grows with every change would
    // take memory quadratic in the account's length before any check.
    return generateHistory({ accounts: 1, operationsPerAccount: operations, clientsPerAccount, seed: 42, ropeContents: true });
  }
  return generateHistory({
    accounts: Math.max(1, Math.round(operations / operationsPerAccount)),
    operationsPerAccount,
    clientsPerAccount,
    concurrentAccounts,
    seed: 42,
  });
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Child: generate, and unless `generateOnly`, check; print one JSON line. */
function measure(operations: number, shape: Shape, generateOnly: boolean): void {
  if (!generateOnly) checkHistory(history(10_000, "spread")); // warm up the JIT on a small history
  const subject = history(operations, shape);
  collectGarbage();
  const historyHeap = process.memoryUsage().heapUsed;
  let checkMs = Number.POSITIVE_INFINITY;
  let slowestMs = 0;
  let violations = 0;
  const runs = generateOnly ? 0 : operations >= 1_000_000 ? 3 : 5;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = checkHistory(subject);
    const elapsed = performance.now() - started;
    checkMs = Math.min(checkMs, elapsed);
    slowestMs = Math.max(slowestMs, elapsed);
    violations = result.violations.length;
  }
  const measurement: Measurement = {
    operations: subject.operations.length,
    accounts: new Set(subject.operations.map((op) => op.account)).size,
    checkMs,
    slowestMs,
    runs,
    violations,
    maxRss: process.resourceUsage().maxRSS * 1024,
    historyHeap,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

function runChild(operations: number, shape: Shape, generateOnly: boolean): Measurement {
  const script = fileURLToPath(import.meta.url);
  const args = ["--expose-gc", script, "--child", String(operations), shape, ...(generateOnly ? ["--generate-only"] : [])];
  const output = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(output.trim().split("\n").pop()!) as Measurement;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const ratio = (now: number, before: number | undefined) => (before ? `×${(now / before).toFixed(2)}` : "");

function table(sizes: number[], shape: Shape): void {
  const header = ["operations", "accounts", "check ms", "slowest ms", "ops/s", "peak RSS MB", "history heap MB", "checker RSS MB", "time growth", "RSS growth", "violations"];
  const rows: string[][] = [header];
  let previous: { checkMs: number; maxRss: number } | undefined;
  for (const size of sizes) {
    const baseline = runChild(size, shape, true);
    const checked = runChild(size, shape, false);
    const checkerRss = Math.max(0, checked.maxRss - baseline.maxRss);
    rows.push([
      String(checked.operations),
      String(checked.accounts),
      checked.checkMs.toFixed(1),
      checked.slowestMs.toFixed(1),
      Math.round((checked.operations / checked.checkMs) * 1000).toLocaleString("en-US"),
      mb(checked.maxRss),
      mb(checked.historyHeap),
      mb(checkerRss),
      ratio(checked.checkMs, previous?.checkMs),
      ratio(checked.maxRss, previous?.maxRss),
      String(checked.violations),
    ]);
    previous = checked;
  }
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join("  "));
}

function main(sizes: number[]): void {
  console.log(
    `History checker on synthetic valid histories: ${operationsPerAccount} operations per account, ${clientsPerAccount} clients each, ${concurrentAccounts} accounts at a time (node ${process.version}, one thread).`,
  );
  table(sizes, "spread");
  console.log(`\nOne account, ${clientsPerAccount} clients, its wallet content growing with every change:`);
  table(oneAccountSizes, "one-account");
  console.log(
    "check ms: best of the timed runs (5, or 3 at 10^6), ops/s from it; peak RSS: the checking process; checker RSS: its peak above a process that only generates the history; growth: against the previous size.",
  );
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") measure(Number(argv[1]), argv[2] as Shape, argv.includes("--generate-only"));
else if (argv[0] === "--online") onlineMemoryBench();
else main(argv.length > 0 ? argv.map(Number) : defaultSizes);
