// Progress on stderr: a line redrawn in place on a terminal; in a log, a
// line per failed case and a status line now and then; nothing with --quiet.
// And the channel a long case uses: reportProgress and attachInterleaving.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReferenceServer } from "../../reference/src/index.js";
import { brokenServers } from "../src/broken/servers.js";
import { runCli, type CliOutput } from "../src/cli/main.js";
import { type CheckResult } from "../src/model/result.js";
import { defineCheck, type CheckCase } from "../src/model/case.js";
import type { CaseProgress } from "../src/model/context.js";
import { ProgressDisplay } from "../src/report/progress.js";
import { runChecks } from "../src/run/run-checks.js";
import { smallBrokenHistory } from "./fixtures/interleaving-run.js";

const check = (id: string) => ({ id }) as CheckCase;
const result = (id: string, verdict: CheckResult["verdict"]) => ({ id, verdict }) as CheckResult;
const nextTick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("in a log", () => {
  test("a line per failed case, a status line at most every interval, nothing for passing cases", () => {
    let now = 0;
    const lines: string[] = [];
    const display = new ProgressDisplay(3, { write: (text) => lines.push(text) }, { now: () => now, logInterval: 15_000 });
    display.started(check("SEQ-1/a"));
    display.finished(result("SEQ-1/a", "passed"));
    display.started(check("SEQ-3/b"));
    display.finished(result("SEQ-3/b", "failed"));
    expect(lines).toEqual(["FAIL SEQ-3/b (2/3 cases done)\n"]);
    display.started(check("LIN-2/c"));
    now = 10_000;
    display.progressed(check("LIN-2/c"), { runsDone: 3, runsTotal: 10 });
    expect(lines).toHaveLength(1);
    now = 25_000;
    display.progressed(check("LIN-2/c"), { runsDone: 7, runsTotal: 10 });
    expect(lines[1]).toBe("… 2/3 cases, 1 failed; LIN-2/c: 7/10 runs\n");
    display.close();
    expect(lines).toHaveLength(2);
  });

  test("once every case is done, one line says the failed ones run again alone", () => {
    const lines: string[] = [];
    const display = new ProgressDisplay(1, { write: (text) => lines.push(text) });
    display.started(check("SEQ-3/b"));
    display.finished(result("SEQ-3/b", "failed"));
    display.runningAgain(check("SEQ-3/b"));
    display.runningAgain(check("SEQ-3/b"));
    expect(lines).toEqual(["FAIL SEQ-3/b (1/1 cases done)\n", "running the failed cases again alone, one at a time\n"]);
    expect(display.status()).toBe("1/1 cases, 1 failed; running SEQ-3/b again alone");
  });
});

