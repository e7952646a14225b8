// A failed case run again alone: whether its failure needs other requests in
// flight. The verdict stays: a server that fails under concurrent requests
// fails; the findings say what to expect when repeating them by hand.
import type { Exchange } from "../client/protocol-client.js";
import type { AloneRuns, CheckResult } from "../model/result.js";

/** How many of `exchanges` were in flight while `exchange` was, itself included. */
export function inFlightDuring(exchange: Exchange, exchanges: readonly Exchange[]): number {
  return exchanges.filter((other) => other.startedAt < exchange.endedAt && other.endedAt > exchange.startedAt).length;
}

/** Gives each finding of `result` what the runs alone showed, with the load its own exchange met. */
export function withAloneRuns(
  result: CheckResult,
  runs: Pick<AloneRuns, "runs" | "passed">,
  runExchanges: readonly Exchange[],
): CheckResult {
  const findings = result.findings.map((finding) => {
    const exchange = finding.exchanges[0];
    const inFlight = exchange ? inFlightDuring(exchange, runExchanges) : 0;
    return { ...finding, alone: { ...runs, inFlight } };
  });
  return { ...result, findings };
}
