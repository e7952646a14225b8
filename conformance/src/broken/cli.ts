#!/usr/bin/env node
// Starts one broken server by name, for trying the suite by hand:
//   npm run broken-server -- accepts-skipped-sequence --port 8091
//   npm run broken-server -- --protocol api3 tokens-kept-after-password-change
// or one broken deployment of several nodes, one URL per node:
//   npm run broken-server -- --deployment per-node-token-tables --nodes 3
//   npm run broken-server -- --protocol api3 --deployment api3-cached-tokens --store postgres://...
import { parseArgs } from "node:util";
import { defaultProfile, isProfileName, profileNames, type ProfileName } from "../../../spec/profiles.js";
import { brokenDeployments, type BrokenDeployment } from "./deployments.js";
import { brokenServersByProfile, type BrokenServer } from "./servers.js";

const program = "broken-server";
const serverLines = (servers: Record<string, BrokenServer>): string =>
  Object.entries(servers)
    .map(([name, server]) => `  ${name.padEnd(36)}${server.defect} (breaks ${server.breaks.join(", ")})`)
    .join("\n");

const deploymentsOf = (protocol: ProfileName): Array<[string, BrokenDeployment]> =>
  Object.entries(brokenDeployments).filter(([, deployment]) => deployment.protocol === protocol);
const deploymentLines = (protocol: ProfileName): string =>
  deploymentsOf(protocol)
    .map(([name, deployment]) => `  ${name.padEnd(36)}${deployment.defect} (breaks ${deployment.breaks.join(", ")}${deployment.needsPostgres ? "; needs --store" : ""})`)
    .join("\n");

const usage = `Usage: ${program} NAME [--protocol ${profileNames.join("|")}] [--host HOST] [--port PORT] [--state FILE]
       ${program} --deployment NAME [--protocol ${profileNames.join("|")}] [--nodes N] [--host HOST] [--store postgres://...]
       ${program} --list [--protocol ${profileNames.join("|")}]

Starts the reference server with one deliberate defect and prints "listening on URL";
with --deployment, several nodes (3 by default) with one defect that no single node shows,
and one "listening on URL" line per node (give each to the suite with --url).

${serverLines(brokenServersByProfile.seed)}

Deployments (--deployment NAME):
${deploymentLines("seed")}

With --protocol api3 (paths under /api/3; give the suite --protocol api3 too):
${serverLines(brokenServersByProfile.api3)}

Deployments with --protocol api3 (--deployment NAME):
${deploymentLines("api3")}`;

function exitWith(message: string): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      protocol: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      deployment: { type: "string" },
      nodes: { type: "string" },
      store: { type: "string" },
      state: { type: "string" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
}
try {
  parsed = parse();
} catch (error) {
  exitWith(error instanceof Error ? (error.message.split(/\.\s/)[0] ?? error.message) : String(error));
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const protocol = values.protocol ?? defaultProfile;
if (!isProfileName(protocol)) exitWith(`--protocol must be one of ${profileNames.join(", ")}, got '${protocol}'`);
const brokenServers = brokenServersByProfile[protocol];
if (values.list) {
  const deployments = deploymentsOf(protocol).map(([name]) => name);
  process.stdout.write([...Object.keys(brokenServers), ...deployments].map((name) => `${name}\n`).join(""));
  process.exit(0);
}
/** Prints one "listening on URL" line per node and runs until SIGINT or SIGTERM. */
function serve(urls: readonly string[], close: () => Promise<void>): void {
  process.stdout.write(urls.map((url) => `listening on ${url}\n`).join(""));
  const stop = () => void close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

async function startDeployment(name: string): Promise<void> {
  if (positionals.length > 0 || values.port !== undefined) exitWith("--deployment takes no server name and no --port: its nodes listen on ports the OS picks");
  const deployment = brokenDeployments[name];
  if (!deployment) exitWith(`no broken deployment named '${name}' (see --list)`);
  if (deployment.protocol !== protocol) exitWith(`${name} serves the ${deployment.protocol} protocol: give --protocol ${deployment.protocol}`);
  const nodes = values.nodes === undefined ? 3 : /^\d+$/.test(values.nodes) ? Number(values.nodes) : Number.NaN;
  if (!(nodes >= 2 && nodes <= 8)) exitWith(`--nodes must be an integer from 2 to 8, got '${values.nodes}'`);
  if (deployment.needsPostgres && values.store === undefined) exitWith(`${name} keeps its state in PostgreSQL: give --store postgres://...`);
  try {
    const running = await deployment.start({ nodes, host: values.host ?? "127.0.0.1", ...(values.store !== undefined ? { databaseUrl: values.store } : {}) });
    serve(running.urls, running.close);
  } catch (error) {
    exitWith(`cannot start ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function startServer(): Promise<void> {
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) exitWith("give exactly one server name (see --help)");
  const server = brokenServers[name];
  if (!server) exitWith(`no broken ${protocol} server named '${name}' (see --list --protocol ${protocol})`);
  const port = values.port === undefined ? 0 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) exitWith(`--port must be an integer from 0 to 65535, got '${values.port}'`);
  const running = await server
    .start({ host: values.host ?? "127.0.0.1", port, ...(values.state !== undefined ? { stateFile: values.state } : {}) })
    .catch((error: unknown) => exitWith(error instanceof Error ? error.message : String(error)));
  serve([running.url], running.close);
}

await (values.deployment !== undefined ? startDeployment(values.deployment) : startServer());
