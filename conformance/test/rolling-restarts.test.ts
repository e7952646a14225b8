// Rolling restarts (--restarts with one --server-cmd per --url): the suite
// starts every node, and kills and restarts nodes one at a time while the
// others serve. An api3 deployment of reference processes over one
// PostgreSQL keeps everything across its nodes' restarts (no false alarm);
// two in-memory nodes do not, and their replay commands start both again.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeWithPostgres } from "../../reference/test/support/postgres-tests.js";
import { runCli } from "../src/cli/main.js";
import { freePort } from "./support/ports.js";

const referenceCli = fileURLToPath(new URL("../../dist/reference/src/cli.js", import.meta.url));

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "wallet-sync-rolling-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** `--url URL --server-cmd CMD` for each node: the reference with these arguments on a port of its own; each start leaves a line in `starts`. */
async function nodes(count: number, args: string, starts: string): Promise<string[]> {
  const flags: string[] = [];
  for (let node = 1; node <= count; node++) {
    const port = await freePort();
    flags.push("--url", `http://127.0.0.1:${port}`, "--server-cmd", `echo n${node} >> ${starts}; exec node ${referenceCli} ${args} --port ${port}`);
  }
  return flags;
}

const capture = () => {
  const out: string[] = [];
  return { out, output: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t) } };
};

describeWithPostgres("an api3 deployment over PostgreSQL with rolling restarts", (postgres) => {
  test("three nodes, one restart in each workload: no violation, the restarts counted and on the history's timeline", async () => {
    const database = await postgres().createDatabase();
    const starts = join(folder, "api3-starts");
    const json = join(folder, "api3.json");
    const run = capture();
    const result = await runCli(
      [...(await nodes(3, `--protocol api3 --store ${database}`, starts)), "--protocol", "api3", "--restarts", "1", "--only", "LIN,DUR", "--runs", "2", "--seed", "1", "--settle", "0.2", "--quiet", "--json", json],
      run.output,
    );
    expect(result.exitCode, run.out.join("")).toBe(0);
    // Each node started once, and two more starts: one restart in each of the two workloads.
    const lines = (await readFile(starts, "utf8")).trim().split("\n");
    expect(lines.slice(0, 3)).toEqual(["n1", "n2", "n3"]);
    expect(lines).toHaveLength(5);
    expect(result.run!.coverage?.restarts).toBe(2);
    expect(run.out.join("")).toMatch(/\b2 restarts\b/);
    // The durability cases ran on the restarts and passed; the crashes in their histories name their nodes.
    const durability = result.run!.results.filter((r) => r.requirement.startsWith("DUR-"));
    expect(durability.map((r) => r.verdict)).toEqual(["passed", "passed"]);
    const report = JSON.parse(await readFile(json, "utf8")) as { results: Array<{ interleaving?: { history: { events?: Array<{ kind: string; node?: string }> } } }> };
    const events = report.results.flatMap((r) => r.interleaving?.history.events ?? []);
    expect(events.filter((event) => event.kind === "crash").every((event) => /^n[123]$/.test(event.node ?? ""))).toBe(true);
  }, 120_000);
});

test("two in-memory nodes lose what a restart kills: a failure whose replay commands start each node again", async () => {
  const starts = join(folder, "memory-starts");
  const run = capture();
  const args = [...(await nodes(2, "", starts)), "--restarts", "1", "--only", "LIN,DUR", "--runs", "1", "--seed", "1", "--settle", "0", "--shrink-time", "0", "--quiet"];
  const result = await runCli(args, run.output);
  expect(result.exitCode, run.out.join("")).toBe(1);
  const failed = result.run!.results.filter((r) => r.verdict === "failed");
  expect(failed.length).toBeGreaterThan(0);
  const commands = failed.flatMap((r) => r.interleaving?.counterexample?.replayCommands ?? []);
  expect(commands.length).toBeGreaterThan(0);
  for (const command of commands) {
    // Every --url with its --server-cmd, in order, and --restarts: what a replay needs to start and restart the nodes.
    const [, url1, , command1, , url2, , command2] = args;
    expect(command).toContain(`--url ${url1} --server-cmd '${command1}' --url ${url2} --server-cmd '${command2}'`);
    expect(command).toContain("--restarts 1");
  }
}, 60_000);

test.each([
  [["--url", "http://127.0.0.1:1", "--url", "http://127.0.0.1:2", "--server-cmd", "true"], /--server-cmd starts one server: give it once per --url \(2\)/],
  [["--url", "http://127.0.0.1:1", "--server-cmd", "true", "--server-cmd", "true"], /--server-cmd is given once for one server, or once per --url: 2 for 1 --url/],
  [["--url", "http://127.0.0.1:1", "--url", "http://127.0.0.1:2", "--server-cmd", "a", "--server-cmd", "b", "--restarts", "9"], /at most 8, got 9/],
])("%j is one line and exit 2", async (args, message) => {
  const run = capture();
  expect((await runCli(args, run.output)).exitCode).toBe(2);
  expect(run.out.join("")).toMatch(message);
  expect(run.out.join("").trim().split("\n")).toHaveLength(1);
});
