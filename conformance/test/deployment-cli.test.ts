// --url given several times: the nodes of one deployment, in order, from the
// command line or a configuration file (the command line's list replaces the
// file's), named in reports and repeated in replay commands.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { configArguments, mergeArguments } from "../src/cli/config.js";
import { runCli } from "../src/cli/main.js";
import { counterexampleFormat } from "../src/interleavings/property/counterexample-file.js";
import { parseCliOptions, UsageError } from "../src/cli/options.js";
import { replayFileCommand } from "../src/interleavings/property/words.js";
import { targetName } from "../src/model/result.js";

const dir = mkdtempSync(join(tmpdir(), "wallet-sync-deployment-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("--url several times gives the nodes in order; one URL twice is a usage error", () => {
  expect(parseCliOptions(["--url", "http://a:1/", "--url", "http://b:2/prefix"]).urls).toEqual(["http://a:1", "http://b:2/prefix"]);
  expect(parseCliOptions([]).urls).toEqual([]);
  expect(() => parseCliOptions(["--url", "http://a:1", "--url", "http://a:1/"])).toThrow(UsageError);
  expect(() => parseCliOptions(["--url", "http://a:1", "--url", "ftp://b"])).toThrow("--url must be an http:// or https:// URL, got 'ftp://b'");
});

test("a configuration file lists the nodes; --url on the command line replaces its list", async () => {
  const file = join(dir, "deployment.yaml");
  writeFileSync(file, "url:\n  - http://a:1\n  - http://b:2\nquiet: true\n");
  const fromFile = await configArguments(file);
  expect(parseCliOptions(mergeArguments(fromFile, [])).urls).toEqual(["http://a:1", "http://b:2"]);
  const overridden = parseCliOptions(mergeArguments(fromFile, ["--url", "http://c:3"]));
  expect(overridden.urls).toEqual(["http://c:3"]);
  expect(overridden.quiet).toBe(true);
});

test("replay commands repeat every node's --url; reports name the nodes", () => {
  const command = replayFileCommand({ urls: ["http://a:1", "http://b:2"], timeoutMs: 10_000, only: ["LIN-2"] }, "/tmp/x.json");
  expect(command).toBe("npx wallet-sync-conformance --url http://a:1 --url http://b:2 --only LIN-2/interleavings --replay /tmp/x.json");
  expect(targetName({ url: "http://a:1", embedded: false, nodes: ["http://a:1", "http://b:2"] })).toBe(
    "a deployment of 2 nodes: n1 http://a:1, n2 http://b:2",
  );
  expect(targetName({ url: "http://a:1", embedded: false })).toBe("http://a:1");
});

test("a saved workload routed over three nodes is not replayed against fewer", async () => {
  const device = (route: number[]) => ({ startMs: 0, opening: "post", sharedId: false, moves: [], route });
  const file = join(dir, "counterexample.json");
  const workload = { accounts: [{ devices: [device([0]), device([2, 1])] }, { devices: [device([0]), device([1])] }] };
  writeFileSync(file, JSON.stringify({ format: counterexampleFormat, target: "http://a:1", requirements: ["LIN-2"], workload, history: {}, violations: [] }));
  let stderr = "";
  const result = await runCli(["--url", "http://127.0.0.1:9", "--replay", file], { stdout: () => undefined, stderr: (text) => void (stderr += text) });
  expect(result.exitCode).toBe(2);
  expect(stderr).toContain("its workload sends requests to 3 nodes; give each with --url");
});
