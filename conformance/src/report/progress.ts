// Progress on stderr while the cases run. On a terminal: one line, redrawn
// in place, with cases done, failures so far and the runs of the property in
// progress. In a CI log the report that follows lists every case, so the log
// gets only what the report cannot give while the run is still going: a line
// per failed case as it fails, and a status line now and then during a long
// run, so that a job killed by a CI timeout still shows how far it got.
import type { CheckResult } from "../model/result.js";
import type { CheckCase } from "../model/case.js";
import type { CaseProgress } from "../model/context.js";

export interface ProgressOutput {
  write(text: string): void;
  /** Present when the output is a terminal: its width now. */
  terminalColumns?: () => number;
}

export interface ProgressOptions {
  /** Milliseconds between status lines in a log; default 15 s. */
  logInterval?: number;
  /** Milliseconds between redraws on a terminal; default 100. */
  redrawInterval?: number;
  now?: () => number;
  /** The process's resident memory in bytes, shown while the randomized workloads run; process.memoryUsage.rss by default. */
  rssBytes?: () => number;
}

const clearLine = "\r\u001b[2K";

export class ProgressDisplay {
  private done = 0;
  private failed = 0;
  /** Case id -> how far it has got, for the cases running now. */
  private readonly running = new Map<string, CaseProgress | undefined>();
  private lastWrite: number;
  /** The first draw is at once: a run shows its line as soon as it starts. */
  private lastDraw = Number.NEGATIVE_INFINITY;
  private redrawTimer: NodeJS.Timeout | undefined;
  private drawn = false;
  /** The failed case being run again alone, once every case is done. */
  private again: string | undefined;
  private readonly now: () => number;
  private readonly rssBytes: () => number;
  private readonly logInterval: number;
  private readonly redrawInterval: number;

  constructor(
    private readonly total: number,
    private readonly output: ProgressOutput,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.rssBytes = options.rssBytes ?? (() => process.memoryUsage.rss());
    this.logInterval = options.logInterval ?? 15_000;
    this.redrawInterval = options.redrawInterval ?? 100;
    this.lastWrite = this.now();
  }

  readonly started = (check: CheckCase): void => {
    this.running.set(check.id, undefined);
    this.update();
  };

  readonly progressed = (check: CheckCase, progress: CaseProgress): void => {
    this.running.set(check.id, progress);
    this.update();
  };

  readonly finished = (result: CheckResult): void => {
    this.done++;
    this.running.delete(result.id);
    if (result.verdict === "failed") {
      this.failed++;
      if (!this.output.terminalColumns) this.log(`FAIL ${result.id} (${this.done}/${this.total} cases done)`);
    }
    this.update();
  };

  readonly runningAgain = (check: CheckCase): void => {
    if (this.again === undefined && !this.output.terminalColumns) this.log("running the failed cases again alone, one at a time");
    this.again = check.id;
    this.update();
  };

  /** Removes the terminal line before the report is printed. */
  close(): void {
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
    if (this.drawn) this.output.write(clearLine);
    this.drawn = false;
  }

  /** "12/52 cases, 1 failed; LIN-2/concurrent-posts: 30/100 runs" */
  status(): string {
    const parts = [`${this.done}/${this.total} cases`];
    if (this.failed > 0) parts.push(`${this.failed} failed`);
    // A case that reports runs is the long one worth naming.
    const shown = [...this.running].find(([, progress]) => progress !== undefined) ?? [...this.running][0];
    let line = parts.join(", ");
    if (this.again !== undefined) return `${line}; running ${this.again} again alone`;
    if (shown) {
      const [id, progress] = shown;
      line += `; ${id}${progress ? `: ${describeProgress(progress, this.rssBytes())}` : ""}`;
    }
    return line;
  }

  private update(): void {
    if (this.output.terminalColumns) return this.scheduleRedraw();
    if (this.now() - this.lastWrite >= this.logInterval && this.done < this.total) this.log(`… ${this.status()}`);
  }

  private log(line: string): void {
    this.output.write(`${line}\n`);
    this.lastWrite = this.now();
  }

  private scheduleRedraw(): void {
    if (this.redrawTimer) return;
    const wait = Math.max(0, this.redrawInterval - (this.now() - this.lastDraw));
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      this.redraw();
    }, wait);
    // The line is a nicety: it must never keep the process alive.
    this.redrawTimer.unref();
  }

  private redraw(): void {
    const columns = this.output.terminalColumns?.() ?? 80;
    const line = `wallet-sync conformance: ${this.status()}`;
    const fitted = line.length > columns - 1 ? `${line.slice(0, Math.max(0, columns - 2))}…` : line;
    this.output.write(`${clearLine}${fitted}`);
    this.drawn = true;
    this.lastDraw = this.now();
  }
}

const number = (n: number): string => Math.round(n).toLocaleString("en-US");

/**
 * "30/100 runs", or for the randomized workloads "412 runs, 1,830 checked
 * ops/s (minimal 100), 88 accounts, deepest version 279, 0 violations, RSS 182 MB"; a
 * soak adds its long-lived accounts ("long-lived: 3 accounts, 41,200 ops, version 6,310").
 */
export function describeProgress(progress: CaseProgress, rssBytes?: number): string {
  const parts = [`${progress.runsDone}${progress.runsTotal !== undefined ? `/${progress.runsTotal}` : ""} runs`];
  if (progress.operationsPerSecond !== undefined) {
    const minimal = progress.minimalRate !== undefined ? ` (minimal ${number(progress.minimalRate)})` : "";
    parts.push(`${number(progress.operationsPerSecond)} checked ops/s${minimal}`);
  }
  if (progress.accounts !== undefined) parts.push(`${number(progress.accounts)} account${progress.accounts === 1 ? "" : "s"}`);
  if (progress.deepestVersion !== undefined) parts.push(`deepest version ${number(progress.deepestVersion)}`);
  const longLived = progress.longLived;
  if (longLived) parts.push(`long-lived: ${number(longLived.accounts)} account${longLived.accounts === 1 ? "" : "s"}, ${number(longLived.operations)} ops, version ${number(longLived.deepestVersion)}`);
  if (progress.violations !== undefined) parts.push(`${progress.violations} violation${progress.violations === 1 ? "" : "s"}`);
  const rss = progress.rssBytes ?? rssBytes;
  if (rss !== undefined && progress.operationsPerSecond !== undefined) parts.push(`RSS ${number(rss / 1024 / 1024)} MB`);
  return parts.join(", ");
}
