// The load the randomized workloads put on the server, judged against their
// traffic profile's minimal rate. The rate counts what the executions
// recorded and checked, over the time they ran: the probe for the largest
// wallet, the final reads and their settle period are left out, so that a
// short run is judged by its traffic, not by its waits.
import type { RunCoverage } from "../../model/result.js";
import type { InterleavingSettings } from "./settings.js";
import { defaultTrafficProfile } from "../workload/traffic.js";

export interface TrafficLoad {
  /** Operations the executions recorded, before their final reads. */
  operations: number;
  /** The time the executions took, added up. */
  elapsedMs: number;
}

export function addLoad(load: TrafficLoad, execution: { history: { operations: readonly unknown[] }; durationMs: number }): TrafficLoad {
  return { operations: load.operations + execution.history.operations.length, elapsedMs: load.elapsedMs + execution.durationMs };
}

/**
 * The load with a soak's long-lived accounts' operations: they ran beside the
 * workloads, which ran one after another, so the time is the longer of the two.
 */
export function withLongLivedLoad(load: TrafficLoad, operations: number, elapsedMs: number): TrafficLoad {
  return { operations: load.operations + operations, elapsedMs: Math.max(load.elapsedMs, elapsedMs) };
}

/** Checked operations per second; 0 before anything ran. */
export function rateOf(load: TrafficLoad): number {
  return load.elapsedMs > 0 ? (load.operations / load.elapsedMs) * 1000 : 0;
}

/** The run's traffic for reports: its profile, the rate reached, and whether that is enough to trust the result. */
export function trafficOf(load: TrafficLoad, settings: InterleavingSettings): NonNullable<RunCoverage["traffic"]> {
  const profile = settings.traffic ?? defaultTrafficProfile;
  const rate = rateOf(load);
  return {
    profile: profile.name,
    rate,
    minimalRate: profile.minimalRate,
    ...(settings.rate !== undefined ? { cap: settings.rate } : {}),
    trusted: rate >= profile.minimalRate,
  };
}

/** Why the run's result is not trusted, in one sentence; undefined when its traffic was enough (or none was judged). */
export function notTrustedReason(traffic: RunCoverage["traffic"]): string | undefined {
  if (!traffic || traffic.trusted) return undefined;
  const cap = traffic.cap !== undefined ? ` (--rate capped them at ${traffic.cap} requests per second)` : "";
  return (
    `the randomized workloads ran at ${Math.round(traffic.rate).toLocaleString("en-US")} checked operations per second${cap}, ` +
    `below the ${traffic.profile} traffic profile's minimal rate of ${traffic.minimalRate.toLocaleString("en-US")}: a pass at that load says little`
  );
}
