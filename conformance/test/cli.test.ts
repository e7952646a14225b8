// The command line: exit 0 for a conforming server, 1 for a broken one, 2 for
// usage errors and unreachable servers; --list, --only and --skip.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../src/cli/main.js";
import { trafficProfileNamed, trafficProfiles } from "../src/interleavings/workload/traffic.js";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";
import { freePort } from "./support/ports.js";
import { captured } from "./support/captured-output.js";
import { startedServers } from "./support/started-servers.js";
import { builtCli, requireBuiltCli } from "./support/built-cli.js";

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("against servers started separately", () => {
  const servers = startedServers();

  test("exit 0 and a report for the reference", async () => {
    const { out, output } = captured();
    const result = await runCli(["--url", servers.reference.url, "--runs", "3"], output);
    expect(result.exitCode).toBe(0);
    // Nothing but the progress line a long run prints now and then (a busy machine makes it long).
    expect(out.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("… "))).toEqual([]);
    expect(out.stdout).toContain(`CONFORMS: ${servers.reference.url}`);
    expect(out.stdout).toMatch(/PASS {2}SEQ-3 /);
    // A whole run; the default 5 s is too tight when the full test suite shares the machine.
  }, 60_000);

  test("exit 1 for a broken server, naming the requirement, what was sent, what came back and what was expected", async () => {
    const { out, output } = captured();
    const result = await runCli(["--url", servers.broken.url, "--only", "SEQ-3"], output);
    expect(result.exitCode).toBe(1);
    expect(out.stdout).toContain("FAIL SEQ-3/skip-ahead");
    expect(out.stdout).toMatch(/SEQ-3 \(MUST\) a POST \/wallet of sequence 3 onto stored 1: answered 200, expected 409/);
    expect(out.stdout).toMatch(/sent: +POST \/wallet/);
    expect(out.stdout).toMatch(/received: +200 \{/);
    expect(out.stdout).toMatch(/expected: +409/);
    expect(out.stdout).toContain("DOES NOT CONFORM");
  });

  test("--quiet prints failures and totals only", async () => {
    const { out, output } = captured();
    await runCli(["--url", servers.broken.url, "--only", "SEQ-3/skip-ahead", "--quiet"], output);
    expect(out.stdout).not.toContain("Requirements");
    expect(out.stdout).toContain("FAIL SEQ-3/skip-ahead");
    expect(out.stdout).toContain("1 checks: 0 passed, 0 warned, 1 failed");
  });

  test("--timeout: a server that stops answering fails the check, and the report says so", async () => {
    const silent = createServer(() => undefined); // accepts connections, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      // Checked directly, a silent server fails the check plainly…
      const cases = casesOf("seed").filter((c) => c.id === "WGET-3/missing-token");
      const run = await runChecks(cases, { baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 });
      expect(run.exitCode).toBe(1);
      expect(run.results[0]?.findings[0]?.message).toContain("no answer within 300 ms");
      // …and the command does not even start on one that answers nothing at all.
      const { out, output } = captured();
      expect((await runCli(["--url", `http://127.0.0.1:${port}`, "--timeout", "300"], output)).exitCode).toBe(2);
      expect(out.stderr).toBe(`wallet-sync-conformance: cannot reach http://127.0.0.1:${port}: no answer within 300 ms\n`);
    } finally {
      silent.close();
    }
  });
});

const contention = trafficProfileNamed("contention")!;
const deep = trafficProfileNamed("deep")!;

