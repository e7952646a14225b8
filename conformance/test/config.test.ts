// --config FILE: every option from YAML or JSON, checked against the shipped
// schema (an unknown key or a wrong type is a usage error naming the key),
// with flags on the command line overriding the file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { configSchemaFile } from "../src/cli/config.js";
import { runCli } from "../src/cli/main.js";
import { usage } from "../src/cli/options.js";
import { trafficProfileNames } from "../src/interleavings/workload/traffic.js";
import { captured } from "./support/captured-output.js";

let reference: ReferenceServer;
let dir: string;

function config(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  reference = await startReferenceServer({ scryptCost: 64 });
  dir = mkdtempSync(join(tmpdir(), "wallet-sync-config-"));
});
afterAll(async () => {
  await reference.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the schema has a key for every option of the command line, and no other", () => {
  const flags = new Set([...usage().matchAll(/^ {2}(?:-h, )?--([a-z-]+)/gm)].map((m) => m[1]));
  flags.delete("help");
  flags.delete("config");
  flags.delete("list"); // an action, not a setting
  const keys = Object.keys((JSON.parse(readFileSync(configSchemaFile, "utf8")) as { properties: object }).properties);
  expect(keys.sort()).toEqual([...flags].sort());
});

test("the schema names every traffic profile, and a file may pick one", async () => {
  const schema = JSON.parse(readFileSync(configSchemaFile, "utf8")) as { properties: { traffic: { enum: string[] } } };
  expect(schema.properties.traffic.enum).toEqual([...trafficProfileNames]);
  const { out, output } = captured();
  const file = config("traffic.yaml", "traffic: heavy\n");
  expect((await runCli(["--config", file], output)).exitCode).toBe(2);
  expect(out.stderr).toMatch(/key 'traffic' must be equal to one of the allowed values/);
});

test("a YAML file gives the options; report files are relative to its folder", async () => {
  const file = config("run.yaml", `url: ${reference.url}\nheader:\n  X-Trace: from-config\nonly: [SEQ-3, WGET]\nquiet: true\njson: reports/run.json\n`);
  const { out, output } = captured();
  const result = await runCli(["--config", file], output);
  expect(out.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(result.run?.results.every((r) => r.id.startsWith("SEQ-3") || r.id.startsWith("WGET"))).toBe(true);
  expect(out.stdout).not.toContain("Requirements"); // quiet
  expect(existsSync(join(dir, "reports/run.json"))).toBe(true);
}, 60_000);

test("flags override the file", async () => {
  const file = config("override.json", JSON.stringify({ url: reference.url, only: "SEQ-3", quiet: true }));
  const { output } = captured();
  const result = await runCli(["--config", file, "--only", "WGET-3"], output);
  expect(result.exitCode).toBe(0);
  expect(result.run?.results.map((r) => r.id)).toEqual(["WGET-3/missing-token"]);
}, 60_000);

test("an unknown key or a wrong type is a usage error (exit 2) naming the key", async () => {
  const unknown = captured();
  expect((await runCli(["--config", config("unknown.yaml", "url: http://127.0.0.1:1\ntimout: 100\n")], unknown.output)).exitCode).toBe(2);
  expect(unknown.out.stderr).toMatch(/unknown key 'timout'/);
  const wrongType = captured();
  expect((await runCli(["--config", config("type.yaml", "timeout: fast\n")], wrongType.output)).exitCode).toBe(2);
  expect(wrongType.out.stderr).toMatch(/key 'timeout' must be integer/);
  const missing = captured();
  expect((await runCli(["--config", join(dir, "absent.yaml")], missing.output)).exitCode).toBe(2);
  expect(missing.out.stderr).toContain("cannot read --config");
});
