// fast-check arbitraries for workloads, drawn as a traffic profile
// (traffic.ts) says. Shrinking drops accounts, devices and moves, turns
// hostile moves into plain edits (the first alternative of the move choice)
// and pauses into 0 ms: a shrunk counterexample is the fewest devices doing
// the fewest, most ordinary things at once.
import fc from "fast-check";
import type { ProfileName } from "../../../../spec/index.js";
import { walletTexts } from "../../client/wallet-size.js";
import { faultKindNames } from "../../faults/fault-kinds.js";
import { burstArbitrary, depthArbitrary } from "./depth.js";
import { routeArbitrary } from "./routing.js";
import { defaultTrafficProfile, type TrafficProfile } from "./traffic.js";
import { weighted } from "./weighted.js";
import {
  api3MoveKinds,
  editedWalletBytes,
  seedMoveKinds,
  workloadLimits as limits,
  type AccountScript,
  type DeviceScript,
  type EditedWallet,
  type FaultyMove,
  type Move,
  type MoveKind,
  type NodeRestart,
  type Workload,
} from "./workload.js";

const pauseMs = fc.integer(limits.pauseMs);

const oldTokenUse = fc.constantFrom<"get" | "post">("get", "post");

const boundarySizes = editedWalletBytes.filter((bytes): bytes is Exclude<typeof bytes, "largest"> => bytes !== "largest");

/**
 * An edit's wallet: a few bytes of change log most of the time; now and then
 * padded to a boundary size or, more rarely (each byte is sent, echoed and
 * read again by the other devices), the largest the server accepts, in
 * base64 or the JSON string range. No padding is the first alternative:
 * shrinking drops it, then lowers the size.
 */
function editedWalletOf({ wallets }: TrafficProfile): fc.Arbitrary<EditedWallet | undefined> {
  const padded = fc.record({
    // Cross-shrinking: a failure with the largest wallet is tried with the boundary sizes too.
    bytes: fc.oneof(
      { withCrossShrink: true },
      ...weighted<EditedWallet["bytes"]>([wallets.boundary, fc.constantFrom(...boundarySizes)], [wallets.largest, fc.constant("largest" as const)]),
    ),
    text: fc.constantFrom(...walletTexts),
  });
  return fc.oneof(...weighted<EditedWallet | undefined>([wallets.plain, fc.constant(undefined)], [wallets.padded, padded]));
}

function moveOf(kind: MoveKind, traffic: TrafficProfile): fc.Arbitrary<Move> {
  switch (kind) {
    case "edit":
      return fc
        .record({ kind: fc.constant("edit" as const), changes: fc.integer(limits.changes), pauseMs, wallet: editedWalletOf(traffic) })
        .map(({ wallet, ...move }) => (wallet === undefined ? move : { ...move, wallet }));
    case "stale":
      return fc.record({ kind: fc.constant("stale" as const), back: fc.integer(limits.back), pauseMs });
    case "skip-ahead":
      return fc.record({ kind: fc.constant("skip-ahead" as const), by: fc.integer(limits.by), pauseMs });
    case "reauth":
      return fc.record({ kind: fc.constant("reauth" as const), thenOldToken: fc.constantFrom<"get" | "post" | "none">("get", "post", "none"), pauseMs });
    case "old-token":
      return fc.record({ kind: fc.constant("old-token" as const), use: oldTokenUse, pauseMs });
    case "get":
    case "repeat":
    case "password-change":
    case "password-change-without-wallet":
    case "listen":
      return fc.record({ kind: fc.constant(kind), pauseMs });
  }
}

/**
 * Honest edits and reads most of the time, each hostile move now and then,
 * as the profile weighs them. api3 adds its own moves (a password change, a
 * socket held to the end) after the seed's, so seeds of the seed protocol
 * generate what they would without them.
 */
function movesOf(traffic: TrafficProfile, profile: ProfileName): fc.Arbitrary<Move> {
  const kinds: readonly MoveKind[] = profile === "api3" ? [...seedMoveKinds, ...api3MoveKinds] : seedMoveKinds;
  return fc.oneof(...weighted(...kinds.map((kind): [number, fc.Arbitrary<Move>] => [traffic.moveWeights[kind], moveOf(kind, traffic)])));
}

/** The requests of a move a generated fault may hit: the first four (a login after a password change, an edit's retry after a 409 and its read). */
const generatedFaultAt = { min: 0, max: 3 };

