// Command-line flags of wallet-sync-reference, parsed without side effects.
import { parseArgs } from "node:util";
import { defaultProfile, isProfileName, profileNames, type ProfileName } from "../../spec/profiles.js";
import { isPostgresUrl, redactPassword } from "./store/database-url.js";
import { scryptCostByDefault } from "./store/passwords.js";

/** Where the server keeps its state: in memory (lost on exit) or in a PostgreSQL database. */
export type StoreChoice = { kind: "memory" } | { kind: "postgres"; url: string };

export interface CliOptions {
  protocol: ProfileName;
  host: string;
  port: number;
  store: StoreChoice;
  help: boolean;
}

export const defaultCliHost = "127.0.0.1";
export const defaultCliPort = 8090;

export const usage = `Usage: wallet-sync-reference [--protocol seed|api3] [--host HOST] [--port PORT] [--store memory|postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE]

Runs the wallet-sync reference server.

  --protocol P   the protocol served: "${defaultProfile}" (the default; the walkthrough's, no
                 path prefix) or "api3" (the original's releases: paths under /api/3,
                 salt seeds, password changes, WebSocket notifications; over PostgreSQL
                 every process tells its sockets of every process's writes)
  --host HOST    address to listen on (default ${defaultCliHost})
  --port PORT    port to listen on, 0 lets the OS pick one (default ${defaultCliPort})
  --store STORE  where the state is kept: "memory" (the default; lost on exit), or a
                 PostgreSQL database given by its URL, whose tables are created when
                 missing; several processes over one database form one deployment.
                 Without --store, the DATABASE_URL environment variable is used if set.
  -h, --help     print this help

WALLET_SYNC_SCRYPT_COST=N (a power of two) lowers the password hash's cost from
16384, for test runs only: hashing at the real cost is most of their CPU.

Prints "listening on http://HOST:PORT" once it accepts requests; stops on SIGTERM or SIGINT.
Exits 2 on a bad flag or when the database cannot be used.`;

/** A mistake in the command line; the message is one line. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `env` is read for DATABASE_URL, and WALLET_SYNC_SCRYPT_COST is checked (the store reads it). */
export function parseCliOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): CliOptions {
  let values: { protocol?: string; host?: string; port?: string; store?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        protocol: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        store: { type: "string" },
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
  const protocol = parseProtocol(values.protocol);
  const storeSource = values.store !== undefined ? "--store" : "DATABASE_URL";
  const store = parseStore(values.store ?? (env["DATABASE_URL"] || "memory"), storeSource);
  try {
    scryptCostByDefault(env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return { protocol, host: parseHost(values.host), port: parsePort(values.port), store, help: values.help ?? false };
}

function parseProtocol(value: string | undefined): ProfileName {
  if (value === undefined) return defaultProfile;
  if (!isProfileName(value)) throw new UsageError(`--protocol must be one of ${profileNames.join(", ")}, got '${value}'`);
  return value;
}

function parseStore(value: string, source: string): StoreChoice {
  if (value === "memory") return { kind: "memory" };
  if (isPostgresUrl(value)) return { kind: "postgres", url: value };
  throw new UsageError(`${source} must be 'memory' or a postgres:// URL, got '${redactPassword(value)}'`);
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
