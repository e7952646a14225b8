// --replay FILE executes a saved counterexample again: against the broken
// server it was found on, the failure comes back; against the reference the
// same workload passes. And the flags of the interleavings are validated.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../../reference/src/index.js";
import { brokenServers } from "../../src/broken/servers.js";
import { runCli } from "../../src/cli/main.js";
import { parseCliOptions } from "../../src/cli/options.js";
import { interleavingCasesOf } from "../../src/interleavings/property/cases.js";
import { counterexampleFormat } from "../../src/interleavings/property/counterexample-file.js";
import { runChecks } from "../../src/run/run-checks.js";
import { jsonReportOf } from "../../src/report/json.js";
import { captured } from "../support/captured-output.js";
import { reportValidator, schemaErrors } from "../support/report-schema.js";

describe("--replay", () => {
  let dir: string;
  let broken: ReferenceServer;
  let reference: ReferenceServer;
  let file: string;
  let fileCommand: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wallet-sync-replay-"));
    [broken, reference] = await Promise.all([
      brokenServers["check-then-act-sequence"]!.start({ scryptCost: 64 }),
      startReferenceServer({ scryptCost: 64 }),
    ]);
    const run = await runChecks(interleavingCasesOf("seed"), {
      baseUrl: broken.url,
      interleavings: { runs: 10, seed: 5, shrinkBudgetMs: 2000, counterexampleDir: dir },
    });
    const lin2 = run.results.find((r) => r.id === "LIN-2/interleavings")!;
    file = lin2.interleaving!.path!;
    fileCommand = lin2.interleaving!.counterexample!.replayCommands[0]!;
  }, 30_000);
  afterAll(async () => {
    await Promise.all([broken.close(), reference.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  test("the printed command replays the saved workload and the failure comes back", async () => {
    const argv = fileCommand.split(" ").slice(2);
    expect(argv).toEqual(["--url", broken.url, "--only", "LIN-2/interleavings", "--replay", file]);
    const { out, output } = captured();
    const result = await runCli([...argv, "--quiet"], output);
    expect(out.stdout).toContain("FAIL LIN-2/interleavings");
    expect(out.stdout).toMatch(/LIN-2 \(MUST\) In account a\d: Sequence \d+ was accepted twice/);
    expect(out.stdout).toContain("the saved workload, replayed");
    expect(result.exitCode).toBe(1);
    const evidence = result.run!.results[0]!.interleaving!;
    expect(evidence.seed).toBe(5);
    expect(evidence.runs).toBeLessThanOrEqual(5);
    // How readily the race came back, in the evidence and in the finding's words.
    const made = evidence.replayAttempts!.made;
    expect(evidence.replayAttempts).toEqual({ made, allowed: 5, reproduced: true });
    expect(made).toBe(evidence.runs);
    expect(out.stdout).toContain(made === 1 ? "reproduced on the first of up to 5 replay attempts" : `reproduced within ${made} of up to 5 replay attempts`);
    const validate = reportValidator();
    expect(validate(JSON.parse(JSON.stringify(jsonReportOf(result.run!)))), schemaErrors(validate).join("\n")).toBe(true);
  }, 30_000);

  test("the same workload against the reference passes", async () => {
    const { out, output } = captured();
    const result = await runCli(["--url", reference.url, "--only", "LIN,TOKEN-1/interleavings,TOKEN-2/interleavings", "--replay", file], output);
    expect(out.stdout).toContain(`CONFORMS: ${reference.url}`);
    expect(result.exitCode).toBe(0);
    const evidence = result.run!.results.find((r) => r.interleaving)!.interleaving!;
    expect(evidence.replayAttempts).toEqual({ made: 5, allowed: 5, reproduced: false });
  }, 30_000);

  test.each([
    ["a missing file", () => join(dir, "nope.json"), /cannot replay .*nope\.json: no such file/],
    ["a file that is not JSON", async () => write("x.json", "{"), /cannot replay .*: not JSON/],
    ["another JSON file", async () => write("y.json", JSON.stringify({ format: "other" })), /not a counterexample file/],
    [
      "a workload out of bounds",
      async () => write("z.json", JSON.stringify({ format: counterexampleFormat, workload: { accounts: [] } })),
      /workload\.accounts must have 1 to 4 entries/,
    ],
    [
      "an api3 counterexample replayed without --protocol api3",
      async () => write("api3.json", JSON.stringify({ format: counterexampleFormat, profile: "api3", workload: api3Workload })),
      /cannot replay .*api3\.json: it was recorded with --protocol api3\n/,
    ],
    [
      "api3 moves in a seed counterexample",
      async () => write("seed-with-api3-moves.json", JSON.stringify({ format: counterexampleFormat, workload: api3Workload })),
      /workload\.accounts\[0\]\.devices\[0\]\.moves\[0\]\.kind must be one of edit, get, stale, skip-ahead, repeat, reauth, old-token\n/,
    ],
  ])("exits 2 with one line for %s", async (_what, make, message) => {
    const { out, output } = captured();
    const result = await runCli(["--url", reference.url, "--replay", await make()], output);
    expect(result.exitCode).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  const twoDevices = [
    { startMs: 0, opening: "post", sharedId: false, moves: [{ kind: "listen", pauseMs: 0 }] },
    { startMs: 0, opening: "get", sharedId: false, moves: [{ kind: "password-change", pauseMs: 0 }] },
  ];
  const api3Workload = { accounts: [{ devices: twoDevices }, { devices: twoDevices }] };

  async function write(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }
});

describe("--runs, --seed, --path", () => {
  test("are parsed into the interleaving settings", () => {
    expect(parseCliOptions(["--runs", "7", "--seed", "42", "--path", "3:1:0"]).interleavings).toEqual({ runs: 7, seed: 42, path: "3:1:0" });
    expect(parseCliOptions(["--seed=-12"]).interleavings).toEqual({ seed: -12 });
    expect(parseCliOptions([]).interleavings).toEqual({});
    expect(parseCliOptions(["--replay", "c.json"]).replay).toBe("c.json");
  });

  test.each([
    [["--runs", "0"], /--runs must be an integer from 1 to 100000, got '0'/],
    [["--runs", "many"], /--runs must be an integer/],
    [["--seed", "x"], /--seed must be an integer from -2147483648 to 2147483647, got 'x'/],
    [["--seed", "4294967296"], /--seed must be an integer/],
    [["--seed", "1.5"], /--seed must be an integer/],
    [["--seed", "-5"], /--seed' argument is ambiguous/],
    [["--path", "3:1"], /--path needs the --seed it was printed with/],
    [["--seed", "1", "--path", "3;1"], /--path must be a fast-check path such as 3:1:0, got '3;1'/],
    [["--seed", "1", "--path", ""], /--path must be a fast-check path/],
    [["--replay", ""], /--replay needs a file name/],
    [["--replay", "c.json", "--seed", "1"], /--replay executes a saved workload; it takes no --runs, --seed, --path or --duration/],
    [["--replay", "c.json", "--runs", "3"], /--replay executes a saved workload/],
  ])("exit 2 with one line for %j", async (argv, message) => {
    const { out, output } = captured();
    expect((await runCli(argv, output)).exitCode).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(out.stdout).toBe("");
  });

  test("--help names them", async () => {
    const { out, output } = captured();
    await runCli(["--help"], output);
    for (const flag of ["--runs N", "--seed N", "--path P", "--replay FILE"]) expect(out.stdout).toContain(flag);
  });
});
