// --only and --skip: requirement ID prefixes, like h2spec's section numbers.
// A prefix matches at a boundary: "SEQ" and "SEQ-3" match "SEQ-3/stale",
// "SEQ-1" does not match "SEQ-10/…", and a whole case id matches itself.
import type { CheckCase } from "./case.js";

export function matchesPrefix(caseId: string, prefix: string): boolean {
  const id = caseId.toUpperCase();
  const wanted = prefix.trim().toUpperCase();
  if (wanted === "" || !id.startsWith(wanted)) return false;
  const next = id.charAt(wanted.length);
  return next === "" || next === "-" || next === "/" || /[-/]$/.test(wanted);
}

export interface Selection {
  only?: readonly string[];
  skip?: readonly string[];
}

export function selectCases(cases: readonly CheckCase[], selection: Selection): CheckCase[] {
  const only = selection.only ?? [];
  const skip = selection.skip ?? [];
  return cases.filter(
    (c) => (only.length === 0 || only.some((p) => matchesPrefix(c.id, p))) && !skip.some((p) => matchesPrefix(c.id, p)),
  );
}

/** The prefixes that match no case: most likely typing mistakes. */
export function unmatchedPrefixes(cases: readonly CheckCase[], prefixes: readonly string[]): string[] {
  return prefixes.filter((p) => !cases.some((c) => matchesPrefix(c.id, p)));
}
