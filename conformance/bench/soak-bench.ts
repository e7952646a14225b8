// How near a server's capacity the suite's soak drives it: the in-memory
// reference (the built wallet-sync-reference, real scrypt cost, a process of
// its own) is loaded first by a plain load generator (autocannon: a few
// accounts signed up and logged in once, then many connections sending
// GET /wallet and POST /wallet of the stored sequence + 1 as fast as it
// answers), then by the suite's soak (the built wallet-sync-conformance
// --duration, its interleaving cases only), and the two rates are printed
// side by side with their ratio and the machine's load average. Each of
// --rounds rounds has a fresh reference process; the median ratio is the
// figure, since both rates vary from run to run on a shared machine. The
// soak is read only through its command line and JSON report, so the
// benchmark measures whatever the soak does.
//
//   npm run bench:soak [-- --duration 30 --rounds 3 --traffic load --workers 1 --connections 32 --accounts 16 --gets-per-post 3]
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { median } from "./median.js";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startCli } from "../../reference/test/support/cli-process.js";
import { autocannon, benchProfiles, mix, prepareAccounts, statusCounts } from "../../reference/bench/wallet-load.js";
import type { RunResult } from "../src/model/result.js";
import { trafficProfileNames } from "../src/interleavings/workload/traffic.js";

const referenceCli = fileURLToPath(new URL("../../reference/src/cli.js", import.meta.url));
const suiteCli = fileURLToPath(new URL("../src/cli.js", import.meta.url));

/** Fresh processes are slower for their first second or two: the plain load is warmed up this long first, not measured. */
const warmUpSeconds = 2;

interface Options {
  seconds: number;
  traffic: string;
  workers: number;
  connections: number;
  accounts: number;
  getsPerPost: number;
  rounds: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "30" },
      traffic: { type: "string", default: "load" },
      workers: { type: "string", default: "1" },
      connections: { type: "string", default: "32" },
      accounts: { type: "string", default: "16" },
      "gets-per-post": { type: "string", default: "3" },
      rounds: { type: "string", default: "3" },
    },
  });
  const integer = (flag: string, min: number, max: number): number => {
    const text = values[flag as keyof typeof values] as string;
    const number = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(number >= min && number <= max)) throw new Error(`--${flag} must be an integer from ${min} to ${max}, got '${text}'`);
    return number;
  };
  if (!trafficProfileNames.includes(values.traffic)) throw new Error(`--traffic must be one of ${trafficProfileNames.join(", ")}, got '${values.traffic}'`);
  return {
    seconds: integer("duration", 5, 600),
    traffic: values.traffic,
    workers: integer("workers", 1, 64),
    connections: integer("connections", 1, 1024),
    accounts: integer("accounts", 1, 1000),
    getsPerPost: integer("gets-per-post", 0, 20),
    rounds: integer("rounds", 1, 20),
  };
}

const number = (n: number): string => Math.round(n).toLocaleString("en-US");
const load = (): string => loadavg().map((average) => average.toFixed(1)).join(" ");

interface PlainLoad {
  requestsPerSecond: number;
  statuses: Map<string, number>;
  errors: number;
}

async function plainLoad(url: string, options: Options): Promise<PlainLoad> {
  const profile = benchProfiles.seed;
  const accounts = await prepareAccounts(url, options.accounts, profile, `plain-${Date.now().toString(36)}-`);
  const requests = mix(accounts, profile, options.getsPerPost);
  await autocannon({ url, connections: options.connections, duration: warmUpSeconds, requests });
  const result = await autocannon({ url, connections: options.connections, duration: options.seconds, requests });
  return { requestsPerSecond: result.requests.total / result.duration, statuses: statusCounts([result]), errors: result.errors + result.timeouts };
}

interface SoakLoad {
  exitCode: number | null;
  /** Requests of the workloads' histories (signups, logins, GETs, POSTs, final reads; the largest-wallet probe left out). */
  operations: number;
  /** The run's own duration (its JSON report's durationMs): from its first case to its report. */
  runSeconds: number;
  /** Checked operations per second while the workloads ran (coverage.traffic.rate): the probe, final reads and settle left out. */
  trafficRate?: number;
  accounts: number;
  maxSequence: number;
}

async function soak(url: string, options: Options, dir: string): Promise<SoakLoad> {
  const json = join(dir, "soak.json");
  const interleavingCases = await interleavingCaseIds();
  const args = [suiteCli, "--url", url, "--only", interleavingCases.join(","), "--duration", `${options.seconds}s`, "--traffic", options.traffic, "--workers", String(options.workers), "--quiet", "--json", json];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const report = JSON.parse(await readFile(json, "utf8")) as RunResult;
  const coverage = report.coverage;
  if (!coverage) throw new Error(`the soak (exit status ${exitCode}) reported no coverage`);
  return {
    exitCode,
    operations: coverage.operations,
    runSeconds: report.durationMs / 1000,
    ...(coverage.traffic ? { trafficRate: coverage.traffic.rate } : {}),
    accounts: coverage.accounts,
    maxSequence: coverage.maxSequence,
  };
}

