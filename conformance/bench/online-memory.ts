// The online checker's memory on long synthetic histories of a correct
// server, beside what an offline check needs: one account of more than
// 100,000 versions, and 1,000 accounts. At 10 %, 50 % and 100 % of the
// history fed, operations retained and heap: the offline checker needs every
// operation recorded so far (its heap is theirs), the online one what it
// carries. Each measurement runs in a child process of its own; a child that
// only generates the history, dropping operations at the same pace, is the
// baseline subtracted from the checking child's heap.
//
//   npm run bench:checker -- --online
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { History } from "../src/history/history.js";
import { OnlineChecker } from "../src/history/online/online-checker.js";
import { generateHistory } from "./synthetic-history.js";

type Shape = "one-account" | "many-accounts";

const checkpoints = [0.1, 0.5, 1];
/** The synthetic clients' timeout is 40 ms: no request takes longer. */
const maxOperationMs = 50;
/** An account's 200 operations last about 0.2 s of the synthetic clock: judged within 0.1 s, forgotten 0.5 s after its last. */
const manyAccounts = { judgeAfterMs: 100, forgetIdleAfterMs: 500 };

interface Point {
  fed: number;
  /** Heap after a full GC, in bytes. */
  heap: number;
  retained: number;
}

interface Run {
  /** Heap with the whole history, before any operation is fed. */
  start: number;
  operations: number;
  accounts: number;
  versions: number;
  points: Point[];
  cuts: number;
  violations: number;
  peakRetained: number;
}

function history(shape: Shape): History {
  return shape === "one-account"
    ? generateHistory({ accounts: 1, operationsPerAccount: 700_000, clientsPerAccount: 8, seed: 42, ropeContents: true })
    : generateHistory({ accounts: 1000, operationsPerAccount: 200, clientsPerAccount: 8, concurrentAccounts: 32, seed: 42 });
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** Child: feeds the history in order of completion (or only drops it, for the baseline), measuring at each checkpoint. */
function measure(shape: Shape, check: boolean): void {
  const subject = history(shape);
  const operations = subject.operations as (History["operations"][number] | undefined)[];
  const total = operations.length;
  const accounts = new Set(subject.operations.map((op) => op.account)).size;
  const versions = subject.operations.filter((op) => op.kind === "post" && op.outcome.type === "ok").length;
  const checker = check
    ? new OnlineChecker({ contentModel: subject.contentModel, maxOperationMs, ...(shape === "many-accounts" ? manyAccounts : {}) })
    : undefined;
  const start = heapAfterGc();
  const points: Point[] = [];
  let next = 0;
  for (const checkpoint of checkpoints) {
    const until = Math.round(total * checkpoint);
    for (; next < until; next++) {
      checker?.add(operations[next]!);
      operations[next] = undefined; // what the checker does not keep can go
    }
    points.push({ fed: until, heap: heapAfterGc(), retained: checker?.result().stats.retained ?? 0 });
  }
  const result = checker?.finish();
  const run: Run = {
    start,
    operations: total,
    accounts,
    versions,
    points,
    cuts: result?.stats.cuts ?? 0,
    violations: result?.violations.length ?? 0,
    peakRetained: result?.stats.peakRetained ?? 0,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

function child(shape: Shape, check: boolean): Run {
  const script = fileURLToPath(import.meta.url);
  const args = ["--expose-gc", "--max-old-space-size=6144", script, "--child", shape, ...(check ? ["--check"] : [])];
  const output = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(output.trim().split("\n").pop()!) as Run;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function table(shape: Shape, title: string): void {
  const baseline = child(shape, false);
  const checked = child(shape, true);
  console.log(`\n${title}: ${checked.operations.toLocaleString("en-US")} operations, ${checked.accounts} account(s), ${checked.versions.toLocaleString("en-US")} versions accepted`);
  const rows = [["fed", "operations", "offline retained", "offline heap MB", "online retained", "online heap MB"]];
  for (const [index, point] of checked.points.entries()) {
    const base = baseline.points[index]!;
    rows.push([
      `${Math.round(checkpoints[index]! * 100)} %`,
      point.fed.toLocaleString("en-US"),
      point.fed.toLocaleString("en-US"),
      mb(Math.max(0, baseline.start - base.heap)),
      point.retained.toLocaleString("en-US"),
      mb(Math.max(0, point.heap - base.heap)),
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join("  "));
  console.log(`online: ${checked.cuts.toLocaleString("en-US")} windows judged, at most ${checked.peakRetained.toLocaleString("en-US")} operations retained, ${checked.violations} violations`);
}

export function onlineMemoryBench(): void {
  console.log(`Online history checker, memory on synthetic valid histories (node ${process.version}); heap after a full GC, less a process that only generates and drops the history.`);
  table("one-account", "One account, its wallet content growing with every change");
  table("many-accounts", "1,000 accounts of 200 operations (about 0.2 s each), 32 at a time, each forgotten 0.5 s after its last operation");
  console.log(
    "offline retained: what an offline check needs at that point, every operation so far (offline heap: theirs); online retained: operations the online checker holds (carried forward, not yet judged).",
  );
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") measure(argv[1] as Shape, argv.includes("--check"));
