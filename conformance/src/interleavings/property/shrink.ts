// Shrinking a failing workload with what the checker knows. The violation
// names its account and the operations that contradict each other, so the
// workload is first cut to that account (two where the requirement is about
// two, as TOKEN-1) and to the devices those operations came from; then its
// devices start together without pauses, if it still fails so; then moves
// go by delta debugging, depths by binary search, and bursts, wallets,
// pauses and hostile moves are made plainer one by one (a deep history
// first of all: it costs every candidate). Races reproduce only sometimes, so
// each candidate gets a few executions and is kept when the same
// requirement fails in two of them: a candidate kept on one lucky
// execution makes a counterexample that seldom fails when replayed.
// Everything stops when the time is up.
import { performance } from "node:perf_hooks";
import { defaultDepthCap, shrinkAttempts, shrinkFailuresNeeded } from "../../defaults.js";
import type { Execution } from "../execution/execute.js";
import type { HistoryRequirement } from "../../history/findings.js";
import { accountLabel, deviceLabel, sharedIdSlots, type AccountScript, type DeviceScript, type FaultyMove, type NodeRestart, type Workload } from "../workload/workload.js";

/** How the domain shrinker reached the counterexample. */
export interface DomainShrink {
  /** Whether cutting to the violating accounts and devices kept the failure. */
  projected: boolean;
  /** Devices or moves dropped by delta debugging, one kept candidate a step. */
  deltaDebuggingSteps: number;
  /** Depths, bursts, wallets, pauses and hostile moves made plainer, one kept candidate a step. */
  simplifyingSteps: number;
  /** Candidates executed, kept or not. */
  candidates: number;
  /** Whether the time ran out before every candidate was tried. */
  cut: boolean;
  elapsedMs: number;
}

export interface ShrinkTarget {
  /** The failing execution to shrink. */
  failure: Execution;
  requirement: HistoryRequirement;
  /** performance.now() past which no candidate, nor a further execution of one, is started. */
  deadline: number;
  /** Executes a workload once; the execution, if it broke `requirement`. */
  breaks(workload: Workload): Promise<Execution | undefined>;
}

export interface ShrinkResult {
  shrink: DomainShrink;
  /** An execution of the smallest workload kept that broke the requirement (the failure itself when none was kept). */
  counterexample: Execution;
}

class OutOfTime extends Error {}

