// Throughput and p99 latency of the reference deployments under one GET/POST
// mix: the in-memory reference, and 1, 2 and 4 reference processes over one
// PostgreSQL, beside a bare node:http server answering a fixed JSON body (what
// node itself costs); then the api3 profile over PostgreSQL, 1 and 2
// processes, with a notification socket per account open on every process,
// so that each stored version is announced to every process's sockets. Every server runs in child processes of its own (the
// built CLI), so that the load generator does not share a thread with them.
// PostgreSQL is a throwaway server from Debian's binaries unless --database
// names one.
// Run: npm run bench:reference [-- --duration 5 --connections 10 --database postgres://...]
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";
import type { ProfileName } from "../../spec/index.js";
import { startCli, type RunningCli } from "../test/support/cli-process.js";
import { startPostgres, type ThrowawayPostgres } from "../test/support/postgres.js";
import { autocannon, benchProfiles, mix, prepareAccounts, statusCounts, walletText, type AutocannonResult, type BenchAccount, type BenchProfile } from "./wallet-load.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    /** An existing PostgreSQL to use instead of a throwaway one; its tables are created when missing. */
    database: { type: "string" },
    /** Internal: run one of the servers in this process (a child of the benchmark). */
    serve: { type: "string" },
  },
});
const durationSeconds = Math.min(Math.max(Number(values.duration) || 5, 1), 60);
const connections = Math.min(Math.max(Number(values.connections) || 10, 1), 256);

const fixedBody = JSON.stringify({ version: 1, encryptedWallet: walletText, sequence: 2, hmac: "h" });

