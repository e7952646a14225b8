// fast-check arbitraries for workloads. Shrinking drops accounts, devices and
// moves, turns hostile moves into plain edits (the first alternative of the
// move choice) and pauses into 0 ms: a shrunk counterexample is the fewest
// devices doing the fewest, most ordinary things at once.
import fc from "fast-check";
import { routeArbitrary } from "./routing.js";
import { workloadLimits as limits, type AccountScript, type DeviceScript, type Move, type Workload } from "./workload.js";

const pauseMs = fc.integer(limits.pauseMs);

const oldTokenUse = fc.constantFrom<"get" | "post">("get", "post");

/** Honest edits and reads most of the time; each hostile move now and then. */
export const moveArbitrary: fc.Arbitrary<Move> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("edit" as const), changes: fc.integer(limits.changes), pauseMs }) },
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
);

export const deviceArbitrary: fc.Arbitrary<DeviceScript> = fc.record({
  startMs: fc.integer(limits.startMs),
  // "post" first: devices that start together race for the first wallet.
  opening: fc.constantFrom<"post" | "get">("post", "get"),
  sharedId: fc.boolean(),
  moves: fc.array(moveArbitrary, { minLength: limits.moves.min, maxLength: limits.moves.max }),
});

/** Workloads of accounts whose devices `device` generates. */
function workloadsOf(device: fc.Arbitrary<DeviceScript>): fc.Arbitrary<Workload> {
  const account: fc.Arbitrary<AccountScript> = fc.record({
    devices: fc.array(device, { minLength: limits.devices.min, maxLength: limits.devices.max }),
  });
  return fc.record({ accounts: fc.array(account, { minLength: limits.accounts.min, maxLength: limits.accounts.max }) });
}

export const workloadArbitrary: fc.Arbitrary<Workload> = workloadsOf(deviceArbitrary);

/**
 * Workloads for a deployment of `nodes` nodes: with one node exactly the
 * workloads above (a seed generates what it always did), with several each
 * device also gets a route (routing.ts).
 */
export function workloadArbitraryFor(nodes: number): fc.Arbitrary<Workload> {
  if (nodes <= 1) return workloadArbitrary;
  return workloadsOf(fc.tuple(deviceArbitrary, routeArbitrary(nodes)).map(([device, route]) => ({ ...device, route })));
}
