// Expectations on one exchange: each mismatch becomes a finding that names
// the requirement, what was sent, what came back and what was expected.
import type { Exchange } from "../../client/protocol-client.js";
import { CheckAborted, SetupRefused, type CheckContext } from "../../model/context.js";
import { describeFailure, exchangeFinding } from "../../model/describe.js";

export interface StatusExpectation {
  /** The requirement a different answer breaks. */
  requirement: string;
  /** The statuses that satisfy it; "4xx" for any client error. */
  status: ExpectedStatus;
  /** The request in words, e.g. "a POST /wallet that skips sequence 2"; starts the finding's message. */
  doing: string;
  /** What the requirement expects, in words; defaults to the statuses. */
  expected?: string;
}

export type ExpectedStatus = number | readonly number[] | "4xx";

function matches(status: ExpectedStatus, actual: number): boolean {
  if (status === "4xx") return actual >= 400 && actual < 500;
  return typeof status === "number" ? actual === status : status.includes(actual);
}

function describeStatus(status: ExpectedStatus): string {
  if (status === "4xx") return "a 4xx";
  if (typeof status === "number") return String(status);
  return status.length === 1 ? String(status[0]) : `${status.slice(0, -1).join(", ")} or ${status.at(-1)}`;
}

function isRefusal(status: ExpectedStatus): boolean {
  if (status === "4xx") return true;
  return (typeof status === "number" ? [status] : status).every((s) => s >= 400 && s < 500);
}

/**
 * Reports a finding unless the exchange got one of the expected statuses, and
 * says whether it did. A timeout aborts the check: the server's state is
 * unknown from then on, and every further request would wait as long.
 */
export function expectStatus(ctx: CheckContext, exchange: Exchange, expectation: StatusExpectation): boolean {
  const actual = exchange.response?.status;
  if (actual !== undefined && matches(expectation.status, actual)) return true;
  const wanted = describeStatus(expectation.status);
  const expected = expectation.expected ?? wanted;
  let outcome: string;
  if (actual === undefined) outcome = exchange.failure ? describeFailure(exchange.failure, ctx.timeoutMs) : "no answer";
  else outcome = `answered ${actual}`;
  const note =
    isRefusal(expectation.status) && (actual === undefined || actual >= 500)
      ? " (a refused request is answered 4xx: never 5xx, never a dropped connection)"
      : "";
  ctx.report(exchangeFinding(exchange, {
    requirement: expectation.requirement,
    message: `${expectation.doing}: ${outcome}, expected ${wanted}${note}`,
    expected,
  }));
  if (exchange.failure?.kind === "timeout") throw new CheckAborted(outcome);
  return false;
}

/** Like expectStatus, but the check cannot go on without that answer. */
export function requireStatus(ctx: CheckContext, exchange: Exchange, expectation: StatusExpectation): void {
  if (!expectStatus(ctx, exchange, expectation)) throw new CheckAborted(`${expectation.doing} did not succeed`);
}

/**
 * Like requireStatus, for a set-up step other cases share (a signup, a login,
 * a first wallet): a refusal, a timeout included, blocks the case instead of
 * failing it; the case that owns the step fails.
 */
export function requireSetupStatus(ctx: CheckContext, exchange: Exchange, expectation: StatusExpectation): void {
  const refused = () => new SetupRefused(expectation.requirement, `${expectation.doing} did not succeed`);
  let succeeded: boolean;
  try {
    succeeded = expectStatus(ctx, exchange, expectation);
  } catch (thrown) {
    throw thrown instanceof CheckAborted ? refused() : thrown;
  }
  if (!succeeded) throw refused();
}

/** The body as a JSON object, or undefined. */
export function jsonObject(exchange: Exchange): Record<string, unknown> | undefined {
  const json = exchange.response?.json;
  return typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
}
