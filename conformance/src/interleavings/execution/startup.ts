// Why an execution never got going: no account created, or no device
// logged in. A valid signup or login that was refused is a failure of its
// own (SIGNUP-1, AUTH-1); one that was only ever lost, timed out or
// answered 5xx settles nothing, and is at most a warning (LIN-7): the suite
// makes no timing assumptions.
import type { Execution } from "./execute.js";
import type { Operation } from "../../history/history.js";

/** What a start failure may name, whichever interleaving case reports it. */
export const startupRequirements = ["SIGNUP-1", "AUTH-1", "LIN-7"] as const;

export interface StartFailure {
  /** True when the server refused (4xx) or garbled a valid request; false when answers were only lost or 5xx. */
  definite: boolean;
  requirement: (typeof startupRequirements)[number];
  message: string;
}

/** "401, 500, timeout": how requests of one kind were answered. */
function answers(operations: readonly Operation[]): string {
  const seen = new Set<string>();
  for (const op of operations) {
    const outcome = op.outcome;
    seen.add(outcome.type === "indeterminate" && outcome.cause !== "server-error" ? outcome.cause : String(outcome.status));
  }
  return [...seen].join(", ") || "none";
}

/** A refusal, or a success without what it should carry (a token): the server answered and it was wrong. */
function definitelyFailed(op: Operation): boolean {
  return op.outcome.type === "refused" || (op.kind === "auth" && op.outcome.type === "ok");
}

/** Why no device of the execution logged in, or undefined when one did. */
export function startFailure(execution: Execution): StartFailure | undefined {
  if (execution.devicesLoggedIn > 0) return undefined;
  const kind = execution.accountsCreated === 0 ? "signup" : "auth";
  const operations = execution.history.operations.filter((op) => op.kind === kind);
  const what = kind === "signup" ? "no account could be signed up (POST /signup answered" : "no device got a token (POST /auth/full answered";
  if (operations.some(definitelyFailed)) {
    return {
      definite: true,
      requirement: kind === "signup" ? "SIGNUP-1" : "AUTH-1",
      message: `the concurrent workload could not start: ${what} ${answers(operations)})`,
    };
  }
  return {
    definite: false,
    requirement: "LIN-7",
    message: `the concurrent workload could not start, so no history was checked: ${what} only ${answers(operations)}); a larger --timeout may help`,
  };
}
