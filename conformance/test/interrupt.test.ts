// An interrupted run keeps what it learned: SIGINT during a soak stops it
// starting work, judges what ran, prints the summary and writes every
// requested report marked interrupted, within seconds; exit status 3 when
// nothing that ran failed. A second signal ends the command at once.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { reportValidator, schemaErrors } from "./support/report-schema.js";
import { builtCli, requireBuiltCli } from "./support/built-cli.js";

let dir: string;

beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(join(tmpdir(), "wallet-sync-interrupt-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts the command, collecting its output; resolves once stderr shows the soak's progress. */
function soak(args: string[]): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [builtCli, "--only", "LIN-2", "--duration", "10m", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exit };
}

const seconds = (n: number) => new Promise((resolve) => setTimeout(resolve, n * 1000));

test("SIGINT during a soak: the summary and all three reports, marked interrupted, within 10 s; exit 3", async () => {
  const files = { json: join(dir, "run.json"), junit: join(dir, "run.xml"), html: join(dir, "run.html") };
  const run = soak(["--json", files.json, "--junit", files.junit, "--html", files.html]);
  await seconds(8);
  const signalled = performance.now();
  run.child.kill("SIGINT");
  const code = await run.exit;
  expect(performance.now() - signalled).toBeLessThan(10_000);
  expect(code).toBe(3);
  const { stdout, stderr } = run.output();
  expect(stderr).toContain("SIGINT: finishing what is in flight");
  expect(stdout).toMatch(/Interrupted by SIGINT: \d+ cases not run/);
  expect(stdout).toMatch(/^Exercised: [\d,]+ operations/m);
  expect(stdout).toMatch(/INCOMPLETE \(interrupted by SIGINT\): http:\/\/127\.0\.0\.1:\d+/);

  const report = JSON.parse(await readFile(files.json, "utf8")) as { interrupted?: string; coverage?: { operations: number; longLived?: { stopped?: string } } };
  const validate = reportValidator();
  expect(validate(report), schemaErrors(validate).join("\n")).toBe(true);
  expect(report.interrupted).toBe("SIGINT");
  expect(report.coverage?.operations).toBeGreaterThan(0);
  // The long-lived accounts honour the signal too.
  expect(report.coverage?.longLived).toMatchObject({ stopped: "interrupted" });
  expect(await readFile(files.junit, "utf8")).toContain('<property name="interrupted" value="SIGINT"/>');
  const html = await readFile(files.html, "utf8");
  expect(html).toContain("INCOMPLETE (interrupted by SIGINT)");
  // Not green: an interrupted run is no pass.
  expect(html).toContain('<div class="banner incomplete">');
  expect(html).toMatch(/<title>wallet-sync conformance: INCOMPLETE \(interrupted by SIGINT\)/);
}, 40_000);

test("a second SIGINT ends the command at once", async () => {
  const run = soak([]);
  await seconds(5);
  run.child.kill("SIGINT");
  // The second signal once the first is taken: two sent while the process is busy may arrive as one.
  for (let waited = 0; !run.output().stderr.includes("finishing what is in flight") && waited < 100; waited++) await seconds(0.1);
  run.child.kill("SIGINT");
  await run.exit;
  // 130 from the handler; or, when the run had just finished reporting and let go of its handlers, SIGINT's own end.
  expect(run.child.exitCode === 130 || run.child.signalCode === "SIGINT", `exit ${run.child.exitCode}, signal ${run.child.signalCode}`).toBe(true);
}, 30_000);
