#!/usr/bin/env node
// wallet-sync-reference: runs the reference server until SIGTERM or SIGINT.
import { parseCliOptions, usage, UsageError, type CliOptions } from "./cli-options.js";
import { startReferenceServer, type ReferenceServer } from "./server.js";

const program = "wallet-sync-reference";

function readOptions(): CliOptions | undefined {
  try {
    return parseCliOptions(process.argv.slice(2));
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
    server = await startReferenceServer({ host: options.host, port: options.port });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${program}: cannot listen on ${options.host}:${options.port}: ${reason}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`listening on ${server.url}\n`);
  stopOnSignals(server);
}

await main();