/** Runs in the child: the bare server, which prints its URL and stops when the parent closes its stdin. */
async function serveBare(): Promise<void> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(fixedBody) });
      response.end(fixedBody);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  process.stdin.resume();
  process.stdin.once("end", () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

/** Some processes serving one deployment, and how to stop them. */
interface Deployment {
  urls: string[];
  stop(): Promise<void>;
}

async function startBare(): Promise<Deployment> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve", "bare"], { stdio: ["pipe", "pipe", "inherit"] });
  const firstLine = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (typeof firstLine.value !== "string") throw new Error("the bare server did not start");
  return { urls: [firstLine.value], stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.stdin?.end();
  await exited;
}

const cli = fileURLToPath(new URL("../src/cli.js", import.meta.url));

/** `count` processes of the built wallet-sync-reference over one store. */
async function startReference(store: string, count: number, protocol: ProfileName = "seed"): Promise<Deployment> {
  const programs: RunningCli[] = [];
  const stop = async (): Promise<void> => void (await Promise.all(programs.map((program) => program.stop())));
  try {
    // One after the other, so that schema creation is not what is measured.
    for (let i = 0; i < count; i++) programs.push(await startCli(["--port", "0", "--store", store, "--protocol", protocol], { program: cli }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: programs.map((program) => program.url), stop };
}

/** `total` split as evenly as can be into `parts` whole numbers. */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

interface Measurement {
  name: string;
  processes: number;
  requestsPerSecond: number;
  p99: number;
  statuses: Map<string, number>;
  errors: number;
  timeouts: number;
  /** api3: the sockets held open during the measurement, and the frames they received. */
  sockets?: { open: number; frames: number };
}

/** One autocannon instance per process, all at once, each with its share of the connections and of the accounts. */
function load(deployment: Deployment, accounts: BenchAccount[], seconds: number, profile: BenchProfile): Promise<AutocannonResult[]> {
  const shares = split(connections, deployment.urls.length);
  let first = 0;
  return Promise.all(
    deployment.urls.flatMap((url, i) => {
      const share = shares[i]!;
      if (share === 0) return [];
      const mine = accounts.slice(first, (first += share));
      return [autocannon({ url, connections: share, duration: seconds, requests: mix(mine, profile) })];
    }),
  );
}

/** Fresh processes and database connections are several times slower for their first second or two. */
const warmUpSeconds = 2;

/** Open notification sockets, counting the frames they receive. */
interface Listeners {
  open: number;
  frames(): number;
  close(): void;
}

/** One socket per account on every process (api3), so that each stored version is announced on all of them. */
async function listenEverywhere(deployment: Deployment, accounts: BenchAccount[]): Promise<Listeners> {
  let frames = 0;
  const sockets = await Promise.all(
    deployment.urls.flatMap((url) =>
      accounts.map(async ({ token }) => {
        const socket = new WebSocket(`${url.replace(/^http/, "ws")}/api/3/websocket?token=${token}`);
        socket.on("message", () => frames++);
        socket.on("error", () => undefined);
        await once(socket, "open");
        return socket;
      }),
    ),
  );
  return { open: sockets.length, frames: () => frames, close: () => sockets.forEach((socket) => socket.terminate()) };
}

/** Requests/s are summed over the processes, and the p99 is the largest of theirs (no tail is hidden by another's). */
async function measure(name: string, deployment: Deployment, protocol: ProfileName = "seed"): Promise<Measurement> {
  const profile = benchProfiles[protocol];
  // One account per connection, so that POSTs mostly succeed and 409s stay the exception.
  const accounts = await prepareAccounts(deployment.urls[0]!, connections, profile);
  const listeners = protocol === "api3" ? await listenEverywhere(deployment, accounts) : undefined;
  await load(deployment, accounts, warmUpSeconds, profile);
  const framesBefore = listeners?.frames() ?? 0;
  const results = await load(deployment, accounts, durationSeconds, profile);
  const sockets = listeners && { open: listeners.open, frames: listeners.frames() - framesBefore };
  listeners?.close();
  const statuses = statusCounts(results);
  return {
    name,
    processes: deployment.urls.length,
    requestsPerSecond: results.reduce((sum, result) => sum + result.requests.average, 0),
    p99: Math.max(...results.map((result) => result.latency.p99)),
    statuses,
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
    ...(sockets ? { sockets } : {}),
  };
}

async function measureStarted(name: string, start: () => Promise<Deployment>, protocol: ProfileName = "seed"): Promise<Measurement> {
  const deployment = await start();
  try {
    return await measure(name, deployment, protocol);
  } finally {
    await deployment.stop();
  }
}

function printTable(measurements: Measurement[], baseline: Measurement): void {
  const columns = ["deployment".padEnd(24), "processes", "requests/s", "p99 (ms)", "req/s vs memory", "p99 vs memory"];
  console.log(columns.join("  "));
  for (const m of measurements) {
    const cells = [
      m.name.padEnd(24),
      String(m.processes).padStart(columns[1]!.length),
      m.requestsPerSecond.toFixed(0).padStart(columns[2]!.length),
      m.p99.toFixed(0).padStart(columns[3]!.length),
      (m.requestsPerSecond / baseline.requestsPerSecond).toFixed(2).padStart(columns[4]!.length),
      (baseline.p99 === 0 ? "-" : (m.p99 / baseline.p99).toFixed(2)).padStart(columns[5]!.length),
    ];
    console.log(cells.join("  "));
  }
}

function statusSummary(m: Measurement): string {
  const statuses = [...m.statuses].map(([status, count]) => `${status}: ${count}`).join(", ");
  const sockets = m.sockets ? `; ${m.sockets.open} sockets open, ${m.sockets.frames} frames received` : "";
  return `${m.name.padEnd(24)} ${statuses}; errors ${m.errors}, timeouts ${m.timeouts}${sockets}`;
}

async function main(): Promise<void> {
  let throwaway: ThrowawayPostgres | undefined;
  if (values.database === undefined) throwaway = await startPostgres();
  /** A fresh database per deployment, so that each starts from empty tables like the in-memory one. */
  const database = async (): Promise<string> => values.database ?? (await throwaway!.createDatabase());
  try {
    console.log(`GET/POST mix 3:1, ${connections} connections in all, ${durationSeconds} s per deployment, node ${process.version}`);
    console.log(`PostgreSQL: ${values.database === undefined ? `throwaway server on 127.0.0.1:${throwaway!.port} (fsync off)` : "--database"}`);
    console.log("servers in child processes (the built CLI); the load generator in this one, on the same machine");
    console.log(`${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at start; each deployment is warmed up for ${warmUpSeconds} s, not measured`);
    console.log("with several processes: one autocannon per process at once, each with its share of connections and accounts;");
    console.log("requests/s summed, p99 the largest of theirs\n");
    const measurements: Measurement[] = [];
    measurements.push(await measureStarted("bare node:http", startBare));
    const memory = await measureStarted("reference, memory", () => startReference("memory", 1));
    measurements.push(memory);
    for (const processes of [1, 2, 4]) {
      const url = await database();
      measurements.push(await measureStarted(`reference, postgres x${processes}`, () => startReference(url, processes)));
    }
    for (const processes of [1, 2]) {
      const url = await database();
      measurements.push(await measureStarted(`api3, postgres x${processes}`, () => startReference(url, processes, "api3"), "api3"));
    }
    printTable(measurements, memory);
    console.log("(autocannon records latencies in whole milliseconds)\n");
    for (const m of measurements) console.log(statusSummary(m));
    console.log("(a 409 is a POST that raced another connection's POST to the same account, as the protocol intends)");
    console.log("(api3: the same mix under /api/3, with one notification socket per account open on every process)");
  } finally {
    await throwaway?.destroy();
  }
}

if (values.serve === "bare") await serveBare();
else await main();