export async function shrinkWithChecker(target: ShrinkTarget): Promise<ShrinkResult> {
  const started = performance.now();
  const stats: DomainShrink = { projected: false, deltaDebuggingSteps: 0, simplifyingSteps: 0, candidates: 0, cut: false, elapsedMs: 0 };
  let current = target.failure.workload;
  /** The execution of `current` that broke the requirement: what its violation names guides the next steps. */
  let failing = target.failure;
  let lastFailing = failing;
  /** Candidates that did not fail often enough, so that a simplification tried again skips them. */
  const passed = new Set<string>();
  const fails = async (candidate: Workload): Promise<boolean> => {
    const key = JSON.stringify(candidate);
    if (passed.has(key)) return false;
    if (performance.now() > target.deadline) throw new OutOfTime();
    stats.candidates++;
    const execution = await failsOften(target, candidate);
    if (execution === undefined) passed.add(key);
    else lastFailing = execution;
    return execution !== undefined;
  };
  const adopt = (candidate: Workload): void => {
    current = candidate;
    failing = lastFailing;
  };
  /** Keeps the candidate when it still fails. */
  const keeps = async (candidate: Workload | undefined): Promise<boolean> => {
    if (candidate === undefined || JSON.stringify(candidate) === JSON.stringify(current) || !(await fails(candidate))) return false;
    adopt(candidate);
    return true;
  };
  try {
    stats.projected = await projectToViolation(target, keeps);
    // Devices that start together and never pause, in one candidate before the cuts: a race then rests on the
    // requests each device sends, not on offsets of a few milliseconds, which a loaded machine's latencies swamp.
    // Kept, every later candidate inherits it; dropping moves also shifts the ones after them, so pauses kept
    // until the end could leave a race that depends on them alone.
    if (await keeps(withoutWaits(current))) stats.simplifyingSteps++;
    // Every account's advance costs each later candidate its POSTs: one candidate without any comes first.
    if (current.accounts.some((account) => (account.depth ?? 0) > 0) && !isDeep(current)) {
      if (await keeps({ ...current, accounts: current.accounts.map((account) => ({ ...account, depth: 0 })) })) stats.simplifyingSteps++;
    }
    // A deep history costs every candidate its whole advance: cut it first, so that the other steps get time.
    // Its bursts go to two contenders first, one candidate each: the smallest race reads best, and there may be no time later.
    if (isDeep(current)) {
      for (let a = 0; a < current.accounts.length; a++) {
        const account = current.accounts[a]!;
        if ((account.burst ?? 0) > 2 && (await keeps(withAccount(current, a, { ...account, burst: 2 })))) stats.simplifyingSteps++;
      }
      await shrinkDepths();
    }
    // Moves next: dropping them all is often the biggest cut, and it makes every later candidate quicker.
    for (const of of ["moves", "restarts", "accounts", "devices"] as const) await deltaDebug(current, of);
    await shrinkDepths();
    for (const simplify of simplifications) {
      // Each kept candidate makes new ones (a bisection goes on from it); those that passed are skipped.
      while (await someKept(simplify(current, burstsNamed(failing, target.requirement)))) stats.simplifyingSteps++;
    }
  } catch (error) {
    if (!(error instanceof OutOfTime)) throw error;
    stats.cut = true;
  }
  stats.elapsedMs = performance.now() - started;
  return { shrink: stats, counterexample: failing };

  async function someKept(candidates: Array<Workload | undefined>): Promise<boolean> {
    for (const candidate of candidates) if (await keeps(candidate)) return true;
    return false;
  }

  /** Each account's depth, by binary search (shallowestFailing). */
  async function shrinkDepths(): Promise<void> {
    for (let a = 0; a < current.accounts.length; a++) {
      await shallowestFailing(current.accounts[a]!.depth ?? 0, async (depth) => {
        const kept = await keeps(withAccount(current, a, { ...current.accounts[a]!, depth }));
        if (kept) stats.simplifyingSteps++;
        return kept;
      });
    }
  }

  /** Drops accounts, devices, moves or node restarts while the workload still fails; each drop kept becomes the current workload at once, in case time runs out. */
  async function deltaDebug(workload: Workload, of: keyof typeof partsOf): Promise<void> {
    const { count, cut } = partsOf[of](workload);
    await ddmin([...Array(count).keys()], async (subset) => {
      const candidate = cut(subset);
      const failed = candidate !== undefined && (await fails(candidate));
      if (failed) {
        adopt(candidate);
        stats.deltaDebuggingSteps++;
      }
      return failed;
    });
  }
}

/**
 * Executes the candidate up to shrinkAttempts times, until it has broken the
 * requirement shrinkFailuresNeeded times (its last such execution) or no
 * longer can; past the deadline no further execution is started, and a
 * candidate not yet confirmed is not kept.
 */
async function failsOften(target: ShrinkTarget, candidate: Workload): Promise<Execution | undefined> {
  let failures = 0;
  for (let attempt = 0; attempt < shrinkAttempts && shrinkAttempts - attempt >= shrinkFailuresNeeded - failures; attempt++) {
    if (attempt > 0 && performance.now() > target.deadline) return undefined;
    const execution = await target.breaks(candidate);
    if (execution !== undefined && ++failures >= shrinkFailuresNeeded) return execution;
  }
  return undefined;
}

/** Whether some account is advanced past the default depth cap: then each execution of the workload is long, and shrinking it needs time of its own. */
export function isDeep(workload: Workload): boolean {
  return workload.accounts.some((account) => (account.depth ?? 0) > defaultDepthCap);
}

/**
 * The accounts (by index) whose violation of the requirement names POSTs of
 * their burst: with fewer than two contenders that violation cannot come
 * again, so a burst of none is not worth a candidate (each costs a few
 * executions when it passes).
 */
