#!/usr/bin/env node
// Starts one broken server by name, for trying the suite by hand:
//   npm run broken-server -- accepts-skipped-sequence --port 8091
import { parseArgs } from "node:util";
import { brokenServers } from "./servers.js";

const program = "broken-server";
const usage = `Usage: ${program} NAME [--host HOST] [--port PORT] [--state FILE]
       ${program} --list

Starts the reference server with one deliberate defect and prints "listening on URL".

${Object.entries(brokenServers)
  .map(([name, server]) => `  ${name.padEnd(36)}${server.defect} (breaks ${server.breaks.join(", ")})`)
  .join("\n")}`;

function exitWith(message: string): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      host: { type: "string" },
      port: { type: "string" },
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
if (values.list) {
  process.stdout.write(Object.keys(brokenServers).map((name) => `${name}\n`).join(""));
  process.exit(0);
}
const [name, ...extra] = positionals;
if (name === undefined || extra.length > 0) exitWith("give exactly one server name (see --help)");
const server = brokenServers[name];
if (!server) exitWith(`no broken server named '${name}' (see --list)`);
const port = values.port === undefined ? 0 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
if (!(port >= 0 && port <= 65535)) exitWith(`--port must be an integer from 0 to 65535, got '${values.port}'`);

const running = await server.start({ host: values.host ?? "127.0.0.1", port, ...(values.state !== undefined ? { stateFile: values.state } : {}) }).catch(
  (error: unknown) => exitWith(error instanceof Error ? error.message : String(error)),
);
process.stdout.write(`listening on ${running.url}\n`);
const stop = () => void running.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
