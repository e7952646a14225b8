// The server under test as a process the suite starts itself (--server-cmd),
// so that it can kill it (SIGKILL, as a crash does) and start it again with
// the same command (--restarts). The command runs in a shell, in a process
// group of its own, so a kill reaches whatever the shell started.
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServerEvent } from "../history/history.js";

/** How long a start may take until the URL answers. */
const startTimeoutMs = 30_000;
/** Pause between attempts to connect while the server starts. */
const pollMs = 50;
/** The end of the command's stderr kept for messages. */
const keptOutput = 2_000;

export class ServerStartError extends Error {
  override name = "ServerStartError";
}

export class ServerProcess {
  /** Crashes and restarts, on performance.now()'s clock, as histories record them. */
  readonly events: ServerEvent[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = "";
  /** Whether the URL is the one the command printed (then a restart must print the same). */
  private readonly urlPrinted: boolean;

  private constructor(
    private readonly command: string,
    /** The URL the suite talks to; the first start fixes it when --url was not given. */
    public url: string | undefined,
  ) {
    this.urlPrinted = url === undefined;
  }

  /** Starts the command and waits until its URL accepts connections; throws ServerStartError with one line. */
  static async start(command: string, url?: string): Promise<ServerProcess> {
    const server = new ServerProcess(command, url);
    await server.launch();
    return server;
  }

  /** Kills the server with SIGKILL, as a machine or OOM killer does, and waits until it is gone. */
  async crash(): Promise<void> {
    this.signal("SIGKILL");
    await this.exited;
    this.events.push({ kind: "crash", at: performance.now() });
  }

  /** Starts the command again and waits until the same URL answers. */
  async restart(): Promise<void> {
    await this.launch();
    this.events.push({ kind: "restart", at: performance.now() });
  }

  /** Stops the server at the end of the run: SIGTERM, then SIGKILL after a moment. */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.signal("SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(2_000).then(() => false)]);
    if (!stopped) {
      this.signal("SIGKILL");
      await this.exited;
    }
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  private async launch(): Promise<void> {
    this.output = "";
    const child = spawn(this.command, { shell: true, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const killOnExit = () => this.signal("SIGKILL");
    process.once("exit", killOnExit);
    let exitedEarly: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        exitedEarly = signal ? `was killed by ${signal}` : `exited with status ${code}`;
        process.removeListener("exit", killOnExit);
        resolve();
      });
      child.once("error", (error) => {
        exitedEarly = `could not be run: ${error.message}`;
        resolve();
      });
    });
    let printedUrl: string | undefined;
    let stdoutTail = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      if (printedUrl !== undefined) return;
      stdoutTail = (stdoutTail + chunk.toString("utf8")).slice(-keptOutput);
      printedUrl = /https?:\/\/[^\s"'<>]+/.exec(stdoutTail)?.[0]?.replace(/\/+$/, "");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-keptOutput);
    });
    const deadline = performance.now() + startTimeoutMs;
    for (;;) {
      if (exitedEarly !== undefined) throw new ServerStartError(`--server-cmd '${this.command}' ${exitedEarly} before it answered${this.lastLine()}`);
      if (performance.now() > deadline) {
        this.signal("SIGKILL");
        throw new ServerStartError(`--server-cmd '${this.command}' did not answer within ${startTimeoutMs / 1000} s${this.url ? ` at ${this.url}` : " (and printed no http:// URL)"}`);
      }
      const url = this.url ?? printedUrl;
      if (this.urlPrinted && this.url !== undefined && printedUrl !== undefined && printedUrl !== this.url) {
        this.signal("SIGKILL");
        throw new ServerStartError(`--server-cmd '${this.command}' restarted at ${printedUrl}, not ${this.url}: give it a fixed port`);
      }
      if (url !== undefined && (await accepts(url))) {
        this.url = url;
        return;
      }
      await sleep(pollMs);
    }
  }

  private lastLine(): string {
    const line = this.output.trim().split("\n").at(-1)?.trim();
    return line ? `: ${line}` : "";
  }
}

/** Whether the URL's host and port accept a TCP connection. */
function accepts(url: string): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || (protocol === "https:" ? 443 : 80)) });
    socket.setTimeout(1_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