describe("exit 2", () => {
  test("for an unreachable URL, with one line on stderr", async () => {
    const port = await freePort();
    const { out, output } = captured();
    const result = await runCli(["--url", `http://127.0.0.1:${port}`], output);
    expect(result.exitCode).toBe(2);
    expect(out.stderr).toMatch(/^wallet-sync-conformance: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused.*\n$/);
    expect(out.stderr).toContain(`:${port}:`);
    expect(out.stdout).toBe("");
  });

  test.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--timeout", "soon"], /--timeout must be an integer/],
    [["--timeout", "0"], /--timeout must be an integer/],
    [["--rate-limit", "0"], /--rate-limit must be an integer from 1/],
    [["--rate-limit", "fast"], /--rate-limit must be an integer/],
    [["--traffic", "heavy"], /^wallet-sync-conformance: --traffic must be one of default, deep, contention, large-wallets, load, got 'heavy' \(see --help\)\n$/],
    [["--rate", "0"], /--rate must be an integer from 1/],
    [["--traffic", "contention", "--rate", String(contention.minimalRate - 1)], new RegExp(`--rate ${contention.minimalRate - 1} is below the contention traffic profile's minimal rate of ${contention.minimalRate} checked operations per second`)],
    [["--traffic", "deep", "--rate-limit", "5"], new RegExp(`--rate-limit 5 is below the deep traffic profile's minimal rate of ${deep.minimalRate} checked`)],
    [["--url", "localhost:8090"], /--url must be an http/],
    [["--url", "ftp://example.com"], /--url must be an http/],
    [["--only", "NOPE"], /--only NOPE matches no case/],
    [["--only", "SEQ,"], /comma-separated/],
    [["--only", "SEQ-1", "--skip", "SEQ"], /leave no case/],
    [["positional"], /Unexpected argument 'positional'/],
    [["--strict=yes"], /--strict/],
  ])("for %j", async (argv, message) => {
    const { out, output } = captured();
    expect((await runCli(argv, output)).exitCode).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("listing and selecting", () => {
  test("--list prints every case as `ID level file title`, the file one of the repository", async () => {
    const { out, output } = captured();
    expect((await runCli(["--list"], output)).exitCode).toBe(0);
    const lines = out.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(casesOf("seed").length);
    for (const line of lines) expect(line).toMatch(/^[A-Z]+-\d+\/[a-z0-9-]+ (MUST|SHOULD) conformance\/src\/[a-z/-]+\.ts \S/);
    expect(lines).toContain("SEQ-3/skip-ahead MUST conformance/src/checks/sequence.ts A sequence ahead of stored + 1 is refused with 409");
    expect(lines).toContain("LIN-2/interleavings MUST conformance/src/interleavings/property/cases.ts " + casesOf("seed").find((c) => c.id === "LIN-2/interleavings")!.title);
    const files = new Set(lines.map((line) => line.split(" ")[2]!));
    for (const file of files) expect(existsSync(join(repositoryRoot, file)), file).toBe(true);
  });

  test("--only and --skip take requirement ID prefixes", async () => {
    const { out, output } = captured();
    await runCli(["--list", "--only", "SEQ,TOKEN-2", "--skip", "SEQ-3"], output);
    const ids = out.stdout.trimEnd().split("\n").map((l) => l.split(" ")[0]);
    expect(ids.length).toBeGreaterThan(3);
    expect(ids.every((id) => /^SEQ-(1|2|4|5|6|7|8)\//.test(id!) || id!.startsWith("TOKEN-2/"))).toBe(true);
  });

  test("--help prints the flags", async () => {
    const { out, output } = captured();
    expect((await runCli(["--help"], output)).exitCode).toBe(0);
    for (const flag of ["--url", "--strict", "--timeout", "--rate-limit", "--list", "--only", "--skip", "--quiet", "--traffic", "--rate"]) expect(out.stdout).toContain(flag);
    // Every traffic profile with what it stresses and its minimal rate, and exit status 4.
    for (const traffic of trafficProfiles) expect(out.stdout).toMatch(new RegExp(`^ +${traffic.name}: +${traffic.stresses} \\(`, "m"));
    expect(out.stdout).toContain(`minimal rate ${contention.minimalRate} ops/s`);
    expect(out.stdout).toMatch(/4 not trusted/);
  });
});

const run = promisify(execFile);

describe("the built command", () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  const exitOf = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [builtCli, ...args]);
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  test("exits 2 for a bad flag and for an unreachable URL", async () => {
    expect((await exitOf(["--nope"])).code).toBe(2);
    const unreachable = await exitOf(["--url", `http://127.0.0.1:${await freePort()}`]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  test("--list names the TypeScript source of each case, as the tests see it", async () => {
    const listed = await exitOf(["--list", "--only", "SEQ-3,LIN-2"]);
    expect(listed.code).toBe(0);
    const { out, output } = captured();
    await runCli(["--list", "--only", "SEQ-3,LIN-2"], output);
    expect(listed.stdout).toBe(out.stdout);
  });

  test("without --url checks the embedded reference and exits 0", async () => {
    const embedded = await exitOf(["--only", "SYNC,SEQ-3", "--quiet"]);
    expect(embedded.stderr).toBe("");
    expect(embedded.stdout).toMatch(/CONFORMS: http:\/\/127\.0\.0\.1:\d+/);
    expect(embedded.code).toBe(0);
  });
});
