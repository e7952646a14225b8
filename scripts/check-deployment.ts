// The reference as a deployment, checked as one: a throwaway PostgreSQL,
// several `wallet-sync-reference --store postgres://...` processes over it,
// and `wallet-sync-conformance --url A --url B ...` run once per seed. A
// correct deployment must pass every seed; any failure is a false alarm of
// the suite or a defect of the reference, and is printed whole. With
// --restarts N the suite starts the nodes itself (one --server-cmd per
// --url) and kills and restarts N of them in each workload, one at a time.
//   npm run check:deployment -- --seeds 20 [--protocol seed|api3] [--nodes 3] [--runs N] [--first-seed S] [--faults] [--restarts N]
import { spawn } from "node:child_process";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { defaultProfile, isProfileName, profileNames, type ProfileName } from "../spec/profiles.js";
import { startCli, type RunningCli } from "../reference/test/support/cli-process.js";
import { startPostgres, type ThrowawayPostgres } from "../reference/test/support/postgres.js";
import { freePort } from "../conformance/test/support/ports.js";
import { shellWord } from "../conformance/src/interleavings/property/words.js";

const program = "check-deployment";
// The built programs, whether this runs compiled (dist/scripts) or from source (a test).
const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = basename(dirname(here)) === "dist" ? resolve(here, "..", "..") : resolve(here, "..");
const suiteCli = join(repositoryRoot, "dist", "conformance", "src", "cli.js");
const referenceCli = join(repositoryRoot, "dist", "reference", "src", "cli.js");

export interface DeploymentCheckOptions {
  /** The protocol the nodes serve and the suite checks; default seed. */
  protocol?: ProfileName;
  nodes: number;
  seeds: number;
  firstSeed: number;
  /** --runs of each suite run; the suite's default when absent. */
  runs?: number;
  /** Runs the suite with --faults (its proxy between the suite and every node). */
  faults?: boolean;
  /** Runs the suite with --restarts N and one --server-cmd per node: the suite starts the nodes and restarts N of them in each workload. */
  restarts?: number;
  /** Told of each seed's result as it comes. */
  onSeed?: (result: SeedResult) => void;
}

export interface SeedResult {
  seed: number;
  exitCode: number | null;
  durationMs: number;
  /** The suite's output: with --quiet, its failures and totals. */
  output: string;
}

/** The last line of the suite's report: "CONFORMS: ..." or "DOES NOT CONFORM: ...". */
export function verdictLine(output: string): string {
  return output.trim().split("\n").filter((line) => /CONFORM/.test(line)).at(-1) ?? "(no verdict printed)";
}

/** The restarts the suite's coverage line counts ("..., 10 restarts"), when it printed them. */
export function restartsCounted(output: string): number | undefined {
  const counted = /\b([\d,]+) restarts?\b/.exec(output.split("\n").find((line) => line.startsWith("Exercised:")) ?? "");
  return counted ? Number(counted[1]!.replace(/,/g, "")) : undefined;
}

/** Starts PostgreSQL and the nodes, runs the suite once per seed, stops everything; resolves with each seed's result. */
export async function checkDeployment(options: DeploymentCheckOptions): Promise<SeedResult[]> {
  const postgres: ThrowawayPostgres = await startPostgres();
  const nodes: RunningCli[] = [];
  try {
    const database = await postgres.createDatabase();
    const protocol = ["--protocol", options.protocol ?? defaultProfile];
    let deployment: string[];
    if (options.restarts) {
      // The suite starts each node with its command (one after another: the first creates the tables), on a port fixed for its restarts.
      deployment = [];
      for (let node = 0; node < options.nodes; node++) {
        const port = await freePort();
        const command = ["exec", process.execPath, referenceCli, "--port", String(port), "--store", database, ...protocol].map(shellWord).join(" ");
        deployment.push("--url", `http://127.0.0.1:${port}`, "--server-cmd", command);
      }
      deployment.push("--restarts", String(options.restarts));
    } else {
      // One after another: the first creates the tables.
      for (let node = 0; node < options.nodes; node++) nodes.push(await startCli(["--port", "0", "--store", database, ...protocol], { program: referenceCli }));
      deployment = nodes.flatMap((node) => ["--url", node.url]);
    }
    const results: SeedResult[] = [];
    for (let seed = options.firstSeed; seed < options.firstSeed + options.seeds; seed++) {
      const args = [...deployment, ...protocol, "--seed", String(seed), "--quiet"];
      if (options.runs !== undefined) args.push("--runs", String(options.runs));
      if (options.faults) args.push("--faults");
      const result = await runSuite(args, seed);
      options.onSeed?.(result);
      results.push(result);
    }
    return results;
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await postgres.destroy();
  }
}

function runSuite(args: string[], seed: number): Promise<SeedResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [suiteCli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (exitCode) => resolve({ seed, exitCode, durationMs: Date.now() - started, output }));
  });
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        protocol: { type: "string" },
        nodes: { type: "string" },
        seeds: { type: "string" },
        runs: { type: "string" },
        "first-seed": { type: "string" },
        faults: { type: "boolean" },
        restarts: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${program}: ${error instanceof Error ? error.message.split(/\.\s/)[0] : String(error)}\n`);
    return 2;
  }
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const text = values[name] as string | undefined;
    const value = text === undefined ? fallback : /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) throw new RangeError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
    return value;
  };
  const protocol = (values["protocol"] as string | undefined) ?? defaultProfile;
  if (!isProfileName(protocol)) {
    process.stderr.write(`${program}: --protocol must be one of ${profileNames.join(", ")}, got '${protocol}'\n`);
    return 2;
  }
  let options: DeploymentCheckOptions;
  try {
    options = {
      protocol,
      faults: values["faults"] === true,
      nodes: integer("nodes", 3, 2, 8),
      seeds: integer("seeds", 20, 1, 1000),
      firstSeed: integer("first-seed", 1, 0, 2 ** 31 - 1),
      ...(values["runs"] !== undefined ? { runs: integer("runs", 0, 1, 100_000) } : {}),
      ...(values["restarts"] !== undefined ? { restarts: integer("restarts", 0, 1, 8) } : {}),
    };
  } catch (error) {
    process.stderr.write(`${program}: ${(error as Error).message}\n`);
    return 2;
  }
  const results = await checkDeployment({
    ...options,
    onSeed: (result) => {
      const restarts = restartsCounted(result.output);
      const restarted = restarts === undefined ? "" : `${restarts} node restarts, `;
      process.stdout.write(`seed ${result.seed}: exit ${result.exitCode}, ${(result.durationMs / 1000).toFixed(1)} s, ${restarted}${verdictLine(result.output)}\n`);
      if (result.exitCode !== 0) process.stdout.write(`${result.output}\n`);
    },
  });
  const failed = results.filter((result) => result.exitCode !== 0);
  const flags = [...(options.faults ? ["--faults"] : []), ...(options.restarts ? [`--restarts ${options.restarts}`] : [])];
  process.stdout.write(
    `${options.nodes} PostgreSQL-backed ${protocol} reference processes, ${results.length} seeds${flags.length > 0 ? ` with ${flags.join(" ")}` : ""}: ${results.length - failed.length} conform, ${failed.length} do not\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
