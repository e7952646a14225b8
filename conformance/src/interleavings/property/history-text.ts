// Plain-text descriptions of history operations and violations, shared by
// the findings of the interleaving cases, the HTML timeline (tooltips, the
// list of contradictions) and JUnit text.
import type { WalletVersion } from "../../../../spec/index.js";
import { Narrator, type Violation } from "../../history/findings.js";
import type { History, Operation, Outcome, SocketOperation } from "../../history/history.js";
import type { InterleavingEvidence, ReplayAttempts } from "../../model/result.js";

/** Wallet contents are opaque and can be long; their end shows the latest changes of an append log. */
const contentTail = 40;

export function wallet(version: WalletVersion): string {
  const content = version.encryptedWallet;
  const shown = content.length > contentTail ? `…${content.slice(-contentTail)}` : content;
  return `sequence ${version.sequence} "${shown}"`;
}

/** "200 with sequence 4 "…"", "409 carrying sequence 7 "…"", "timed out", "answered 503". */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.type === "indeterminate") {
    if (outcome.cause === "timeout") return "timed out";
    if (outcome.cause === "connection") return "lost its connection";
    return `answered ${outcome.status ?? "5xx"}`;
  }
  const unreadable = outcome.unreadableWallet ? " with an unreadable wallet" : "";
  if (!outcome.wallet) return `${outcome.status}${unreadable}`;
  return `${outcome.status} ${outcome.type === "ok" ? "with" : "carrying"} ${wallet(outcome.wallet)}`;
}

/**
 * What the request asked for: "POST sequence 5 on base 4 (skip-ahead) with
 * token 1", "GET with token 2", "password change p0 → p1 with sequence 3 on
 * base 2, ending d0's token 1", "socket with token 1".
 */
export function describeRequestOf(operation: Operation): string {
  switch (operation.kind) {
    case "signup":
      return "signup";
    case "auth":
      return `auth for token ${operation.tokenGeneration}${operation.password !== undefined ? ` with password ${operation.password}` : ""}`;
    case "get":
      return `GET with token ${operation.tokenGeneration}`;
    case "post": {
      const { sequence, baseSequence, move } = operation.request;
      const moved = move && move !== "honest" ? ` (${move})` : "";
      return `POST sequence ${sequence} on base ${baseSequence}${moved} with token ${operation.tokenGeneration}`;
    }
    case "password": {
      const wallet = operation.request
        ? `with sequence ${operation.request.sequence} on base ${operation.request.baseSequence}`
        : "without a wallet";
      const tokens = operation.endsTokens.map((token) => `${token.client}'s token ${token.tokenGeneration}`);
      const ending = tokens.length > 0 ? `, ending ${tokens.join(", ")}` : "";
      return `password change ${operation.oldPassword} → ${operation.newPassword} ${wallet}${ending}`;
    }
    case "socket":
      return `socket with token ${operation.tokenGeneration}`;
  }
}

/** Frames listed per socket at most; the rest are counted. */
const framesShown = 6;

/** "; frames wallet-update:2 at t=…, …; closed by the server at t=…": what an open socket went through. */
export function describeSocketLife(socket: SocketOperation, narrator: Narrator): string {
  if (socket.outcome.type !== "ok") return "";
  const frames = socket.frames.slice(0, framesShown).map((frame) => `${JSON.stringify(frame.text)} at ${narrator.at(frame.at)}`);
  const more = socket.frames.length - frames.length + (socket.framesDropped ?? 0);
  const received = frames.length > 0 ? `received ${frames.join(", ")}${more > 0 ? ` and ${more} more` : ""}` : "received no frame";
  const closed = socket.closed;
  const end = !closed
    ? "its end is not recorded"
    : closed.by === "client"
      ? `still open when the client closed it at ${narrator.at(closed.at)}`
      : closed.by === "server"
        ? `closed by the server${closed.code !== undefined ? ` (${closed.code})` : ""} at ${narrator.at(closed.at)}`
        : `its connection dropped at ${narrator.at(closed.at)}`;
  return `; ${received}; ${end}`;
}

