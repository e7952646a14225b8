// The package as implementers get it: `npm pack` ships dist/ (without tests
// and benchmarks), spec/ and the report schema; installed from the tarball
// into an empty project, its two commands work: the reference starts, and
// the suite checks it, exits 0 and writes a JUnit file; an unreachable --url
// exits 2. Needs the build (npm test builds first) and the npm registry for
// the package's dependencies.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseJunit } from "./support/junit.js";
import { freePort } from "./support/ports.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const built = existsSync(join(root, "dist/conformance/src/cli.js"));
const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

if (!built) console.warn("skipping the package test: no dist/ (run npm run build, or npm test, which builds first)");

/** The environment without the variables npm sets for this package's own scripts. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_(package|lifecycle)_/i.test(name) && name !== "INIT_CWD"),
  );
}

async function exitOf(command: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env: cleanEnvironment(), timeout: 150_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Starts the installed reference on a free port and reads the URL from its first line. */
async function startInstalledReference(project: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(join(project, "node_modules/.bin/wallet-sync-reference"), ["--port", "0"], {
    cwd: project,
    env: cleanEnvironment(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const firstLine = await new Promise<string>((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolveLine(line));
    child.once("exit", (code) => reject(new Error(`wallet-sync-reference exited with ${code} before it listened`)));
  });
  const url = /^listening on (http:\/\/\S+)$/.exec(firstLine)?.[1];
  if (!url) throw new Error(`unexpected first line: ${firstLine}`);
  return { url, child };
}

describe.skipIf(!built)("the packed package", () => {
  let dir: string;
  let project: string;
  let packedFiles: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wallet-sync-pack-"));
    // --ignore-scripts: the build is already in dist/ and must not be rewritten under the other tests.
    const packed = await run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: root, env: cleanEnvironment() });
    const [summary] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packedFiles = summary!.files.map((f) => f.path);
    project = join(dir, "project");
    await mkdir(project);
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "checks-my-server", version: "1.0.0", private: true }));
    const installed = await exitOf(npm, ["install", "--no-audit", "--no-fund", join(dir, summary!.filename)], project);
    if (installed.code !== 0) throw new Error(`npm install of the tarball failed:\n${installed.stderr}`);
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("ships dist/ without tests and benchmarks, the spec, the report schema and the README", () => {
    for (const file of ["dist/conformance/src/cli.js", "dist/reference/src/cli.js", "spec/openapi.yaml", "spec/protocol.md", "spec/walkthrough.md", "conformance/report-schema.json"]) {
      expect(packedFiles, file).toContain(file);
    }
    expect(packedFiles.filter((f) => /\.test\.[jt]s$|(^|\/)bench\/|^dist\/scripts\/|(^|\/)test\//.test(f))).toEqual([]);
    expect(packedFiles).toContain("README.md");
  });

  test("the installed package can be imported: the suite and the embedded reference", async () => {
    const script = [
      'const suite = await import("wallet-sync-conformance");',
      'const { startReferenceServer } = await import("wallet-sync-conformance/reference");',
      "const server = await startReferenceServer({ port: 0 });",
      "console.log(suite.allCases().length, new URL(server.url).hostname);",
      "await server.close();",
    ].join("\n");
    const imported = await exitOf(process.execPath, ["--input-type=module", "-e", script], project);
    expect(imported.stderr).toBe("");
    expect(imported.stdout.trim()).toMatch(/^\d+ 127\.0\.0\.1$/);
  }, 60_000);

  test("the installed reference passes the installed suite, which writes a JUnit file", async () => {
    const { url, child } = await startInstalledReference(project);
    try {
      // Few randomized runs: the installed commands are under test here, not the reference.
      const checked = await exitOf(npx, ["wallet-sync-conformance", "--url", url, "--runs", "3", "--junit", "out.xml"], project);
      expect(checked.stdout).toContain(`CONFORMS: ${url}`);
      expect(checked.code).toBe(0);
      const { testsuites } = parseJunit(await readFile(join(project, "out.xml"), "utf8"));
      expect(Number(testsuites.tests)).toBeGreaterThan(40);
      expect(Number(testsuites.failures) + Number(testsuites.errors)).toBe(0);
    } finally {
      child.kill("SIGTERM");
    }
  }, 180_000);

  test("the installed suite exits 2 for an unreachable --url", async () => {
    const unreachable = await exitOf(npx, ["wallet-sync-conformance", "--url", `http://127.0.0.1:${await freePort()}`], project);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/^wallet-sync-conformance: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/m);
  }, 60_000);
});
