// Each api3 defect a concurrent history shows (a password change checked and
// written in two steps, tokens kept after a change, a change without the
// wallet accepted, a refused POST announced,
// a notification missing, a socket left open after a change) is caught by the
// api3 interleaving cases, naming the requirement it breaks,
// with a counterexample whose replay command and saved file name the api3
// profile, and whose saved file fails again when replayed. Some defects need a
// race (a POST landing in the two-step password change's window, a POST
// refused because another device's of its sequence came first), so a replay
// gets thirty attempts: on a loaded machine the race may take many.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReferenceServer } from "../../../reference/src/index.js";
import { brokenApi3Servers } from "../../src/broken/servers.js";
import { interleavingCasesOf } from "../../src/interleavings/property/cases.js";
import { loadCounterexample } from "../../src/interleavings/property/counterexample-file.js";
import type { RunResult } from "../../src/model/result.js";
import { jsonReportOf } from "../../src/report/json.js";
import { runChecks } from "../../src/run/run-checks.js";
import { reportValidator, schemaErrors } from "../support/report-schema.js";
import { counterexampleFolder, failedRequirements, finalCounterexample } from "./broken-runs.js";
import { expectCheckersAgree } from "./checker-agreement.js";

// One seed: a second shows the same verdict and evidence no differently.
const seeds = [11];
const cases = interleavingCasesOf("api3");
const defects = [
  "password-change-check-then-write",
  "tokens-kept-after-password-change",
  "notifies-refused-post",
  "skips-posting-device",
  "socket-outlives-password-change",
  "password-change-without-wallet",
];

const folder = counterexampleFolder("wallet-sync-api3-counterexamples-");

describe.each(defects)("%s", (name) => {
  const broken = brokenApi3Servers[name]!;
  let server: ReferenceServer;
  const firstRuns: RunResult[] = [];
  beforeAll(async () => {
    server = await broken.start({ scryptCost: 64 });
  });
  afterAll(() => server.close());

  test.each(seeds)(`seed %i: caught, naming ${broken.breaks.join(", ")}`, async (seed) => {
    const interleavings = { runs: 10, seed, shrinkBudgetMs: 800, settleMs: 100, counterexampleDir: folder() };
    // No reruns alone: alone.test.ts checks those.
    const run = await runChecks(cases, { profile: "api3", baseUrl: server.url, aloneRuns: 0, interleavings });
    firstRuns.push(run);
    expect(run.exitCode).toBe(1);
    expect(failedRequirements(run)).toEqual(expect.arrayContaining([...broken.breaks]));
    const final = finalCounterexample(run);
    expect(final, "a case reports the final counterexample").toBeDefined();
    const evidence = final!.interleaving!;
    // The recorded counterexample: the online checker finds what the offline one found.
    expectCheckersAgree(evidence.history);
    expect(evidence.history).toMatchObject({ profile: "api3" });
    const [fileCommand] = evidence.counterexample!.replayCommands;
    expect(fileCommand).toBe(
      `npx wallet-sync-conformance --url ${server.url} --protocol api3 --only ${final!.requirement}/interleavings --replay ${evidence.path}`,
    );
    const saved = await loadCounterexample(evidence.path!);
    expect(saved).toMatchObject({ profile: "api3", seed, target: server.url });
    // The JSON report, its api3 histories included, has the shape conformance/report-schema.json gives.
    const validate = reportValidator();
    expect(validate(JSON.parse(JSON.stringify(jsonReportOf(run)))), schemaErrors(validate).join("\n")).toBe(true);
  }, 60_000);

  test("the first seed's saved counterexample fails again when replayed", async () => {
    const final = finalCounterexample(firstRuns[0]!)!;
    const replay = await loadCounterexample(final.interleaving!.path!);
    const run = await runChecks(cases, { profile: "api3", baseUrl: server.url, interleavings: { replay, replayAttempts: 30, settleMs: 100, counterexampleDir: folder() } });
    expect(run.exitCode).toBe(1);
    expect(failedRequirements(run).filter((r) => r === final.requirement || broken.breaks.includes(r))).not.toEqual([]);
  }, 120_000);
});
