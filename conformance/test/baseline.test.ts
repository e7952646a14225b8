// Known failures: --write-baseline records a broken server's failures, and
// with --baseline the same run passes, each listed failure reported as an
// expected failure in every output; against the reference those entries are
// reported stale; a failure the baseline does not list still fails the run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { runCli } from "../src/cli/main.js";
import { parseJunit } from "./support/junit.js";
import { reportValidator, schemaErrors } from "./support/report-schema.js";
import { captured } from "./support/captured-output.js";
import { startedServers } from "./support/started-servers.js";

const servers = startedServers();
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wallet-sync-baseline-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

const only = ["--only", "SEQ-3"];

function reports(name: string): { args: string[]; json: () => any; junit: () => ReturnType<typeof parseJunit>; html: () => string } {
  const files = { json: join(dir, `${name}.json`), junit: join(dir, `${name}.xml`), html: join(dir, `${name}.html`) };
  return {
    args: ["--json", files.json, "--junit", files.junit, "--html", files.html],
    json: () => JSON.parse(readFileSync(files.json, "utf8")),
    junit: () => parseJunit(readFileSync(files.junit, "utf8")),
    html: () => readFileSync(files.html, "utf8"),
  };
}

function testcases(junit: ReturnType<typeof parseJunit>) {
  return junit.testsuites.testsuite.flatMap((s) => s.testcase);
}

test("round trip: write the failures of a broken server, then the same run passes with them expected", async () => {
  const baselineFile = join(dir, "broken.yaml");
  const first = captured();
  expect((await runCli(["--url", servers.broken.url, ...only, "--quiet", "--write-baseline", baselineFile], first.output)).exitCode).toBe(1);
  const written = parseYaml(readFileSync(baselineFile, "utf8")) as { expectedFailures: Array<{ id: string; reason: string }> };
  const ids = written.expectedFailures.map((e) => e.id);
  expect(ids).toContain("SEQ-3/skip-ahead");
  expect(written.expectedFailures.every((e) => e.reason.length > 0)).toBe(true);

  const files = reports("expected");
  const second = captured();
  const result = await runCli(["--url", servers.broken.url, ...only, "--baseline", baselineFile, ...files.args], second.output);
  expect(second.out.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(second.out.stdout).toMatch(/XFAIL SEQ-3\/skip-ahead/);
  expect(second.out.stdout).toMatch(new RegExp(`${ids.length} expected failures?`));

  const json = files.json();
  const validate = reportValidator();
  expect(validate(json), schemaErrors(validate).join("\n")).toBe(true);
  expect(json.totals.expectedFailures).toBe(ids.length);
  expect(json.totals.failed).toBe(0);
  const skipAhead = json.results.find((r: { id: string }) => r.id === "SEQ-3/skip-ahead");
  expect(skipAhead.verdict).toBe("expected-failure");
  expect(skipAhead.baselineReason).toBe(written.expectedFailures.find((e) => e.id === "SEQ-3/skip-ahead")?.reason);

  const junitCase = testcases(files.junit()).find((c) => c.name.startsWith("SEQ-3/skip-ahead"));
  expect(junitCase?.skipped?.type).toBe("expected-failure");
  expect(junitCase?.failure).toBeUndefined();
  expect(files.html()).toMatch(/<section id="expected-failures">[\s\S]*SEQ-3\/skip-ahead/);
}, 60_000);

test("against the reference the same entries are stale: reported in every output, and the run passes", async () => {
  const baselineFile = join(dir, "stale.json");
  writeFileSync(baselineFile, JSON.stringify({ expectedFailures: [{ id: "SEQ-3/skip-ahead", reason: "stores a skipped sequence" }] }));
  const files = reports("stale");
  const { out, output } = captured();
  const result = await runCli(["--url", servers.reference.url, ...only, "--baseline", baselineFile, ...files.args], output);
  expect(result.exitCode).toBe(0);
  expect(out.stdout).toMatch(/Stale baseline entries[^\n]*\n {2}STALE SEQ-3\/skip-ahead {2}stores a skipped sequence/);
  expect(out.stdout).toContain("1 stale baseline entry");
  const json = files.json();
  expect(json.totals.staleBaseline).toBe(1);
  expect(json.results.find((r: { id: string }) => r.id === "SEQ-3/skip-ahead").verdict).toBe("stale-baseline");
  const junitCase = testcases(files.junit()).find((c) => c.name.startsWith("SEQ-3/skip-ahead"));
  expect(junitCase?.["system-out"]).toContain("STALE BASELINE ENTRY");
  expect(files.html()).toMatch(/<section id="stale-baseline">[\s\S]*SEQ-3\/skip-ahead/);
}, 60_000);

test("a failure the baseline does not list still fails the run", async () => {
  const baselineFile = join(dir, "other.yaml");
  writeFileSync(baselineFile, "expectedFailures:\n  - id: SEQ-3/stale\n    reason: not this one\n");
  const { out, output } = captured();
  expect((await runCli(["--url", servers.broken.url, ...only, "--baseline", baselineFile, "--quiet"], output)).exitCode).toBe(1);
  expect(out.stdout).toContain("FAIL SEQ-3/skip-ahead");
}, 60_000);

test("a baseline naming no case, or of the wrong shape, is a usage error naming what is wrong", async () => {
  const unknown = join(dir, "unknown.yaml");
  writeFileSync(unknown, "expectedFailures:\n  - id: SEQ-99/nothing\n    reason: typo\n");
  const first = captured();
  expect((await runCli(["--url", servers.reference.url, "--baseline", unknown], first.output)).exitCode).toBe(2);
  expect(first.out.stderr).toContain("names no case SEQ-99/nothing");
  const shapeless = join(dir, "shapeless.yaml");
  writeFileSync(shapeless, "expectedFailures:\n  - id: SEQ-3/stale\n");
  const second = captured();
  expect((await runCli(["--url", servers.reference.url, "--baseline", shapeless], second.output)).exitCode).toBe(2);
  expect(second.out.stderr).toMatch(/expectedFailures\/0.*reason/);
});
