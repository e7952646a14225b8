// The one list of everything the suite runs: the walkthrough, the contract
// checks and the interleaving properties. --list, --only,
// --skip, the run and every report see the cases through allCases().
import { loadRequirements, type ProfileName } from "../../spec/index.js";
import { contractChecks } from "./checks/index.js";
import { interleavingCases } from "./interleavings/property/cases.js";
import type { CheckCase } from "./model/case.js";
import { walkthroughCheck } from "./walkthrough/check.js";

/**
 * Sources of cases. A new kind of case (such as the LIN-* properties of
 * ./interleavings/) is one more entry: a function returning its cases.
 */
const caseSources: ReadonlyArray<() => readonly CheckCase[]> = [
  () => [walkthroughCheck],
  () => contractChecks,
  () => interleavingCases,
];

let casesCache: CheckCase[] | undefined;

/** The cases that run in a profile, in the order of allCases(). */
export function casesOf(profile: ProfileName): CheckCase[] {
  return allCases().filter((check) => check.profiles.includes(profile));
}

/** Every case of every profile, in the order of the requirements in spec/protocol.md; ids are checked to be unique. */
export function allCases(): CheckCase[] {
  if (casesCache) return casesCache;
  const cases = caseSources.flatMap((source) => source());
  const seen = new Set<string>();
  for (const check of cases) {
    if (seen.has(check.id)) throw new Error(`two cases have the id ${check.id}`);
    seen.add(check.id);
  }
  const order = new Map(loadRequirements().map((r, index) => [r.id, index]));
  casesCache = cases
    .map((check, index) => ({ check, index }))
    .sort((a, b) => (order.get(a.check.requirement) ?? 0) - (order.get(b.check.requirement) ?? 0) || a.index - b.index)
    .map(({ check }) => check);
  return casesCache;
}