/** Times are relative to the start of the history, as the checker's explanations give them. */
export function narratorFor(history: History): Narrator {
  let origin = Number.POSITIVE_INFINITY;
  for (const op of history.operations) if (op.invokedAt < origin) origin = op.invokedAt;
  return new Narrator(Number.isFinite(origin) ? origin : 0);
}

/** "#17 account a1, client B (on n2 in a deployment): POST sequence 5 on base 4 with token 1 → 409 carrying sequence 5 "…"; sent t=…, done t=…" */
export function describeOperation(operation: Operation, narrator: Narrator): string {
  const node = operation.node !== undefined ? ` on ${operation.node}` : "";
  const who = `#${operation.id} account ${operation.account}, client ${operation.client}${node}`;
  const when = `sent ${narrator.at(operation.invokedAt)}, done ${narrator.at(operation.completedAt)}`;
  const fault = operation.fault !== undefined ? ` [injected fault: ${operation.fault}]` : "";
  const life = operation.kind === "socket" ? describeSocketLife(operation, narrator) : "";
  return `${who}: ${describeRequestOf(operation)}${fault} → ${describeOutcome(operation.outcome)}; ${when}${life}`;
}

/**
 * Describes operations of one history by id, in the order given; an id the
 * history does not have says so. The index and the time origin are made once.
 */
export function operationDescriber(history: History): (ids: readonly number[]) => string[] {
  const narrator = narratorFor(history);
  const byId = new Map(history.operations.map((op) => [op.id, op]));
  return (ids) =>
    ids.map((id) => {
      const operation = byId.get(id);
      return operation ? describeOperation(operation, narrator) : `#${id} (not in the history)`;
    });
}

/** "LIN-2 (also SEQ-6), account a1: explanation" */
export function describeViolation(violation: Violation): string {
  const related = violation.related && violation.related.length > 0 ? ` (also ${violation.related.join(", ")})` : "";
  return `${violation.requirement}${related}, account ${violation.account}: ${violation.explanation}`;
}

/** The facts needed to run the same workload again or to check the saved history again. */
/** "reproduced on attempt 3 of up to 5 …": what to expect from running a race's counterexample again. */
export function describeReplayAttempts({ made, allowed, reproduced }: ReplayAttempts): string {
  if (!reproduced) return `not reproduced in ${made} replay attempt${made === 1 ? "" : "s"}`;
  if (made === 1) return `reproduced on the first of up to ${allowed} replay attempts`;
  return `reproduced within ${made} of up to ${allowed} replay attempts: the race does not come back every time, a replay may need several`;
}

export function describeReplay(evidence: InterleavingEvidence): string {
  const parts = [`${evidence.history.operations.length} operations`];
  if (evidence.runs !== undefined) parts.push(`${evidence.runs} run${evidence.runs === 1 ? "" : "s"}`);
  if (evidence.replayAttempts !== undefined) parts.push(describeReplayAttempts(evidence.replayAttempts));
  if (evidence.seed !== undefined) parts.push(`seed ${evidence.seed}`);
  if (evidence.path !== undefined) parts.push(`history saved to ${evidence.path}`);
  return parts.join(", ");
}

/**
 * Every violation with the operations it names, one per line, at most
 * `limit` violations (the HTML report draws them; text only lists them).
 */
export function describeEvidence(evidence: InterleavingEvidence, limit = 20): string[] {
  const describeOperations = operationDescriber(evidence.history);
  const lines = [`history: ${describeReplay(evidence)}`];
  for (const violation of evidence.violations.slice(0, limit)) {
    lines.push(describeViolation(violation), ...describeOperations(violation.operations).map((line) => `    ${line}`));
  }
  if (evidence.violations.length > limit) lines.push(`… and ${evidence.violations.length - limit} more violations`);
  const counterexample = evidence.counterexample;
  if (counterexample) {
    lines.push("workload:", ...counterexample.workload.map((line) => `    ${line}`));
    if (counterexample.replayCommands.length > 0) lines.push("run it again:", ...counterexample.replayCommands.map((c) => `    ${c}`));
  }
  return lines;
}
