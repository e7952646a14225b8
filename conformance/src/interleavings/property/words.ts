// Interleaving failures in words, for findings: counts, finding fields and
// the command lines that replay a workload.
import { defaultProfile, type ProfileName } from "../../../../spec/index.js";
import { redacted } from "../../client/connection.js";
import { defaultTimeoutMs } from "../../defaults.js";
import { defaultTrafficProfile, type TrafficProfile } from "../workload/traffic.js";

/** The command as the package installs it. */
const command = "npx wallet-sync-conformance";

/** The slug of every interleaving case: "LIN-2/interleavings". */
export const interleavingSlug = "interleavings";

export interface ReplayTarget {
  /** The server, or every node of a deployment in order. */
  urls: readonly string[];
  timeoutMs: number;
  /** The requirements whose interleaving cases to select. */
  only: readonly string[];
  /** Workloads with faults (--faults): the same seed generates the same faults only with it. */
  faults?: boolean;
  /** The profile (--protocol): the same seed generates the same moves only in it. */
  profile?: ProfileName;
  /** --traffic: the same seed generates the same workloads only in the same profile; the default one when absent. */
  traffic?: TrafficProfile;
  /** --depth: the same seed generates the same depths only with it. */
  depthCap?: number;
  /** --server-cmd: the commands that started the server or each node (the suite stops them at its end, so a replay starts them again). */
  serverCommands?: readonly string[];
  /** Whether the one server's URL is what its command printed: then --url is left out, the command prints it again. */
  urlPrinted?: boolean;
  /** --restarts: the same seed generates the same node restarts (and one server crashes) only with it. */
  restarts?: number;
  /** --ca, --insecure and the names of the --header lines (their values are never shown): what it takes to reach the server again. */
  connection?: { caFile?: string; insecure?: boolean; headerNames?: readonly string[] };
}

export { count } from "../workload/workload.js";

/** Quotes a shell word only when it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:,=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function commandLine(target: ReplayTarget, rest: string[]): string {
  const timeout = target.timeoutMs === defaultTimeoutMs ? [] : ["--timeout", String(target.timeoutMs)];
  const only = target.only.map((requirement) => `${requirement}/${interleavingSlug}`).join(",");
  const faults = target.faults ? ["--faults"] : [];
  const protocol = target.profile !== undefined && target.profile !== defaultProfile ? ["--protocol", target.profile] : [];
  const traffic = target.traffic ?? defaultTrafficProfile;
  const trafficFlag = traffic !== defaultTrafficProfile ? ["--traffic", traffic.name] : [];
  const depth = target.depthCap !== undefined && target.depthCap !== traffic.depth.cap ? ["--depth", String(target.depthCap)] : [];
  const restarts = target.restarts ? ["--restarts", String(target.restarts)] : [];
  return [command, ...[...servers(target), ...protocol, ...reach(target), ...timeout, ...faults, ...restarts, ...trafficFlag, ...depth, "--only", only, ...rest].map(shellWord)].join(" ");
}

/** The TLS trust and headers the run reached the server with; a header's value is left for the reader to fill in, as in the curl lines. */
function reach({ connection }: ReplayTarget): string[] {
  if (!connection) return [];
  return [
    ...(connection.caFile !== undefined ? ["--ca", connection.caFile] : []),
    ...(connection.insecure ? ["--insecure"] : []),
    ...(connection.headerNames ?? []).flatMap((name) => ["--header", `${name}: ${redacted}`]),
  ];
}

/** Every --url, each with the --server-cmd that starts it when the suite started it. */
function servers(target: ReplayTarget): string[] {
  const commands = target.serverCommands ?? [];
  if (target.urlPrinted) return commands.flatMap((serverCommand) => ["--server-cmd", serverCommand]);
  return target.urls.flatMap((url, index) => ["--url", url, ...(commands[index] !== undefined ? ["--server-cmd", commands[index]] : [])]);
}

/** Runs the saved workload again (the exact one), with `--replay FILE`. */
export function replayFileCommand(target: ReplayTarget, file: string): string {
  return commandLine(target, ["--replay", file]);
}

/** Generates the same workload again from fast-check's seed and path (and shrinks it again). */
export function replaySeedCommand(target: ReplayTarget, seed: number, path: string): string {
  // A negative value after a space would read as a flag.
  return commandLine(target, [seed < 0 ? `--seed=${seed}` : "--seed", ...(seed < 0 ? [] : [String(seed)]), "--path", path]);
}

/**
 * Lines as one finding field: the terminal report indents a field's first
 * line to its value column, so later lines get the same indentation.
 */
export function fieldLines(lines: readonly string[]): string {
  return lines.join(`\n${" ".repeat(12)}`);
}