/** The interleaving cases, from the suite's own --list: the soak runs those and no contract check. */
async function interleavingCaseIds(): Promise<string[]> {
  const child = spawn(process.execPath, [suiteCli, "--list"], { stdio: ["ignore", "pipe", "inherit"] });
  let listing = "";
  child.stdout.on("data", (chunk: Buffer) => (listing += chunk.toString()));
  await new Promise((resolve) => child.once("close", resolve));
  const ids = listing.split("\n").map((line) => line.split(" ")[0] ?? "").filter((id) => id.endsWith("/interleavings"));
  if (ids.length === 0) throw new Error("wallet-sync-conformance --list names no interleaving case");
  return ids;
}

interface Round {
  plain: PlainLoad;
  soak: SoakLoad;
  soakRate: number;
  ratio: number;
}

/** One round: a fresh reference loaded by the plain generator, then by the soak. */
async function round(options: Options, dir: string, index: number): Promise<Round> {
  const server = await startCli(["--port", "0"], { program: referenceCli });
  try {
    const started = performance.now();
    const plain = await plainLoad(server.url, options);
    const statuses = [...plain.statuses].map(([status, count]) => `${status}: ${number(count)}`).join(", ");
    console.log(`round ${index + 1}: a reference at ${server.url}`);
    console.log(`  plain load: ${number(plain.requestsPerSecond)} requests/s (${statuses}; errors ${plain.errors}); load average ${load()}`);
    console.log(`    (${((performance.now() - started) / 1000).toFixed(0)} s with the accounts' set-up)`);
    const soakRun = await soak(server.url, options, dir);
    const soakRate = soakRun.operations / soakRun.runSeconds;
    console.log(`  suite soak (exit status ${soakRun.exitCode}): ${number(soakRun.operations)} requests in ${soakRun.runSeconds.toFixed(1)} s = ${number(soakRate)} requests/s; load average ${load()}`);
    console.log(
      `    (${number(soakRun.accounts)} accounts, deepest version ${number(soakRun.maxSequence)}; while the workloads ran: ${soakRun.trafficRate !== undefined ? number(soakRun.trafficRate) : "-"} checked operations/s)`,
    );
    const ratio = soakRate / plain.requestsPerSecond;
    console.log(`  ratio soak / plain: ${ratio.toFixed(2)}\n`);
    return { plain, soak: soakRun, soakRate, ratio };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const dir = await mkdtemp(join(tmpdir(), "wallet-sync-soak-bench-"));
  try {
    console.log(`The in-memory reference (real scrypt cost), a fresh process of its own each round; node ${process.version}, ${cpus().length} cores`);
    console.log(`load average ${load()} at start (1, 5, 15 min)`);
    console.log(`plain load (autocannon): ${options.accounts} accounts logged in once, ${options.connections} connections, ${options.getsPerPost} GETs to 1 POST of sequence + 1, ${options.seconds} s after ${warmUpSeconds} s of warm-up`);
    console.log(`suite soak: wallet-sync-conformance --duration ${options.seconds}s --traffic ${options.traffic} --workers ${options.workers}, its interleaving cases only\n`);
    const rounds: Round[] = [];
    for (let index = 0; index < options.rounds; index++) rounds.push(await round(options, dir, index));

    const column = (values: number[]) => values.map((value) => number(value).padStart(12)).join("");
    console.log(`${"".padEnd(12)}${rounds.map((_, index) => `round ${index + 1}`.padStart(12)).join("")}${"median".padStart(12)}`);
    const plainRates = rounds.map((r) => r.plain.requestsPerSecond);
    const soakRates = rounds.map((r) => r.soakRate);
    const ratios = rounds.map((r) => r.ratio);
    console.log(`${"plain load".padEnd(12)}${column(plainRates)}${number(median(plainRates)).padStart(12)}`);
    console.log(`${"suite soak".padEnd(12)}${column(soakRates)}${number(median(soakRates)).padStart(12)}`);
    console.log(`${"ratio".padEnd(12)}${ratios.map((ratio) => ratio.toFixed(2).padStart(12)).join("")}${median(ratios).toFixed(2).padStart(12)}`);
    console.log(`\nratio soak / plain (median of ${rounds.length} round${rounds.length === 1 ? "" : "s"}): ${median(ratios).toFixed(2)}`);
    console.log("\nThe soak's requests are its histories' operations (signups, logins, GETs, POSTs, final reads; not the");
    console.log("probe for the largest wallet) over the run's whole duration: probe, final reads and settle periods included.");
    if (rounds.some((r) => r.soak.exitCode !== 0)) {
      console.error("bench:soak: a soak did not pass (exit status other than 0): its rate is not a correct server's");
      process.exitCode = 1;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench:soak: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
