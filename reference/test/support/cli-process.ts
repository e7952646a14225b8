// The built wallet-sync-reference program as a child process: started,
// waited for until it prints where it listens, and stopped with SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const builtCli = fileURLToPath(new URL("../../../dist/reference/src/cli.js", import.meta.url));

export interface RunningCli {
  /** From its first line, "listening on URL". */
  url: string;
  child: ChildProcess;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** SIGTERM; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export interface CliStart {
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the "listening on" line. Default 20 s. */
  timeoutMs?: number;
  /** The compiled cli.js; defaults to the one `npm run build` writes (from compiled code, pass your own). */
  program?: string;
}

/** Starts the program and waits for its "listening on" line; rejects with its stderr if it exits first. */
export async function startCli(args: string[], { env = process.env, timeoutMs = 20_000, program = builtCli }: CliStart = {}): Promise<RunningCli> {
  // npm test builds first; a bare vitest run needs `npm run build`.
  if (!existsSync(program)) throw new Error(`${program} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [program, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const firstLine = createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    firstLine.then(({ value }) => ({ line: String(value ?? "") })),
    exited.then((code) => ({ exit: code })),
    new Promise<{ timeout: true }>((resolve) => (timer = setTimeout(() => resolve({ timeout: true }), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!("line" in outcome) || !outcome.line.startsWith("listening on ")) {
    child.kill("SIGKILL");
    throw new Error(`wallet-sync-reference ${args.join(" ")} did not start: ${JSON.stringify(outcome)} ${stderr.trim()}`);
  }
  return {
    url: outcome.line.slice("listening on ".length),
    child,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