function burstsNamed(failure: Execution, requirement: HistoryRequirement): ReadonlySet<number> {
  const violation = failure.check.violations.find((v) => v.requirement === requirement);
  if (!violation) return new Set();
  const ids = new Set(violation.operations);
  const labels = new Set(failure.history.operations.filter((op) => ids.has(op.id) && op.kind === "post" && op.request.move === "burst").map((op) => op.account));
  return new Set(failure.workload.accounts.flatMap((_, a) => (labels.has(accountLabel(a)) ? [a] : [])));
}

/** Device indexes kept per account index; accounts absent are dropped. */
type Projection = Map<number, number[]>;

/** What the first violation of the requirement names (the one the report leads with): per account, the devices its operations came from. */
function violated(failure: Execution, requirement: HistoryRequirement): Projection {
  const byId = new Map(failure.history.operations.map((op) => [op.id, op]));
  const labels = new Map<string, Set<string>>();
  const violation = failure.check.violations.find((v) => v.requirement === requirement);
  if (!violation) return new Map();
  labels.set(violation.account, new Set());
  for (const id of violation.operations) {
    const op = byId.get(id);
    if (op) labels.set(op.account, (labels.get(op.account) ?? new Set()).add(op.client));
  }
  const projection: Projection = new Map();
  failure.workload.accounts.forEach((account, a) => {
    const named = labels.get(accountLabel(a));
    if (named) projection.set(a, devicesNamed(account, named));
  });
  return projection;
}

/** The indexes of the devices named, with device 0 when it advances the account; at least one. */
function devicesNamed(account: AccountScript, labels: Set<string>): number[] {
  const kept = account.devices.flatMap((_, d) => (labels.has(deviceLabel(d)) || (d === 0 && advances(account)) ? [d] : []));
  return kept.length > 0 ? kept : [0];
}

function advances(account: AccountScript): boolean {
  return (account.depth ?? 0) > 0 || (account.burst ?? 0) > 0;
}

/** The projection with every device of another account that shares a deviceId with a device kept: the only way accounts meddle with each other. */
function withSharingPartners(workload: Workload, projection: Projection): Projection {
  const slots = sharedIdSlots(workload);
  const keptSlots = new Set([...projection].flatMap(([a, devices]) => devices.flatMap((d) => slots[a]?.get(d) ?? [])));
  const widened: Projection = new Map();
  slots.forEach((accountSlots, a) => {
    const devices = new Set(projection.get(a));
    for (const [d, slot] of accountSlots) if (keptSlots.has(slot)) devices.add(d);
    if (devices.size > 0) widened.set(a, [...devices].sort((x, y) => x - y));
  });
  return widened;
}

/** The projection with one more device per account (a contender for a race), where there is one. */
function withContender(workload: Workload, projection: Projection): Projection {
  return new Map(
    [...projection].map(([a, devices]) => {
      const other = workload.accounts[a]!.devices.findIndex((_, d) => !devices.includes(d));
      return [a, other < 0 ? devices : [...devices, other].sort((x, y) => x - y)];
    }),
  );
}

function projected(workload: Workload, projection: Projection): Workload {
  return { ...workload, accounts: [...projection].sort(([x], [y]) => x - y).map(([a, devices]) => withOnly(workload.accounts[a]!, devices)) };
}

/**
 * Cuts the workload to the violating accounts and their named devices,
 * trying them without moves first (races of first POSTs need none); if that
 * no longer fails, the devices sharing their deviceIds, one contender more,
 * then the accounts whole.
 */
async function projectToViolation(target: ShrinkTarget, keeps: (candidate: Workload | undefined) => Promise<boolean>): Promise<boolean> {
  const { workload } = target.failure;
  const named = violated(target.failure, target.requirement);
  if (named.size === 0) return false;
  const whole: Projection = new Map([...named.keys()].map((a) => [a, workload.accounts[a]!.devices.map((_, d) => d)]));
  const candidates = [
    withoutMoves(projected(workload, named)),
    projected(workload, named),
    projected(workload, withSharingPartners(workload, named)),
    projected(workload, withContender(workload, named)),
    projected(workload, whole),
  ];
  for (const candidate of candidates) if (await keeps(candidate)) return true;
  return false;
}

/** Every device starting at 0 ms and making its moves without pauses. */
function withoutWaits(workload: Workload): Workload {
  return mapDevices(workload, (device) => ({ ...device, startMs: 0, moves: device.moves.map((move) => ({ ...move, pauseMs: 0 })) }));
}

