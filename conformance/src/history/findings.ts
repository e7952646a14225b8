// What the history checker reports: violations of MUST requirements, each
// with the few operations that contradict each other, and SHOULD-level
// warnings. Also the wording helpers, so every explanation names clients,
// sequences and times the same way.
import type { Millis, Operation, WriteOperation } from "./history.js";

/** The requirements a history check can find broken. */
export type HistoryRequirement = (typeof historyRequirements)[number];

export const historyRequirements = [
  "LIN-1",
  "LIN-2",
  "LIN-3",
  "LIN-4",
  "LIN-5",
  "LIN-6",
  "TOKEN-1",
  "TOKEN-2",
  "DUR-1",
  "DUR-2",
  "PASS-1",
  "PASS-2",
  "PASS-4",
  "NOTIFY-2",
  "NOTIFY-3",
  "NOTIFY-4",
] as const;

export interface Violation {
  requirement: HistoryRequirement;
  /** Other requirements the same contradiction breaks (SEQ-6 beside LIN-2, for example). */
  related?: string[];
  account: string;
  /** One or two sentences naming clients, sequences and times. */
  explanation: string;
  /** Ids of the operations that contradict each other, the subject first. */
  operations: number[];
}

/** A SHOULD-level finding: reported, not a violation. */
export interface Warning {
  requirement: "LIN-7";
  level: "SHOULD";
  explanation: string;
  count: number;
  byStatus: Record<string, number>;
  /** The same errors per endpoint and operation ("POST /wallet"). */
  byEndpoint: Record<string, number>;
  /** A few of the operations concerned. */
  operations: number[];
}

/**
 * Keeps violations, at most `keepPerRequirement` of each requirement (a
 * badly broken server can contradict itself a million times), and counts all.
 */
export class ViolationLog {
  readonly kept: Violation[] = [];
  readonly counts: Partial<Record<HistoryRequirement, number>> = {};

  constructor(private readonly keepPerRequirement: number) {}

  add(violation: Violation): void {
    const count = (this.counts[violation.requirement] ?? 0) + 1;
    this.counts[violation.requirement] = count;
    if (count <= this.keepPerRequirement) this.kept.push(violation);
  }
}

const verbs: Record<Operation["kind"], string> = {
  signup: "signup",
  auth: "auth",
  get: "GET",
  post: "POST",
  password: "password change",
  socket: "socket",
};

/** Words for operations and times, relative to the start of the history. */
export class Narrator {
  constructor(private readonly origin: Millis) {}

  /** "t=12.3 ms" */
  at(time: Millis): string {
    return `t=${(time - this.origin).toFixed(1)} ms`;
  }

  /** "client B's GET #17", "client B's GET #17 on n2" in a deployment */
  op(operation: Operation): string {
    return `${this.named(operation)}${onNode(operation)}`;
  }

  /** "client B's POST #17 of sequence 5", "client B's password change #18 of sequence 6", "... of sequence 5 on n2" */
  post(post: WriteOperation): string {
    return `${this.named(post)} of sequence ${post.request.sequence}${onNode(post)}`;
  }

  private named(operation: Operation): string {
    return `client ${operation.client}'s ${verbs[operation.kind]} #${operation.id}`;
  }

  /** How a request ended: "accepted at t=..", "refused (409) at t=..", "timed out at t=..". */
  postFate(post: Operation): string {
    const outcome = post.outcome;
    if (outcome.type === "ok") return `accepted at ${this.at(post.completedAt)}`;
    if (outcome.type === "refused") return `refused (${outcome.status}) at ${this.at(post.completedAt)}`;
    if (outcome.cause === "server-error") return `answered ${outcome.status ?? "5xx"} at ${this.at(post.completedAt)}`;
    return `${outcome.cause === "timeout" ? "timed out" : "lost its connection"} at ${this.at(post.completedAt)}`;
  }
}

function onNode(operation: Operation): string {
  return operation.node !== undefined ? ` on ${operation.node}` : "";
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
