// Each concurrency defect is caught by the interleaving cases alone, naming
// the requirement it breaks, with a shrunk counterexample whose saved file
// replays it, and whose report says how it was shrunk from a first failure
// that the printed seed and path generate again. One seed per defect: what is
// checked is the verdict and its evidence, which a second seed shows no
// differently; `npm run bench:verdict` runs each defect over several seeds.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReferenceServer } from "../../../reference/src/index.js";
import { brokenServers, concurrencyDefects } from "../../src/broken/servers.js";
import { interleavingCasesOf } from "../../src/interleavings/property/cases.js";
import { loadCounterexample } from "../../src/interleavings/property/counterexample-file.js";
import type { RunResult } from "../../src/model/result.js";
import { runChecks } from "../../src/run/run-checks.js";
import { counterexampleFolder, failedRequirements, finalCounterexample } from "./broken-runs.js";
import { expectCheckersAgree } from "./checker-agreement.js";

// Seed 11 shrinks each defect's first failure. check-then-act-sequence's first failure at seed 37 is
// already as small as shrinking gets, so its report offers the seed and path as a replay: the other
// form the evidence takes.
const seedFor = (name: string) => (name === "check-then-act-sequence" ? 37 : 11);

const folder = counterexampleFolder("wallet-sync-counterexamples-");

describe.each(concurrencyDefects)("%s", (name) => {
  const broken = brokenServers[name]!;
  const seed = seedFor(name);
  let server: ReferenceServer;
  let firstRun: RunResult | undefined;
  beforeAll(async () => {
    server = await broken.start({ scryptCost: 64 });
  });
  afterAll(() => server.close());

  test(`seed ${seed}: caught, naming ${broken.breaks.join(", ")}, with a shrunk counterexample`, async () => {
    // A short settle: these defects show while the workloads run; final reads have tests of their own.
    const interleavings = { runs: 10, seed, shrinkBudgetMs: 800, settleMs: 100, counterexampleDir: folder() };
    // No reruns alone: alone.test.ts checks those.
    const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, aloneRuns: 0, interleavings });
    firstRun = run;
    expect(run.exitCode).toBe(1);
    expect(failedRequirements(run)).toEqual(expect.arrayContaining([...broken.breaks]));

    const final = finalCounterexample(run);
    expect(final, "a case reports the final counterexample").toBeDefined();
    const evidence = final!.interleaving!;
    // The recorded counterexample: the online checker finds what the offline one found.
    expectCheckersAgree(evidence.history);
    expect(evidence.seed).toBe(seed);
    expect(evidence.violations.length).toBeGreaterThan(0);
    expect(evidence.violations.every((v) => v.requirement === final!.requirement)).toBe(true);
    expect(evidence.path && existsSync(evidence.path)).toBe(true);
    const { replayCommands, fastCheckPath, shrink } = evidence.counterexample!;
    const only = `--only ${final!.requirement}/interleavings`;
    const fileCommand = `npx wallet-sync-conformance --url ${server.url} ${only} --replay ${evidence.path}`;
    const firstFailureCommand = `npx wallet-sync-conformance --url ${server.url} ${only} --seed ${seed} --path ${shrink!.firstFailurePath}`;
    expect(shrink!.firstFailurePath).toMatch(/^\d+$/);
    // The seed and path are a replay command only while they generate the reported workload: before shrinking changed it.
    expect(replayCommands).toEqual(fastCheckPath !== undefined ? [fileCommand, firstFailureCommand] : [fileCommand]);

    // What the terminal prints: the explanation, the workload, the operations, the replay command.
    const [first] = final!.findings;
    expect(first?.message).toMatch(/^In account a\d/);
    expect(first?.sent).toMatch(/^the (shrunk workload \(\d+ accounts?, \d+ devices?, \d+ moves?; from \d+ accounts?, .*\d+ fast-check steps?; \d+ candidates? in [\d.]+ s|failing workload)/);
    expect(first?.sent).toMatch(/\n +a0\/d0 /);
    expect(first?.received).toMatch(/#\d+ account a\d, client d\d: (signup|auth|GET|POST) /);
    expect(first?.expected).toContain(`replay: ${fileCommand}`);
    if (fastCheckPath === undefined) expect(first?.expected).toContain(`the first failure, before shrinking: ${firstFailureCommand}`);

    // The file holds what replays it: the workload, the seed, how it was shrunk, the history.
    const saved = await loadCounterexample(evidence.path!);
    expect(saved).toMatchObject({ seed, target: server.url });
    expect(JSON.parse(readFileSync(evidence.path!, "utf8"))).toMatchObject({ shrink, size: evidence.counterexample!.size });
    expect(saved.history.operations).toEqual(evidence.history.operations);
    expect(saved.requirements).toContain(final!.requirement);
  }, 30_000);

  test("the first failure fails again from its printed seed and path", async () => {
    const final = finalCounterexample(firstRun!)!;
    const { seed, counterexample } = final.interleaving!;
    const run = await runChecks(interleavingCasesOf("seed"), {
      baseUrl: server.url,
      interleavings: { seed: seed!, path: counterexample!.shrink!.firstFailurePath!, shrinkBudgetMs: 0, settleMs: 100, counterexampleDir: folder() },
    });
    // The same workload fails again; a defect that breaks several requirements may show another one first.
    expect(run.exitCode).toBe(1);
    expect(failedRequirements(run).filter((r) => r === final.requirement || broken.breaks.includes(r))).not.toEqual([]);
  }, 30_000);
});