describe("on a terminal", () => {
  test("one line redrawn in place, cut to the terminal's width, cleared at the end", async () => {
    const writes: string[] = [];
    const display = new ProgressDisplay(2, { write: (text) => writes.push(text), terminalColumns: () => 60 }, { redrawInterval: 0 });
    display.started(check("LIN-2/concurrent-posts"));
    display.progressed(check("LIN-2/concurrent-posts"), { runsDone: 4, runsTotal: 50 });
    display.finished(result("SEQ-3/b", "failed"));
    await nextTick();
    const last = writes.at(-1) ?? "";
    expect(last.startsWith("\r\u001b[2K")).toBe(true);
    expect(last).toMatch(/^\r\u001b\[2Kwallet-sync conformance: 1\/2 cases, 1 failed; LIN-2\/concur.*…$/);
    expect(last.length - "\r\u001b[2K".length).toBeLessThanOrEqual(59);
    expect(writes.some((w) => w.includes("\n"))).toBe(false);
    display.close();
    expect(writes.at(-1)).toBe("\r\u001b[2K");
  });
});

test("during the randomized workloads: checked operations per second against the minimal rate, accounts, deepest version, memory", () => {
  const display = new ProgressDisplay(1, { write: () => undefined }, { rssBytes: () => 182 * 1024 * 1024 });
  display.started(check("LIN-1/interleavings"));
  display.progressed(check("LIN-1/interleavings"), {
    runsDone: 412,
    operationsPerSecond: 1830.4,
    minimalRate: 25,
    accounts: 1088,
    deepestVersion: 2756,
    violations: 0,
  });
  expect(display.status()).toBe(
    "0/1 cases; LIN-1/interleavings: 412 runs, 1,830 checked ops/s (minimal 25), 1,088 accounts, deepest version 2,756, 0 violations, RSS 182 MB",
  );
  // A case that reports only runs shows only runs: no memory beside them.
  display.progressed(check("LIN-1/interleavings"), { runsDone: 3, runsTotal: 10 });
  expect(display.status()).toBe("0/1 cases; LIN-1/interleavings: 3/10 runs");
});

describe("the command's stderr", () => {
  let broken: ReferenceServer;
  beforeAll(async () => {
    broken = await brokenServers["accepts-skipped-sequence"]!.start({ scryptCost: 64 });
  });
  afterAll(() => broken.close());

  const capture = (terminal: boolean) => {
    const out = { stdout: "", stderr: "" };
    const output: CliOutput = {
      stdout: (t) => void (out.stdout += t),
      stderr: (t) => void (out.stderr += t),
      ...(terminal ? { stderrColumns: () => 100 } : {}),
    };
    return { out, output };
  };

  test("not a terminal: the failed cases, one line each", async () => {
    const { out, output } = capture(false);
    await runCli(["--url", broken.url, "--only", "SEQ-3"], output);
    expect(out.stderr).toMatch(/^FAIL SEQ-3\/skip-ahead \(\d+\/\d+ cases done\)$/m);
    const lines = out.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("running the failed cases again alone, one at a time");
    expect(lines.slice(0, -1).every((line) => line.startsWith("FAIL SEQ-3/"))).toBe(true);
  });

  test("a terminal: the line is cleared before the report", async () => {
    const { out, output } = capture(true);
    await runCli(["--url", broken.url, "--only", "SEQ-3"], output);
    expect(out.stderr).toMatch(/^\r\u001b\[2Kwallet-sync conformance: 0\/\d+ cases; SEQ-3\//);
    expect(out.stderr.endsWith("\r\u001b[2K")).toBe(true);
    expect(out.stderr).not.toContain("\n");
  });

  test("--quiet: nothing", async () => {
    const { out, output } = capture(true);
    await runCli(["--url", broken.url, "--only", "SEQ-3", "--quiet"], output);
    expect(out.stderr).toBe("");
  });
});

test("a case reports its runs and attaches its history through the context", async () => {
  const history = smallBrokenHistory();
  const property = defineCheck({
    file: import.meta.url,
    requirement: "LIN-2",
    slug: "reports-progress",
    title: "reports progress",
    run: async (ctx) => {
      ctx.reportProgress({ runsDone: 1, runsTotal: 2 });
      ctx.reportProgress({ runsDone: 2, runsTotal: 2 });
      ctx.attachInterleaving({ history, violations: [], seed: 7, runs: 2 });
    },
  });
  const reported: Array<[string, CaseProgress]> = [];
  const started: string[] = [];
  const run = await runChecks([property], {
    baseUrl: "http://127.0.0.1:9",
    onStart: (c) => started.push(c.id),
    onProgress: (c, progress) => reported.push([c.id, progress]),
  });
  expect(started).toEqual(["LIN-2/reports-progress"]);
  expect(reported).toEqual([
    ["LIN-2/reports-progress", { runsDone: 1, runsTotal: 2 }],
    ["LIN-2/reports-progress", { runsDone: 2, runsTotal: 2 }],
  ]);
  expect(run.results[0]?.interleaving).toEqual({ history, violations: [], seed: 7, runs: 2 });
});
