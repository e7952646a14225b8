// Which node of a deployment each request of a device goes to. A device's
// route is a list of node indices its requests take in turn, over and over:
// one index is a device pinned to a node (a load balancer with affinity),
// several spread its requests (a load balancer without it). Routes are
// generated only when there are several nodes, so workloads against one
// server stay what they were, and they shrink like the rest of the workload:
// to fewer turns and lower nodes, keeping the switch that shows a defect.
import fc from "fast-check";

/** The most nodes a deployment may have, and the longest route. */
export const routeLimits = { nodes: 16, turns: 6 } as const;

/** "n1", "n2": how reports name a node (1-based, as --url lists them). */
export const nodeLabel = (index: number): string => `n${index + 1}`;

/** Pinned to one node, or spread over several in turn. */
export function routeArbitrary(nodes: number): fc.Arbitrary<number[]> {
  const node = fc.integer({ min: 0, max: nodes - 1 });
  return fc.oneof(
    node.map((index) => [index]),
    fc.array(node, { minLength: 2, maxLength: routeLimits.turns }),
  );
}

/** " on n2", " spread over n1 n2 n1": the route in a workload's words; nothing without one. */
export function describeRoute(route: readonly number[] | undefined): string {
  if (route === undefined) return "";
  return route.length === 1 ? ` on ${nodeLabel(route[0]!)}` : ` spread over ${route.map(nodeLabel).join(" ")}`;
}

/** The route a JSON value describes, or an error message naming what is wrong. */
export function parseRoute(value: unknown): number[] | string {
  const valid =
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= routeLimits.turns &&
    value.every((index) => Number.isInteger(index) && index >= 0 && index < routeLimits.nodes);
  return valid ? (value as number[]) : `must be a list of 1 to ${routeLimits.turns} node indices from 0 to ${routeLimits.nodes - 1}`;
}

/** The highest node index a workload's routes use, plus one: the nodes it needs. */
export function nodesUsed(routes: ReadonlyArray<readonly number[] | undefined>): number {
  let highest = -1;
  for (const route of routes) for (const index of route ?? []) highest = Math.max(highest, index);
  return highest + 1;
}
