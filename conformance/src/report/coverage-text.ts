// What the randomized workloads exercised, in words: one line of what they
// reached, one of what they did not, one of their traffic against its
// profile's minimal rate. The terminal and HTML reports print the same lines.
import type { RunCoverage } from "../model/result.js";

const number = (n: number): string => n.toLocaleString("en-US");

/** "Exercised: 5,120 operations (830/s), 92 accounts, deepest version 301, …" */
export function exercisedLine(coverage: RunCoverage): string {
  const parts = [
    `${number(coverage.operations)} operations (${number(Math.round(coverage.opsPerSecond))}/s)`,
    `${number(coverage.accounts)} accounts`,
    `deepest version ${number(coverage.maxSequence)}`,
    `largest wallet read back whole ${number(coverage.largestWallet)} bytes` +
      (coverage.largestAcceptedWallet !== undefined ? ` (the server accepted ${number(coverage.largestAcceptedWallet)})` : ""),
    `${number(coverage.peakContenders)} POSTs of one sequence at once`,
    `${number(coverage.conflictsRebased)} conflicts rebased`,
    `${number(coverage.replacedTokenUses)} uses of replaced tokens`,
  ];
  if (coverage.passwordChanges !== undefined) {
    parts.push(`${number(coverage.passwordChanges)} password changes (${number(coverage.passwordChangesRaced ?? 0)} raced a write)`);
  }
  if (coverage.socketsOpened !== undefined) parts.push(`${number(coverage.socketsOpened)} sockets heard ${number(coverage.notificationsHeard ?? 0)} notifications`);
  if (coverage.faults !== undefined) parts.push(`${number(coverage.faults)} faults injected`);
  if (coverage.restarts !== undefined) parts.push(`${number(coverage.restarts)} restarts`);
  return `Exercised: ${parts.join(", ")}`;
}

/** "Not reached: maxSequence 256 (reached 40), …"; undefined when every dimension was reached. */
export function notReachedLine(coverage: RunCoverage): string | undefined {
  if (coverage.notReached.length === 0) return undefined;
  return `Not reached: ${coverage.notReached.map((gap) => `${gap.dimension} ${number(gap.target)} (reached ${number(gap.reached)})`).join(", ")}`;
}

/**
 * "Traffic: the contention profile, 412 checked operations/s while the
 * workloads ran (minimal 100/s; --rate capped them at 500 requests/s)";
 * undefined when a saved workload was replayed.
 */
export function trafficLine(coverage: RunCoverage): string | undefined {
  const traffic = coverage.traffic;
  if (!traffic) return undefined;
  const minimal = traffic.minimalRate > 0 ? `minimal ${number(traffic.minimalRate)}/s` : "no minimal rate";
  const cap = traffic.cap !== undefined ? `; --rate capped them at ${number(traffic.cap)} requests/s` : "";
  const below = traffic.trusted ? "" : ": below it, NOT TRUSTED";
  return `Traffic: the ${traffic.profile} profile, ${number(Math.round(traffic.rate))} checked operations/s while the workloads ran (${minimal}${cap})${below}`;
}

/**
 * "Long-lived: 4 accounts of 4 devices and 312 newcomers, 41,200 operations, deepest version
 * 6,310, checked online in 512 windows (at most 2,140 operations held)";
 * undefined when the run was no soak.
 */
export function longLivedLine(coverage: RunCoverage): string | undefined {
  const longLived = coverage.longLived;
  if (!longLived) return undefined;
  const stopped = {
    violation: "; stopped at the first violation",
    timeouts: "; stopped: the server let requests time out",
    interrupted: "; stopped by the interruption",
  }[longLived.stopped ?? "violation"];
  return (
    `Long-lived: ${number(longLived.accounts)} accounts of ${number(longLived.devicesPerAccount)} devices and ${number(longLived.newcomers)} newcomers, ${number(longLived.operations)} operations, ` +
    `deepest version ${number(longLived.maxSequence)}, checked online in ${number(longLived.windows)} windows ` +
    `(at most ${number(longLived.peakRetainedOperations)} operations held)${longLived.stopped ? stopped : ""}`
  );
}

/**
 * "Workers: 2 processes at once, each with its own accounts: 1 seed 11,
 * 2,310 operations (75/s); 2 seed 12, 2,204 operations (72/s)"; undefined
 * without --workers.
 */
export function workersLine(coverage: RunCoverage): string | undefined {
  const workers = coverage.workers;
  if (!workers) return undefined;
  const each = workers.map((worker, index) => `${index + 1} seed ${worker.seed}, ${number(worker.operations)} operations (${number(Math.round(worker.opsPerSecond))}/s)`);
  return `Workers: ${workers.length} processes at once, each with its own accounts: ${each.join("; ")}`;
}

export function coverageLines(coverage: RunCoverage | undefined): string[] {
  if (!coverage) return [];
  return [exercisedLine(coverage), longLivedLine(coverage), notReachedLine(coverage), trafficLine(coverage), workersLine(coverage)].filter((line): line is string => line !== undefined);
}
