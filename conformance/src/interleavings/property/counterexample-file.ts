// The file a failing interleaving property leaves behind: the workload that
// failed (to execute it again with --replay), the seed and fast-check path
// that generate it, and the recorded history with its violations (to check
// or draw it again without a server).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { defaultProfile, isProfileName, type ProfileName } from "../../../../spec/index.js";
import type { Violation } from "../../history/findings.js";
import { historyFormat, isReadableHistoryFormat, type History } from "../../history/history.js";
import { parseWorkload, type Workload } from "../workload/workload.js";
import type { ShrinkSummary, WorkloadSize } from "../../model/result.js";

export const counterexampleFormat = "wallet-sync-counterexample/1";

export interface Counterexample {
  format: typeof counterexampleFormat;
  createdAt: string;
  /** The server the workload failed against (the first node of a deployment). */
  target: string;
  /** The profile the server was checked in; absent: seed. */
  profile?: ProfileName;
  /** Every node of the deployment it failed against, when it had several; the workload's routes name them by index. */
  nodes?: string[];
  /** The requirements the recorded history breaks; the one it was shrunk for first, which a replay waits for. */
  requirements: string[];
  /** The fast-check seed of the run that found it; the path only when seed and path generate this very workload (not a shrunk one). */
  seed?: number;
  path?: string;
  workload: Workload;
  /** How many accounts, devices and moves the workload has. */
  size?: WorkloadSize;
  /** For the final counterexample of a run: how shrinking reached it. */
  shrink?: ShrinkSummary;
  history: History;
  violations: Violation[];
  /** Command lines that run it again. */
  replayCommands: string[];
}

export function defaultCounterexampleDir(): string {
  return join(tmpdir(), "wallet-sync-conformance");
}

/** Where the counterexample of an execution named `name` is saved in `dir`. */
export function counterexampleFile(name: string, dir = defaultCounterexampleDir()): string {
  return join(dir, `counterexample-${name.replace(/[^A-Za-z0-9._-]/g, "-")}.json`);
}

export async function saveCounterexample(counterexample: Counterexample, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(counterexample, null, 2)}\n`);
}

/** Reads a counterexample file; throws an Error with a one-line message when it cannot be used. */
export async function loadCounterexample(file: string): Promise<Counterexample> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Error((error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((error as Error).message));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("not JSON");
  }
  const fields = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  if (fields["format"] !== counterexampleFormat) throw new Error(`not a counterexample file (format is not "${counterexampleFormat}")`);
  const profile = typeof fields["profile"] === "string" && isProfileName(fields["profile"]) ? fields["profile"] : defaultProfile;
  const workload = parseWorkload(fields["workload"], "workload", profile);
  const history = fields["history"] as Partial<History> | undefined;
  const seed = fields["seed"];
  const nodes = fields["nodes"];
  const path = fields["path"];
  return {
    format: counterexampleFormat,
    createdAt: typeof fields["createdAt"] === "string" ? fields["createdAt"] : "",
    target: typeof fields["target"] === "string" ? fields["target"] : "",
    ...(profile !== defaultProfile ? { profile } : {}),
    requirements: Array.isArray(fields["requirements"]) ? fields["requirements"].filter((r) => typeof r === "string") : [],
    ...(Array.isArray(nodes) && nodes.every((url) => typeof url === "string") ? { nodes: nodes as string[] } : {}),
    ...(typeof seed === "number" && Number.isInteger(seed) ? { seed } : {}),
    ...(typeof path === "string" ? { path } : {}),
    workload,
    // Only the workload is needed to replay; the saved history is kept for reference.
    history: isReadableHistoryFormat(history?.format) ? (history as History) : { format: historyFormat, contentModel: "append-log", operations: [] },
    violations: Array.isArray(fields["violations"]) ? (fields["violations"] as Violation[]) : [],
    replayCommands: Array.isArray(fields["replayCommands"]) ? fields["replayCommands"].filter((c) => typeof c === "string") : [],
  };
}
