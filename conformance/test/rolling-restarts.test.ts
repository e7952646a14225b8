// Rolling restarts (--restarts with one --server-cmd per --url): the suite
// starts every node, and kills and restarts nodes one at a time while the
// others serve. An api3 deployment of reference processes over one
// PostgreSQL keeps everything across its nodes' restarts (no false alarm);
// two in-memory nodes do not, and their replay commands start both again.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeWithPostgres } from "../../reference/test/support/postgres-tests.js";
import { restartsCounted } from "../../scripts/check-deployment.js";
import { configArguments, mergeArguments } from "../src/cli/config.js";
import { runCli } from "../src/cli/main.js";
import { parseCliOptions } from "../src/cli/options.js";
import { counterexampleFormat } from "../src/interleavings/property/counterexample-file.js";
import { replayFileCommand, replaySeedCommand } from "../src/interleavings/property/words.js";
import { freePort } from "./support/ports.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";

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
      [...(await nodes(3, `--protocol api3 --store ${database}`, starts)), "--protocol", "api3", "--restarts", "1", "--only", "LIN,DUR", "--runs", "2", "--depth", "0", "--seed", "1", "--settle", "0.2", "--quiet", "--json", json],
      run.output,
    );
    expect(result.exitCode, run.out.join("")).toBe(0);
    // Each node started once, and two more starts: one restart in each of the two workloads.
    const lines = (await readFile(starts, "utf8")).trim().split("\n");
    expect(lines.slice(0, 3)).toEqual(["n1", "n2", "n3"]);
    expect(lines).toHaveLength(5);
    expect(result.run!.coverage?.restarts).toBe(2);
    // The coverage line says so, as check:deployment reads it.
    expect(restartsCounted(run.out.join(""))).toBe(2);
    // The durability cases ran on the restarts and passed; the crashes in their histories name their nodes.
    const durability = result.run!.results.filter((r) => r.requirement.startsWith("DUR-"));
    expect(durability.map((r) => r.verdict)).toEqual(["passed", "passed"]);
    const report = JSON.parse(await readFile(json, "utf8")) as { results: Array<{ interleaving?: { history: { events?: Array<{ kind: string; node?: string }> } } }> };
    const validate = reportValidator();
    expect(validate(report), schemaErrors(validate).join("\n")).toBe(true);
    const events = report.results.flatMap((r) => r.interleaving?.history.events ?? []);
    const crashes = events.filter((event) => event.kind === "crash");
    expect(crashes.length).toBeGreaterThan(0);
    expect(crashes.every((event) => /^n[123]$/.test(event.node ?? ""))).toBe(true);
  }, 120_000);
});

test("two in-memory nodes lose what a restart kills: a failure whose replay commands start each node again, on a timeline that names the node", async () => {
  const starts = join(folder, "memory-starts");
  const run = capture();
  const html = join(folder, "memory.html");
  const args = [...(await nodes(2, "", starts)), "--restarts", "1", "--only", "LIN,DUR", "--runs", "1", "--depth", "0", "--seed", "1", "--settle", "0", "--shrink-time", "0", "--quiet"];
  const result = await runCli([...args, "--html", html], run.output);
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
  // The timeline names the node each crash and restart happened to.
  expect(await readFile(html, "utf8")).toMatch(/<text[^>]*>n[12] crash /);
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

test("replay commands carry every flag that reproduces the run, each --server-cmd beside its --url, quoted for the shell, header values left out", () => {
  const target = {
    urls: ["http://127.0.0.1:8001", "http://127.0.0.1:8002"],
    timeoutMs: 10_000,
    only: ["DUR-1"],
    profile: "api3" as const,
    faults: true,
    depthCap: 40,
    restarts: 2,
    serverCommands: ["./node --port 8001", "./node --port 8002 --name \"it's\""],
    connection: { caFile: "/etc/ca.pem", headerNames: ["X-Api-Key"] },
  };
  expect(replayFileCommand(target, "/tmp/x.json")).toBe(
    "npx wallet-sync-conformance --url http://127.0.0.1:8001 --server-cmd './node --port 8001' --url http://127.0.0.1:8002 " +
      `--server-cmd './node --port 8002 --name "it'\\''s"' --protocol api3 --ca /etc/ca.pem --header 'X-Api-Key: <redacted>' ` +
      "--faults --restarts 2 --depth 40 --only DUR-1/interleavings --replay /tmp/x.json",
  );
  // One server whose command printed its URL: the command prints it again, so --url is left out.
  const printed = replaySeedCommand({ urls: ["http://127.0.0.1:40123"], timeoutMs: 10_000, only: ["LIN-2"], serverCommands: ["./server --port 0"], urlPrinted: true }, 5, "3:1");
  expect(printed).toBe("npx wallet-sync-conformance --server-cmd './server --port 0' --only LIN-2/interleavings --seed 5 --path 3:1");
});

test("a configuration file lists each node's command; --server-cmd on the command line replaces the list", async () => {
  const file = join(folder, "deployment.yaml");
  await writeFile(file, "url: [http://a:1, http://b:2]\nserver-cmd: ['./a', './b']\nrestarts: 1\n");
  const fromFile = await configArguments(file);
  expect(parseCliOptions(mergeArguments(fromFile, [])).serverCommands).toEqual(["./a", "./b"]);
  expect(parseCliOptions(mergeArguments(fromFile, ["--url", "http://c:3", "--server-cmd", "./c"])).serverCommands).toEqual(["./c"]);
});

test("a saved workload with node restarts is not replayed without each node's --server-cmd", async () => {
  const file = join(folder, "counterexample.json");
  const device = { startMs: 0, opening: "post", sharedId: false, moves: [], route: [0, 1] };
  const workload = { accounts: [{ devices: [device] }], restarts: [{ node: 1, afterPosts: 1 }] };
  await writeFile(file, JSON.stringify({ format: counterexampleFormat, target: "http://a:1", requirements: ["DUR-1"], workload, history: {}, violations: [] }));
  const run = capture();
  const result = await runCli(["--url", "http://127.0.0.1:9", "--url", "http://127.0.0.1:10", "--replay", file], run.output);
  expect(result.exitCode).toBe(2);
  expect(run.out.join("")).toContain("its workload restarts nodes; give each node's command with --server-cmd, once per --url");
});
