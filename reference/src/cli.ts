#!/usr/bin/env node
// wallet-sync-reference: runs the reference server until SIGTERM or SIGINT.
import { parseCliOptions, usage, UsageError, type CliOptions } from "./cli-options.js";
import { errorText } from "./error-text.js";
import { StoreOpenError } from "./store/postgres-store.js";
import { startReferenceServer, type ReferenceServer } from "./http/server.js";

const program = "wallet-sync-reference";

function readOptions(): CliOptions | undefined {
  try {
    return parseCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${program}: ${error.message} (see --help)\n`);
    process.exitCode = 2;
    return undefined;
  }
}

function stopOnSignals(server: ReferenceServer): void {
  let stopping = false;
  const stop = (): void => {
    // A second signal while stopping means: do not wait any longer.
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

async function main(): Promise<void> {
  const options = readOptions();
  if (!options) return;
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  let server: ReferenceServer;
  try {
    const databaseUrl = options.store.kind === "postgres" ? options.store.url : undefined;
    server = await startReferenceServer({ protocol: options.protocol, host: options.host, port: options.port, databaseUrl });
  } catch (error) {
    // A database that cannot be used is a mistake in the command line, like a bad flag.
    if (error instanceof StoreOpenError) {
      process.stderr.write(`${program}: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${program}: cannot listen on ${options.host}:${options.port}: ${errorText(error)}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`listening on ${server.url}\n`);
  stopOnSignals(server);
}

await main();
