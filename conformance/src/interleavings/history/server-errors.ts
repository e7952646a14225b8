// LIN-7 (SHOULD): under concurrent load a server answers well-formed
// requests with 200, 401 or 409 (404 before the first wallet), not 5xx. A 5xx
// is counted and reported as a warning; the checks treat it as an answer that
// settles nothing.
import type { Warning } from "./findings.js";
import type { Operation } from "./history.js";

const examplesKept = 10;

export function countServerErrors(operations: readonly Operation[]): Warning[] {
  let count = 0;
  const byStatus: Record<string, number> = {};
  const examples: number[] = [];
  for (const op of operations) {
    const outcome = op.outcome;
    if (outcome.type !== "indeterminate" || outcome.cause !== "server-error") continue;
    count++;
    const status = String(outcome.status ?? "5xx");
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (examples.length < examplesKept) examples.push(op.id);
  }
  if (count === 0) return [];
  const statuses = Object.entries(byStatus)
    .map(([status, n]) => `${n} × ${status}`)
    .join(", ");
  return [
    {
      requirement: "LIN-7",
      level: "SHOULD",
      explanation: `${count} of ${operations.length} requests under concurrent load were answered with a server error (${statuses}).`,
      count,
      byStatus,
      operations: examples,
    },
  ];
}
