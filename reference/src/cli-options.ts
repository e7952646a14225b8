// Command-line flags of wallet-sync-reference, parsed without side effects.
import { parseArgs } from "node:util";

export interface CliOptions {
  host: string;
  port: number;
  help: boolean;
}

export const defaultCliHost = "127.0.0.1";
export const defaultCliPort = 8090;

export const usage = `Usage: wallet-sync-reference [--host HOST] [--port PORT]

Runs the in-memory wallet-sync reference server (all state is lost on exit).

  --host HOST   address to listen on (default ${defaultCliHost})
  --port PORT   port to listen on, 0 lets the OS pick one (default ${defaultCliPort})
  -h, --help    print this help

Prints "listening on http://HOST:PORT" once it accepts requests; stops on SIGTERM or SIGINT.`;

/** A mistake in the command line; the message is one line. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function parseCliOptions(argv: readonly string[]): CliOptions {
  let values: { host?: string; port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: "string" },
        port: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node's messages go on with advice over several sentences; the first says it all.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split(/\.\s/)[0] ?? message);
  }
  return { host: parseHost(values.host), port: parsePort(values.port), help: values.help ?? false };
}

function parseHost(value: string | undefined): string {
  if (value === undefined) return defaultCliHost;
  if (value.trim() === "" || /\s/.test(value)) throw new UsageError(`--host must be an address, got '${value}'`);
  return value;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return defaultCliPort;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be an integer from 0 to 65535, got '${value}'`);
  return port;
}
