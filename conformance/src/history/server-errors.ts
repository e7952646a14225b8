// LIN-7 (SHOULD): under concurrent load a server answers well-formed
// requests with 200, 401 or 409 (404 before the first wallet), not 5xx. A 5xx
// is counted and reported as a warning; the checks treat it as an answer that
// settles nothing.
import type { Warning } from "./findings.js";
import type { Operation } from "./history.js";

const examplesKept = 10;

/** The request each kind of operation makes, to count server errors per endpoint and operation. */
const endpointOf: Record<Operation["kind"], string> = {
  signup: "POST /signup",
  auth: "POST /auth/full",
  get: "GET /wallet",
  post: "POST /wallet",
  password: "POST /password",
  socket: "the notification socket's upgrade",
};

/** "3 × 500, 1 × 503" or "POST /wallet 3, POST /password 1": a tally in words, largest first. */
export function describeTally(tally: Record<string, number>, form: (key: string, n: number) => string): string {
  return Object.entries(tally)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => form(key, n))
    .join(", ");
}

/** 5xx answers over many histories, per status and per endpoint, and the requests they were among. */
export interface ServerErrorTally {
  count: number;
  requests: number;
  byStatus: Record<string, number>;
  byEndpoint: Record<string, number>;
}

/** Adds the server errors of `requests` more requests (their LIN-7 warnings, or another tally) to the tally. */
export function tallyServerErrors(tally: ServerErrorTally, requests: number, warnings: ReadonlyArray<Pick<Warning, "count" | "byStatus" | "byEndpoint">>): void {
  tally.requests += requests;
  for (const warning of warnings) {
    tally.count += warning.count;
    for (const [status, n] of Object.entries(warning.byStatus)) tally.byStatus[status] = (tally.byStatus[status] ?? 0) + n;
    for (const [endpoint, n] of Object.entries(warning.byEndpoint)) tally.byEndpoint[endpoint] = (tally.byEndpoint[endpoint] ?? 0) + n;
  }
}

export function countServerErrors(operations: readonly Operation[]): Warning[] {
  let count = 0;
  const byStatus: Record<string, number> = {};
  const byEndpoint: Record<string, number> = {};
  const examples: number[] = [];
  for (const op of operations) {
    const outcome = op.outcome;
    if (outcome.type !== "indeterminate" || outcome.cause !== "server-error") continue;
    count++;
    const status = String(outcome.status ?? "5xx");
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    byEndpoint[endpointOf[op.kind]] = (byEndpoint[endpointOf[op.kind]] ?? 0) + 1;
    if (examples.length < examplesKept) examples.push(op.id);
  }
  if (count === 0) return [];
  const statuses = describeTally(byStatus, (status, n) => `${n} × ${status}`);
  const endpoints = describeTally(byEndpoint, (endpoint, n) => `${endpoint} ${n}`);
  return [
    {
      requirement: "LIN-7",
      level: "SHOULD",
      explanation: `${count} of ${operations.length} requests under concurrent load were answered with a server error (${statuses}; ${endpoints}).`,
      count,
      byStatus,
      byEndpoint,
      operations: examples,
    },
  ];
}
