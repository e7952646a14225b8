// Interleaving failures in words, for findings: the operations a violation
// names, the shrunk workload, and the command lines that replay it.
import { defaultTimeoutMs } from "../../defaults.js";
import type { History, Operation, Outcome } from "../history/history.js";

/** The command as the package installs it. */
const command = "npx wallet-sync-conformance";

/** The slug of every interleaving case: "LIN-2/interleavings". */
export const interleavingSlug = "interleavings";

export interface ReplayTarget {
  url: string;
  timeoutMs: number;
  /** The requirements whose interleaving cases to select. */
  only: readonly string[];
}

/** "2 devices", "1 move". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Quotes a shell word only when it needs it. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:,=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function commandLine(target: ReplayTarget, rest: string[]): string {
  const timeout = target.timeoutMs === defaultTimeoutMs ? [] : ["--timeout", String(target.timeoutMs)];
  const only = target.only.map((requirement) => `${requirement}/${interleavingSlug}`).join(",");
  return [command, ...["--url", target.url, ...timeout, "--only", only, ...rest].map(shellWord)].join(" ");
}

/** Runs the saved workload again (the exact one), with `--replay FILE`. */
export function replayFileCommand(target: ReplayTarget, file: string): string {
  return commandLine(target, ["--replay", file]);
}

/** Generates the same workload again from fast-check's seed and path (and shrinks on from it). */
export function replaySeedCommand(target: ReplayTarget, seed: number, path: string): string {
  // A negative value after a space would read as a flag.
  return commandLine(target, [seed < 0 ? `--seed=${seed}` : "--seed", ...(seed < 0 ? [] : [String(seed)]), "--path", path]);
}

function outcomeText(op: Operation, outcome: Outcome): string {
  if (outcome.type === "indeterminate") {
    if (outcome.cause === "server-error") return `${outcome.status ?? "5xx"} (indeterminate)`;
    return outcome.cause === "timeout" ? "timed out (indeterminate)" : "lost connection (indeterminate)";
  }
  const wallet = outcome.wallet ? ` with version ${outcome.wallet.sequence}` : "";
  return op.kind === "post" && outcome.type === "ok" ? `${outcome.status}` : `${outcome.status}${wallet}`;
}

/** "#12 a0/d1 POST seq 3 (base 2, honest, token gen 1): 409 with version 4, t=10.2–14.8 ms" */
export function describeOperation(op: Operation, origin: number): string {
  const at = `t=${(op.invokedAt - origin).toFixed(1)}–${(op.completedAt - origin).toFixed(1)} ms`;
  const who = `#${op.id} ${op.account}/${op.client}`;
  const result = outcomeText(op, op.outcome);
  switch (op.kind) {
    case "post": {
      const { sequence, baseSequence, move } = op.request;
      return `${who} POST seq ${sequence} (base ${baseSequence}, ${move ?? "honest"}, token gen ${op.tokenGeneration}): ${result}, ${at}`;
    }
    case "get":
      return `${who} GET (token gen ${op.tokenGeneration}): ${result}, ${at}`;
    case "auth":
      return `${who} auth (token gen ${op.tokenGeneration}): ${result}, ${at}`;
    case "signup":
      return `${who} signup: ${result}, ${at}`;
  }
}

/** The operations with these ids, in words, in the order given. */
export function describeOperations(history: History, ids: readonly number[]): string[] {
  const byId = new Map(history.operations.map((op) => [op.id, op]));
  let origin = Number.POSITIVE_INFINITY;
  for (const op of history.operations) if (op.invokedAt < origin) origin = op.invokedAt;
  return ids.flatMap((id) => {
    const op = byId.get(id);
    return op ? [describeOperation(op, origin)] : [];
  });
}

/**
 * Lines as one finding field: the terminal report indents a field's first
 * line to its value column, so later lines get the same indentation.
 */
export function fieldLines(lines: readonly string[]): string {
  return lines.join(`\n${" ".repeat(12)}`);
}
