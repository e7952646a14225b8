// The run's coverage for reports: what the histories exercised, with the
// dimensions a run of this kind should reach and did not, and, per
// interleaving requirement, what the run must have done to exercise it at
// all. A requirement the run never exercised is reported as such, never as
// passed.
import type { ProfileName } from "../../../../spec/index.js";
import type { LongLivedCoverage, RunCoverage } from "../../model/result.js";
import type { LongLivedOutcome } from "../soak/long-lived-accounts.js";
import type { HistoryCoverage } from "../../history/coverage.js";
import type { HistoryRequirement } from "../../history/findings.js";
import type { PropertyOutcome } from "./observations.js";
import type { InterleavingSettings } from "./settings.js";
import { defaultTrafficProfile } from "../workload/traffic.js";
import { trafficOf } from "./traffic-rate.js";
import type { RestartableServer } from "../execution/crash-schedule.js";

/** What a default run reaches, and so what a run that did not is named for. */
export const coverageTargets = { maxSequence: 256, largestWallet: 65_537, peakContenders: 16 } as const;

export function runCoverage(outcome: PropertyOutcome, settings: InterleavingSettings, profile: ProfileName): RunCoverage {
  const c = outcome.coverage;
  const largestAccepted = outcome.walletProbe?.largestAcceptedBytes;
  const coverage: RunCoverage = {
    operations: c.operations,
    opsPerSecond: outcome.elapsedMs ? c.operations / (outcome.elapsedMs / 1000) : 0,
    accounts: c.accounts,
    maxSequence: c.maxSequence,
    largestWallet: c.largestWallet,
    ...(largestAccepted !== undefined ? { largestAcceptedWallet: largestAccepted } : {}),
    peakContenders: c.peakContenders,
    conflictsRebased: c.conflictsRebased,
    replacedTokenUses: c.replacedTokenUses,
    ...(profile === "api3"
      ? { passwordChanges: c.passwordChanges, passwordChangesRaced: c.passwordChangesRaced, socketsOpened: c.socketsOpened, notificationsHeard: c.notificationsHeard }
      : {}),
    ...(settings.faults ? { faults: c.faults } : {}),
    // Counted where they happened: a history holds every restart within its time, its final reads included, so histories would count some twice.
    ...(settings.restarts ? { restarts: restartsOf(settings.restarts.servers) } : {}),
    // A replayed workload does what it does: only generated runs are held to their profile's rate.
    ...(outcome.mode === "generated" ? { traffic: trafficOf(outcome.load, settings) } : {}),
    notReached: [],
    ...(outcome.longLived ? { longLived: longLivedCoverage(outcome.longLived) } : {}),
    ...(outcome.throughput ? { throughput: outcome.throughput } : {}),
  };
  // A replayed workload does what it does: only generated runs are held to targets.
  if (outcome.mode === "generated") coverage.notReached = gaps(c, settings, largestAccepted);
  return coverage;
}

function longLivedCoverage(longLived: LongLivedOutcome): LongLivedCoverage {
  return {
    accounts: longLived.accounts,
    devicesPerAccount: longLived.devicesPerAccount,
    newcomers: longLived.newcomers,
    operations: longLived.coverage.operations,
    maxSequence: longLived.coverage.maxSequence,
    windows: longLived.checker.cuts,
    peakRetainedOperations: longLived.checker.peakRetained,
    ...(longLived.stopped ? { stopped: longLived.stopped } : {}),
  };
}

function restartsOf(servers: readonly RestartableServer[]): number {
  return servers.reduce((sum, server) => sum + server.events.filter((event) => event.kind === "restart").length, 0);
}

function gaps(c: HistoryCoverage, settings: InterleavingSettings, largestAccepted: number | undefined): RunCoverage["notReached"] {
  const targets: Array<[string, number, number]> = [
    ["maxSequence", Math.min(coverageTargets.maxSequence, settings.depthCap ?? (settings.traffic ?? defaultTrafficProfile).depth.cap), c.maxSequence],
    ["largestWallet", Math.min(coverageTargets.largestWallet, largestAccepted ?? 0), c.largestWallet],
    ["peakContenders", coverageTargets.peakContenders, c.peakContenders],
    ["conflictsRebased", 1, c.conflictsRebased],
  ];
  return targets.filter(([, target, reached]) => reached < target).map(([dimension, target, reached]) => ({ dimension, target, reached }));
}

/** Why the run did not exercise `requirement`, or undefined when it did. */
export function notExercisedReason(requirement: HistoryRequirement | "LIN-7", c: HistoryCoverage): string | undefined {
  switch (requirement) {
    case "DUR-1":
    case "DUR-2":
      return c.restarts === 0 ? "the server never crashed in this run: give --server-cmd and --restarts N to kill and restart it" : undefined;
    case "LIN-2":
      return c.peakContenders < 2 ? "no two POSTs of one sequence were in flight at once" : undefined;
    case "TOKEN-2":
      return c.replacedTokenUses === 0 ? "no request carried a token that a later login had replaced" : undefined;
    case "PASS-1":
      return c.passwordChangesRaced === 0 ? "no acknowledged password change overlapped another write of its account" : undefined;
    case "PASS-2":
      return c.passwordChanges === 0 ? "no password change was acknowledged" : undefined;
    case "PASS-4":
      return c.passwordChangesWithoutWallet === 0 ? "no password change without a wallet was answered" : undefined;
    case "NOTIFY-2":
    case "NOTIFY-3":
      return c.socketsOpened === 0 ? "no notification socket was opened" : undefined;
    case "NOTIFY-4":
      return c.socketsOpened === 0 || c.passwordChanges === 0 ? "no password change was acknowledged while a socket was open" : undefined;
    default:
      return c.operations === 0 ? "no request was made" : undefined;
  }
}