function withoutMoves(workload: Workload): Workload {
  return mapDevices(workload, (device) => ({ ...device, moves: [] }));
}

function withOnly(account: AccountScript, devices: number[]): AccountScript {
  return { ...account, devices: devices.map((d) => account.devices[d]!) };
}

type DeviceRef = readonly [account: number, device: number];
type MoveRef = readonly [account: number, device: number, move: number];

/** What delta debugging drops from a workload, as indexes, and the workload with only some of them kept (undefined: no workload). */
interface Parts {
  count: number;
  cut(kept: readonly number[]): Workload | undefined;
}

function partsOfList<T>(parts: readonly T[], cut: (kept: T[]) => Workload | undefined): Parts {
  return { count: parts.length, cut: (kept) => cut(kept.map((index) => parts[index]!)) };
}

const partsOf: Record<"accounts" | "devices" | "moves" | "restarts", (workload: Workload) => Parts> = {
  accounts: (workload) => partsOfList(workload.accounts, (kept) => (kept.length === 0 ? undefined : { ...workload, accounts: kept })),
  devices: (workload) => partsOfList(devicesOf(workload), (kept) => keepDevices(workload, kept)),
  moves: (workload) => partsOfList(movesOf(workload), (kept) => keepMoves(workload, kept)),
  restarts: (workload) => partsOfList(workload.restarts ?? [], (kept) => withRestarts(workload, kept)),
};

function devicesOf(workload: Workload): DeviceRef[] {
  return workload.accounts.flatMap((account, a) => account.devices.map((_, d) => [a, d] as const));
}

function movesOf(workload: Workload): MoveRef[] {
  return workload.accounts.flatMap((account, a) => account.devices.flatMap((device, d) => device.moves.map((_, m) => [a, d, m] as const)));
}

/** The workload with only the devices kept; undefined when an account would have none or lose the device that advances it. */
function keepDevices(workload: Workload, kept: readonly DeviceRef[]): Workload | undefined {
  const accounts: AccountScript[] = [];
  for (const [a, account] of workload.accounts.entries()) {
    const devices = kept.filter(([ka]) => ka === a).map(([, d]) => d);
    if (devices.length === 0 || (advances(account) && !devices.includes(0))) return undefined;
    accounts.push(withOnly(account, devices));
  }
  return { ...workload, accounts };
}

function keepMoves(workload: Workload, kept: readonly MoveRef[]): Workload {
  const keep = new Set(kept.map((ref) => ref.join("/")));
  return mapDevices(workload, (device, a, d) => ({ ...device, moves: device.moves.filter((_, m) => keep.has(`${a}/${d}/${m}`)) }));
}

function mapDevices(workload: Workload, change: (device: DeviceScript, a: number, d: number) => DeviceScript): Workload {
  return { ...workload, accounts: workload.accounts.map((account, a) => ({ ...account, devices: account.devices.map((device, d) => change(device, a, d)) })) };
}

function mapMoves(workload: Workload, change: (move: FaultyMove) => FaultyMove): Workload {
  return mapDevices(workload, (device) => ({ ...device, moves: device.moves.map(change) }));
}

/**
 * The shallowest depth that still fails, by binary search between the
 * deepest known to pass and the shallowest known to fail, to within 1/64 of
 * it (exact up to 127). A defect from version N on needs about N; bisecting
 * towards 0 again after each kept depth, as for other values, would cost
 * many more candidates, and a deep candidate costs its whole advance.
 */
export async function shallowestFailing(failing: number, fails: (depth: number) => Promise<boolean>): Promise<number> {
  let passing = -1;
  while (failing - passing > Math.max(1, Math.floor(failing / 64))) {
    const depth = passing < 0 ? 0 : Math.floor((passing + failing) / 2);
    if (await fails(depth)) failing = depth;
    else passing = depth;
  }
  return failing;
}

/**
 * Delta debugging (Zeller's ddmin, complements only): drops ever smaller
 * chunks of `parts` while `fails` holds. Every part alone first goes with
 * the others, so the empty set is tried first, as the cheapest win.
 */
