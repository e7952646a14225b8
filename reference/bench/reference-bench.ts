// Throughput and p99 latency of the reference server under a GET/POST mix,
// side by side with a bare node:http server answering a fixed JSON body under
// the same load, to show what the protocol's work costs over node itself.
// Each server runs in a child process of its own, so that the load generator
// does not share a thread with it.
// Run: npm run bench:reference [-- --duration 5 --connections 10]
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startReferenceServer } from "../src/server.js";

// autocannon ships no types; these are the parts used here.
interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  total: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    /** Internal: run one of the servers in this process (a child of the benchmark). */
    serve: { type: "string" },
  },
});
const durationSeconds = Math.min(Math.max(Number(values.duration) || 5, 1), 60);
const connections = Math.min(Math.max(Number(values.connections) || 10, 1), 256);

/** One account per connection, so that POSTs mostly succeed and 409s stay the exception. */
interface BenchAccount {
  token: string;
  sequence: number;
}

async function prepareAccounts(url: string, count: number): Promise<BenchAccount[]> {
  const accounts: BenchAccount[] = [];
  for (let i = 0; i < count; i++) {
    const email = `bench${i}@example.com`;
    await postJson(url, "/signup", { email, password: "bench-password" });
    const auth = (await postJson(url, "/auth/full", { email, password: "bench-password", deviceId: "bench" })) as { token: string };
    await postJson(url, "/wallet", { version: 1, token: auth.token, encryptedWallet: "-", sequence: 1, hmac: "h" });
    accounts.push({ token: auth.token, sequence: 1 });
  }
  return accounts;
}

async function postJson(url: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) });
  return response.json();
}

const walletText = `-${":a1b2".repeat(50)}`;

/** Three GETs to one POST; each request picks the next account and the POST carries its next sequence. */
function mix(accounts: BenchAccount[]): AutocannonRequest[] {
  let next = 0;
  const pick = (context: Record<string, unknown>): BenchAccount => {
    const account = accounts[next++ % accounts.length]!;
    context["account"] = account;
    return account;
  };
  const get: AutocannonRequest = {
    method: "GET",
    setupRequest: (request, context) => ({ ...request, path: `/wallet?token=${pick(context).token}` }),
  };
  const post: AutocannonRequest = {
    method: "POST",
    path: "/wallet",
    setupRequest: (request, context) => {
      const account = pick(context);
      const body = { version: 1, token: account.token, encryptedWallet: walletText, sequence: account.sequence + 1, hmac: "h" };
      return { ...request, body: JSON.stringify(body) };
    },
    onResponse: (status, body, context) => {
      // 200 and 409 both carry the stored wallet: the account's next POST builds on it.
      const account = context["account"] as BenchAccount | undefined;
      if (account && (status === 200 || status === 409)) account.sequence = (JSON.parse(body) as { sequence: number }).sequence;
    },
  };
  return [get, get, get, post];
}

const fixedBody = JSON.stringify({ version: 1, encryptedWallet: walletText, sequence: 2, hmac: "h" });

/** Runs in the child: starts the named server, prints its URL, and stops when told or when the parent goes. */
async function serve(kind: string): Promise<void> {
  let url: string;
  let close: () => Promise<void>;
  if (kind === "reference") {
    const reference = await startReferenceServer({ port: 0 });
    ({ url, close } = reference);
  } else {
    const server = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(fixedBody) });
        response.end(fixedBody);
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      server.closeAllConnections();
      server.close();
    };
  }
  process.stdout.write(`${url}\n`);
  process.stdin.resume();
  process.stdin.once("end", () => void close().then(() => process.exit(0)));
}

/** Starts a server in a child process; resolves with its URL and a way to stop it. */
async function startChild(kind: "reference" | "bare"): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve", kind], { stdio: ["pipe", "pipe", "inherit"] });
  const firstLine = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (typeof firstLine.value !== "string") throw new Error(`the ${kind} server did not start`);
  return { url: firstLine.value, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.stdin?.end();
  await exited;
}

function statusSummary(result: AutocannonResult): string {
  return Object.entries(result.statusCodeStats)
    .map(([status, { count }]) => `${status}: ${count}`)
    .join(", ");
}

async function main(): Promise<void> {
  const reference = await startChild("reference");
  const bare = await startChild("bare");
  try {
    const accounts = await prepareAccounts(reference.url, connections);
    console.log(`GET/POST mix 3:1, ${connections} connections, ${durationSeconds} s per server, node ${process.version}`);
    console.log("each server in its own process; the load generator in this one\n");
    const referenceResult = await autocannon({ url: reference.url, connections, duration: durationSeconds, requests: mix(accounts) });
    const bareAccounts = accounts.map((account) => ({ ...account }));
    const bareResult = await autocannon({ url: bare.url, connections, duration: durationSeconds, requests: mix(bareAccounts) });

    const rows: Array<[string, number, number, number]> = [
      ["requests/s (mean)", referenceResult.requests.average, bareResult.requests.average, 0],
      ["latency mean (ms)", referenceResult.latency.average, bareResult.latency.average, 2],
      ["latency p99 (ms)", referenceResult.latency.p99, bareResult.latency.p99, 2],
    ];
    console.log(`${"".padEnd(20)}${"reference".padStart(12)}${"bare node".padStart(12)}${"ratio".padStart(8)}`);
    for (const [name, ours, theirs, digits] of rows) {
      const ratio = theirs === 0 ? "-" : (ours / theirs).toFixed(2);
      console.log(`${name.padEnd(20)}${ours.toFixed(digits).padStart(12)}${theirs.toFixed(digits).padStart(12)}${ratio.padStart(8)}`);
    }
    console.log("(autocannon records latencies in whole milliseconds)");
    console.log(`\nreference statuses: ${statusSummary(referenceResult)}; errors ${referenceResult.errors}, timeouts ${referenceResult.timeouts}`);
    console.log(`bare statuses:      ${statusSummary(bareResult)}; errors ${bareResult.errors}, timeouts ${bareResult.timeouts}`);
    console.log("(a 409 is a POST that raced another connection's POST to the same account, as the protocol intends)");
  } finally {
    await Promise.all([stopChild(reference.child), stopChild(bare.child)]);
  }
}

if (values.serve) await serve(values.serve);
else await main();
