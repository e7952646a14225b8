// One cause, one failure: a case whose shared set-up step (a signup, a
// login, a first wallet) the server refused checked nothing of its own. It
// is reported blocked by the case that owns that step's requirement, which
// carries the failure; when that case passed (the refusal came under load),
// the refusal becomes its finding.
import { verdictOf, type CheckResult, type Finding } from "../model/result.js";
import type { CheckCase } from "../model/case.js";

/** A set-up step of a case refused by the server: the requirement the step relies on and the finding it reported. */
export interface SetupRefusal {
  requirement: string;
  finding: Finding;
}

/** "SIGNUP-1 (MUST) signing up a fresh account: answered 200, expected 201" */
function findingLine(finding: Finding): string {
  return `${finding.requirement} (${finding.level}) ${finding.message}`;
}

/** Whether the refusal is all the case found: each finding names the refused step's requirement (steps taken at once may all be refused). */
export function onlyRefused(result: CheckResult, refusal: SetupRefusal): boolean {
  return result.findings.length > 0 && result.findings.every((f) => f.requirement === refusal.requirement);
}

/**
 * Turns into blocked the cases whose refusal is all they found, when the run
 * has a case of that requirement that is not blocked itself; cases without
 * such an owner (--only) keep their failure.
 */
export function settleBlocked(
  cases: readonly CheckCase[],
  results: Map<CheckCase, CheckResult>,
  refusals: ReadonlyMap<CheckCase, SetupRefusal>,
  strict: boolean,
): void {
  const candidates = [...refusals].filter(([check, refusal]) => {
    const result = results.get(check);
    return result !== undefined && onlyRefused(result, refusal);
  });
  const refused = new Set(candidates.map(([check]) => check));
  for (const [check, refusal] of candidates) {
    const owner = cases.find((c) => c.requirement === refusal.requirement && results.has(c) && !refused.has(c));
    const ownerResult = owner && results.get(owner);
    const result = results.get(check);
    if (!owner || !ownerResult || !result) continue;
    if (!ownerResult.findings.some((f) => f.requirement === refusal.requirement)) {
      ownerResult.findings.push(refusal.finding);
      if (ownerResult.error === undefined) ownerResult.verdict = verdictOf(ownerResult.findings, strict);
    }
    results.set(check, { ...result, verdict: "blocked", findings: [], blockedBy: { case: owner.id, step: findingLine(refusal.finding) } });
  }
}