export async function ddmin<T>(parts: readonly T[], fails: (subset: T[]) => Promise<boolean>): Promise<T[]> {
  let kept = [...parts];
  if (kept.length === 0) return kept;
  if (await fails([])) return [];
  let chunks = 2;
  while (kept.length > 1) {
    const size = Math.ceil(kept.length / chunks);
    let dropped = false;
    for (let start = 0; start < kept.length; start += size) {
      const complement = [...kept.slice(0, start), ...kept.slice(start + size)];
      if (await fails(complement)) {
        kept = complement;
        chunks = Math.max(chunks - 1, 2);
        dropped = true;
        break;
      }
    }
    if (dropped) continue;
    if (chunks >= kept.length) break;
    chunks = Math.min(kept.length, chunks * 2);
  }
  return kept;
}

/**
 * Plainer workloads to try, each a candidate list in the order worth
 * trying: bursts bisected towards none (a burst needs 2; not none where the
 * violation names the burst's POSTs), wallets dropped, pauses and starts to
 * 0 ms, hostile moves made plainer.
 */
const simplifications: Array<(workload: Workload, burstsNeeded: ReadonlySet<number>) => Array<Workload | undefined>> = [
  (workload, burstsNeeded) =>
    workload.accounts.flatMap((account, a) => {
      const burst = account.burst ?? 0;
      if (burst === 0) return [];
      return [...(burstsNeeded.has(a) ? [] : [0]), ...bisectTowards(burst, 2)].map((b) => withAccount(workload, a, { ...account, burst: b }));
    }),
  (workload) => [mapMoves(workload, (move) => (move.kind === "edit" && move.wallet ? withoutWallet(move) : move))],
  (workload) => [mapMoves(workload, (move) => ({ ...move, pauseMs: 0 })), mapDevices(workload, (device) => ({ ...device, startMs: 0 }))],
  (workload) => [mapMoves(workload, (move) => (move.kind === "edit" ? { ...move, changes: 1 } : move))],
  (workload) =>
    movesOf(workload).flatMap(([a, d, m]) => {
      const move = workload.accounts[a]!.devices[d]!.moves[m]!;
      if (move.kind === "edit" || move.kind === "get") return [];
      return [mapDevices(workload, (device, da, dd) => (da === a && dd === d ? { ...device, moves: device.moves.map((x, i) => (i === m ? plainEdit(x) : x)) } : device))];
    }),
  // A node restart moved earlier (bisected towards the first acknowledged POST), then to n1.
  (workload) =>
    (workload.restarts ?? []).flatMap((restart, r) => [
      ...bisectTowards(restart.afterPosts, 1).map((afterPosts) => withRestart(workload, r, { ...restart, afterPosts })),
      ...(restart.node > 0 ? [withRestart(workload, r, { ...restart, node: 0 })] : []),
    ]),
];

function withRestart(workload: Workload, index: number, restart: NodeRestart): Workload {
  return withRestarts(workload, (workload.restarts ?? []).map((other, r) => (r === index ? restart : other)));
}

/** From `value` towards `goal`: the goal, then halfway, then ever closer to the value. */
function bisectTowards(value: number, goal: number): number[] {
  const steps: number[] = [];
  let gap = value - goal;
  while (gap > 0) {
    steps.push(value - gap);
    gap = Math.floor(gap / 2);
  }
  return steps;
}

function withAccount(workload: Workload, index: number, account: AccountScript): Workload {
  return { ...workload, accounts: workload.accounts.map((other, a) => (a === index ? account : other)) };
}

/** The workload with these node restarts; without the field when there are none, as a workload of one server is. */
function withRestarts(workload: Workload, restarts: readonly NodeRestart[]): Workload {
  const { restarts: _restarts, ...rest } = workload;
  return restarts.length === 0 ? rest : { ...rest, restarts: [...restarts] };
}

function withoutWallet(move: FaultyMove & { kind: "edit" }): FaultyMove {
  const { wallet: _wallet, ...plain } = move;
  return plain;
}

function plainEdit(move: FaultyMove): FaultyMove {
  const { fault, faultAt } = move;
  return { kind: "edit", changes: 1, pauseMs: move.pauseMs, ...(fault !== undefined ? { fault } : {}), ...(faultAt !== undefined ? { faultAt } : {}) };
}