/**
 * With --faults: a move carries a fault now and then, one kind as likely as
 * another, on one of its first requests. No fault is the first alternative,
 * so shrinking drops the faults a failure does not need and keeps those it
 * does; the index shrinks towards the move's first request.
 */
function faultyMovesOf(moves: fc.Arbitrary<Move>): fc.Arbitrary<FaultyMove> {
  const fault = fc.tuple(fc.constantFrom(...faultKindNames), fc.integer(generatedFaultAt));
  return fc
    .tuple(moves, fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fault }))
    .map(([move, drawn]) => {
      if (drawn === undefined) return move;
      const [kind, at] = drawn;
      return { ...move, fault: kind, ...(at > 0 ? { faultAt: at } : {}) };
    });
}

function deviceArbitraryOf(move: fc.Arbitrary<FaultyMove>, traffic: TrafficProfile): fc.Arbitrary<DeviceScript> {
  return fc.record({
    startMs: fc.integer(limits.startMs),
    // "post" first: devices that start together race for the first wallet.
    opening: fc.constantFrom<"post" | "get">("post", "get"),
    sharedId: fc.boolean(),
    moves: fc.array(move, { minLength: traffic.moves.min, maxLength: traffic.moves.max }),
  });
}

/** Workloads of accounts whose devices `device` generates, each account advanced up to `depthCap` first. */
function workloadsOf(device: fc.Arbitrary<DeviceScript>, traffic: TrafficProfile, depthCap: number): fc.Arbitrary<Workload> {
  const account: fc.Arbitrary<AccountScript> = fc.record({
    devices: fc.array(device, { minLength: traffic.devices.min, maxLength: traffic.devices.max }),
    depth: depthArbitrary(depthCap, traffic.depth),
    burst: burstArbitrary(traffic.bursts),
  });
  return fc.record({ accounts: fc.array(account, { minLength: traffic.accounts.min, maxLength: traffic.accounts.max }) });
}

export interface WorkloadShape {
  /** Nodes of the deployment: with several, each device gets a route (routing.ts). */
  nodes?: number;
  /** With several nodes: how many node restarts each workload has (--restarts with one --server-cmd per --url). */
  restarts?: number;
  /** --faults: a move may carry a fault. */
  faults?: boolean;
  /** api3: a device may also change the password or listen on a socket. */
  profile?: ProfileName;
  /** --traffic: what workloads are drawn as; the default profile when absent. */
  traffic?: TrafficProfile;
  /** The deepest an account is advanced before its devices start (--depth); the traffic profile's cap when absent. */
  depthCap?: number;
}

/**
 * Node restarts: which node and after how many acknowledged POSTs, drawn
 * like everything else, so a counterexample file holds them and the shrinker
 * drops them or makes them earlier and on n1 (shrink.ts).
 */
function restartsArbitrary(nodes: number, restarts: number): fc.Arbitrary<NodeRestart[]> {
  const restart = fc.record({ node: fc.integer({ min: 0, max: nodes - 1 }), afterPosts: fc.integer(limits.afterPosts) });
  return fc.array(restart, { minLength: restarts, maxLength: restarts });
}

/** Workloads of a run's shape. */
export function workloadArbitraryFor({ nodes = 1, restarts = 0, faults = false, profile = "seed", traffic = defaultTrafficProfile, depthCap }: WorkloadShape = {}): fc.Arbitrary<Workload> {
  const moves = movesOf(traffic, profile);
  const device = deviceArbitraryOf(faults ? faultyMovesOf(moves) : moves, traffic);
  const cap = depthCap ?? traffic.depth.cap;
  if (nodes <= 1) return workloadsOf(device, traffic, cap);
  const routed = workloadsOf(fc.tuple(device, routeArbitrary(nodes)).map(([script, route]) => ({ ...script, route })), traffic, cap);
  // Drawn after the accounts: a seed generates the same accounts with restarts as without.
  if (restarts === 0) return routed;
  return fc.tuple(routed, restartsArbitrary(nodes, restarts)).map(([workload, drawn]) => ({ ...workload, restarts: drawn }));
}

export const workloadArbitrary: fc.Arbitrary<Workload> = workloadArbitraryFor();

/** One move of a device, drawn as the workloads' moves are (a soak's long-lived accounts draw theirs one at a time). */
export function moveArbitraryFor({ faults = false, profile = "seed", traffic = defaultTrafficProfile }: Pick<WorkloadShape, "faults" | "profile" | "traffic"> = {}): fc.Arbitrary<FaultyMove> {
  const moves = movesOf(traffic, profile);
  return faults ? faultyMovesOf(moves) : moves;
}
