// A throwaway PostgreSQL server for tests and benchmarks, from Debian's
// postgresql package (/usr/lib/postgresql/VERSION/bin): its data directory
// and unix socket live in a temporary folder, it listens on a free port of
// 127.0.0.1 only, trusts every local connection, and is stopped and removed
// by destroy(). PostgreSQL refuses to run as root, so as root it runs as the
// `postgres` user that the package creates. No vitest here: the benchmark
// starts one too.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../../../conformance/test/support/ports.js";

const debianRoot = "/usr/lib/postgresql";
const superuser = "postgres";

interface OsUser {
  uid: number;
  gid: number;
}

export type PostgresAvailability =
  | { available: true; binDir: string; runAs: OsUser | undefined }
  | { available: false; reason: string };

/** Where the newest installed PostgreSQL's binaries are and whom to run them as, or why it cannot run here. */
export function findPostgres(): PostgresAvailability {
  const binDir = newestBinDir();
  if (!binDir) return { available: false, reason: `no PostgreSQL under ${debianRoot}: install Debian's postgresql package (apt-get install postgresql)` };
  if (process.getuid?.() !== 0) return { available: true, binDir, runAs: undefined };
  const runAs = osUser(superuser);
  if (!runAs) return { available: false, reason: `running as root and there is no '${superuser}' user to run PostgreSQL as (it refuses root); Debian's postgresql package creates it` };
  return { available: true, binDir, runAs };
}

function newestBinDir(): string | undefined {
  if (!existsSync(debianRoot)) return undefined;
  const versions = readdirSync(debianRoot)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(debianRoot, name, "bin", "pg_ctl")) && existsSync(join(debianRoot, name, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(debianRoot, versions[0], "bin");
}

function osUser(name: string): OsUser | undefined {
  const entry = spawnSync("getent", ["passwd", name], { encoding: "utf8" });
  const [, , uid, gid] = entry.status === 0 ? entry.stdout.trim().split(":") : [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

export interface ThrowawayPostgres {
  readonly host: string;
  readonly port: number;
  /** postgres://postgres@127.0.0.1:PORT/DATABASE */
  url(database?: string): string;
  /** A new, empty database; resolves to its URL. */
  createDatabase(): Promise<string>;
  /** Ends every connection to the database, as an administrator or a failover would. */
  terminateConnections(database: string): Promise<number>;
  /** Stops the server at once (connections are cut); the data stays for start(). */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port. */
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
}

export async function startPostgres(): Promise<ThrowawayPostgres> {
  const found = findPostgres();
  if (!found.available) throw new Error(found.reason);
  const { binDir, runAs } = found;
  const folder = await mkdtemp(join(tmpdir(), "wallet-sync-pg-"));
  const dataDir = join(folder, "data");
  const run = (command: string, args: string[]): Promise<void> => runTool(join(binDir, command), args, folder, runAs);
  try {
    if (runAs) await chown(folder, runAs.uid, runAs.gid);
    await run("initdb", ["-D", dataDir, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);
    // Settings of a disposable server: durability off for speed.
    await appendFile(
      join(dataDir, "postgresql.conf"),
      `\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${folder}'\nfsync = off\nfull_page_writes = off\n`,
    );
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }

  const logFile = join(folder, "server.log");
  const pgCtl = (args: string[]): Promise<void> => run("pg_ctl", ["-D", dataDir, ...args]);
  const startOn = async (port: number): Promise<void> => {
    await appendFile(join(dataDir, "postgresql.conf"), `port = ${port}\n`);
    await pgCtl(["-l", logFile, "-w", "-t", "30", "start"]).catch(async (error: Error) => {
      const log = await readFile(logFile, "utf8").catch(() => "");
      throw new Error(`${error.message}\n${log.split("\n").slice(-10).join("\n")}`);
    });
  };

  // Another program may take the free port between asking for it and listening on it: a few tries.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await startOn(port);
      break;
    } catch (error) {
      if (attempt === 3) {
        await rm(folder, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const host = "127.0.0.1";
  const url = (database = "postgres"): string => `postgres://${superuser}@${host}:${port}/${database}`;
  let databases = 0;
  let running = true;
  const stop = async (): Promise<void> => {
    if (!running) return;
    await pgCtl(["-m", "immediate", "-w", "stop"]);
    running = false;
  };
  return {
    host,
    port,
    url,
    async createDatabase() {
      const name = `test_${++databases}`;
      await asSuperuser(url(), (client) => client.query(`CREATE DATABASE ${name}`));
      return url(name);
    },
    async terminateConnections(database) {
      const result = await asSuperuser(url(), (client) =>
        client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]),
      );
      return result.rowCount ?? 0;
    },
    stop,
    async start() {
      if (running) return;
      await pgCtl(["-l", logFile, "-w", "-t", "30", "start"]);
      running = true;
    },
    async destroy() {
      try {
        await stop();
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}

async function asSuperuser<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs one of PostgreSQL's programs, as `runAs` when given; rejects with its output when it fails. */
function runTool(program: string, args: string[], cwd: string, runAs: OsUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, stdio: ["ignore", "pipe", "pipe"], ...(runAs ?? {}), env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`${program} ${args.join(" ")} exited ${code}: ${output.trim()}`))));
  });
}
