// fast-check arbitraries for workloads. Shrinking drops accounts, devices and
// moves, turns hostile moves into plain edits (the first alternative of the
// move choice) and pauses into 0 ms: a shrunk counterexample is the fewest
// devices doing the fewest, most ordinary things at once.
import fc from "fast-check";
import type { ProfileName } from "../../../../spec/index.js";
import { defaultDepthCap } from "../../defaults.js";
import { walletTexts } from "../../client/wallet-size.js";
import { faultKindNames } from "../../faults/fault-kinds.js";
import { burstArbitrary, depthArbitrary } from "./depth.js";
import { routeArbitrary } from "./routing.js";
import {
  editedWalletBytes,
  workloadLimits as limits,
  type AccountScript,
  type DeviceScript,
  type EditedWallet,
  type FaultyMove,
  type Move,
  type NodeRestart,
  type Workload,
} from "./workload.js";

const pauseMs = fc.integer(limits.pauseMs);

const oldTokenUse = fc.constantFrom<"get" | "post">("get", "post");

/**
 * An edit's wallet: a few bytes of change log most of the time; now and then
 * padded to a boundary size or, more rarely (each byte is sent, echoed and
 * read again by the other devices), the largest the server accepts, in
 * base64 or the JSON string range. No padding is the first alternative:
 * shrinking drops it, then lowers the size.
 */
const [largest, ...boundarySizes] = [...editedWalletBytes].reverse();
const editedWallet: fc.Arbitrary<EditedWallet | undefined> = fc.oneof(
  { weight: 15, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.record({
      // Cross-shrinking: a failure with the largest wallet is tried with the boundary sizes too.
      bytes: fc.oneof(
        { withCrossShrink: true },
        { weight: 4, arbitrary: fc.constantFrom(...boundarySizes.reverse()) },
        { weight: 1, arbitrary: fc.constant(largest!) },
      ),
      text: fc.constantFrom(...walletTexts),
    }),
  },
);

const edit = fc
  .record({ kind: fc.constant("edit" as const), changes: fc.integer(limits.changes), pauseMs, wallet: editedWallet })
  .map(({ wallet, ...move }) => (wallet === undefined ? move : { ...move, wallet }));

/** Honest edits and reads most of the time; each hostile move now and then. */
const seedMoves = [
  { weight: 8, arbitrary: edit },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("get" as const), pauseMs }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("stale" as const), back: fc.integer(limits.back), pauseMs }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("skip-ahead" as const), by: fc.integer(limits.by), pauseMs }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("repeat" as const), pauseMs }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("reauth" as const),
      thenOldToken: fc.constantFrom<"get" | "post" | "none">("get", "post", "none"),
      pauseMs,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("old-token" as const), use: oldTokenUse, pauseMs }) },
] satisfies Array<fc.WeightedArbitrary<Move>>;

export const moveArbitrary: fc.Arbitrary<Move> = fc.oneof(...seedMoves);

/**
 * api3: the seed's moves, and now and then a password change or a socket
 * held to the end. Only api3 workloads draw from it, so seeds of the seed
 * profile generate what they always did.
 */
export const api3MoveArbitrary: fc.Arbitrary<Move> = fc.oneof(
  ...seedMoves,
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("password-change" as const), pauseMs }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("listen" as const), pauseMs }) },
);

/**
 * With --faults: a move carries a fault now and then, one kind as likely as
 * another. No fault is the first alternative, so shrinking drops the faults
 * a failure does not need and keeps those it does.
 */
function faultyMovesOf(moves: fc.Arbitrary<Move>): fc.Arbitrary<FaultyMove> {
  return fc
    .tuple(moves, fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...faultKindNames) }))
    .map(([move, fault]) => (fault === undefined ? move : { ...move, fault }));
}

export const faultyMoveArbitrary: fc.Arbitrary<FaultyMove> = faultyMovesOf(moveArbitrary);

function deviceArbitraryOf(move: fc.Arbitrary<FaultyMove>): fc.Arbitrary<DeviceScript> {
  return fc.record({
    startMs: fc.integer(limits.startMs),
    // "post" first: devices that start together race for the first wallet.
    opening: fc.constantFrom<"post" | "get">("post", "get"),
    sharedId: fc.boolean(),
    moves: fc.array(move, { minLength: limits.moves.min, maxLength: limits.moves.max }),
  });
}

/** Workloads of accounts whose devices `device` generates, each account advanced up to `depthCap` first. */
function workloadsOf(device: fc.Arbitrary<DeviceScript>, depthCap: number): fc.Arbitrary<Workload> {
  const account: fc.Arbitrary<AccountScript> = fc.record({
    devices: fc.array(device, { minLength: limits.devices.min, maxLength: limits.devices.max }),
    depth: depthArbitrary(depthCap),
    burst: burstArbitrary,
  });
  return fc.record({ accounts: fc.array(account, { minLength: limits.accounts.min, maxLength: limits.accounts.max }) });
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
  /** The deepest an account is advanced before its devices start (--depth). */
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
export function workloadArbitraryFor({ nodes = 1, restarts = 0, faults = false, profile = "seed", depthCap }: WorkloadShape = {}): fc.Arbitrary<Workload> {
  const moves = profile === "api3" ? api3MoveArbitrary : moveArbitrary;
  const device = deviceArbitraryOf(faults ? faultyMovesOf(moves) : moves);
  if (nodes <= 1) return workloadsOf(device, depthCap ?? defaultDepthCap);
  const routed = workloadsOf(fc.tuple(device, routeArbitrary(nodes)).map(([script, route]) => ({ ...script, route })), depthCap ?? defaultDepthCap);
  // Drawn after the accounts: a seed generates the same accounts with restarts as without.
  if (restarts === 0) return routed;
  return fc.tuple(routed, restartsArbitrary(nodes, restarts)).map(([workload, drawn]) => ({ ...workload, restarts: drawn }));
}

export const workloadArbitrary: fc.Arbitrary<Workload> = workloadArbitraryFor();
