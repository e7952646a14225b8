// The GitHub Action (action.yml at the root): its run step's script, run
// here with the environment the action gives it, checks the reference and
// writes the JUnit and HTML reports; a failing server fails the step.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { startedServers } from "./support/started-servers.js";

const root = join(import.meta.dirname, "../..");
const action = parseYaml(readFileSync(join(root, "action.yml"), "utf8")) as {
  inputs: Record<string, { required?: boolean }>;
  runs: { using: string; steps: Array<{ name: string; run: string; env?: Record<string, string> }> };
};
const runStep = action.runs.steps.find((s) => s.name === "Run the conformance suite")!;

const servers = startedServers();
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wallet-sync-action-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

function runScript(url: string, args: string, reports: string): Promise<{ code: number; stdout: string }> {
  if (!existsSync(join(root, "dist/conformance/src/cli.js"))) throw new Error("no dist/: run npm run build first (npm test does)");
  const env = { ...process.env, WALLET_SYNC_URL: url, WALLET_SYNC_ARGS: args, WALLET_SYNC_REPORTS: reports, SUITE: root };
  return new Promise((resolve) => {
    execFile("bash", ["-c", runStep.run], { env, cwd: dir, timeout: 120_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout });
    });
  });
}

test("a composite action with a url input and extra arguments", () => {
  expect(action.runs.using).toBe("composite");
  expect(action.inputs["url"]?.required).toBe(true);
  expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(["args", "protocol"]));
  expect(Object.keys(runStep.env ?? {})).toEqual(["WALLET_SYNC_URL", "WALLET_SYNC_PROTOCOL", "WALLET_SYNC_ARGS", "WALLET_SYNC_REPORTS", "SUITE"]);
});

test("the run step passes the reference and writes JUnit and HTML; quoted extra arguments stay whole", async () => {
  const reports = join(dir, "reference");
  const result = await runScript(servers.reference.url, "--only 'SEQ-3,WGET' --header 'X-Note: two words' --quiet", reports);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("CONFORMS");
  expect(readFileSync(join(reports, "report.xml"), "utf8")).toContain("<testsuites");
  expect(readFileSync(join(reports, "report.html"), "utf8")).toContain("CONFORMS");
}, 120_000);

test("the run step gives each of several URLs, on one line or several, as a node of one deployment", async () => {
  // Two servers that share nothing: as one deployment they fail DEPLOY-1, which shows both were taken as its nodes.
  const [first, second] = [servers.reference.url, servers.broken.url];
  for (const urls of [`${first} ${second}`, `${first}\n${second}\n`]) {
    const result = await runScript(urls, "--only DEPLOY-1 --quiet", join(dir, "nodes"));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`DOES NOT CONFORM: 1 check failed at a deployment of 2 nodes: n1 ${first}, n2 ${second}`);
  }
}, 120_000);

test("the run step fails for a broken server", async () => {
  const result = await runScript(servers.broken.url, "--only SEQ-3 --quiet", join(dir, "broken"));
  expect(result.code).toBe(1);
  expect(result.stdout).toContain("DOES NOT CONFORM");
}, 120_000);
