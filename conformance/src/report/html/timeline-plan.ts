// Which operations of a history the HTML timeline draws. A small history is
// drawn whole; a large one as one picture per account with violations (with
// the accounts its violations touch), cropped to the operations around the
// contradicting ones, so a picture never holds more than a few hundred bars
// whatever the size of the run.
import type { Violation } from "../../history/findings.js";
import type { History, Operation, ServerEvent } from "../../history/history.js";

export interface TimelineLimits {
  /** Bars in one picture at most. */
  maxOperations: number;
  /** Pictures per history at most; the violations of further accounts are only listed. */
  maxPanels: number;
}

export const defaultTimelineLimits: TimelineLimits = { maxOperations: 400, maxPanels: 6 };

/** A violation with its number in the report (1-based, in the checker's order). */
export interface NumberedViolation {
  number: number;
  violation: Violation;
}

export interface TimelinePanel {
  /** The accounts drawn, in natural order of their labels. */
  accounts: string[];
  /** The operations drawn, by invocation time. */
  operations: Operation[];
  /** How many operations those accounts have in all. */
  totalOperations: number;
  /** The violations this picture shows. */
  violations: NumberedViolation[];
  /** Operation id -> the numbers of the violations that name it. */
  highlighted: Map<number, number[]>;
  /** The server's crashes and restarts while the drawn operations ran (--restarts). */
  events: ServerEvent[];
}

export interface TimelinePlan {
  panels: TimelinePanel[];
  /** Violations of accounts beyond maxPanels: listed, not drawn. */
  undrawn: NumberedViolation[];
}

function byInvocation(a: Operation, b: Operation): number {
  return a.invokedAt - b.invokedAt || a.id - b.id;
}

function highlightsOf(violations: readonly NumberedViolation[]): Map<number, number[]> {
  const highlighted = new Map<number, number[]>();
  for (const { number, violation } of violations) {
    for (const id of violation.operations) {
      const numbers = highlighted.get(id) ?? [];
      if (!numbers.includes(number)) numbers.push(number);
      highlighted.set(id, numbers);
    }
  }
  return highlighted;
}

/**
 * Keeps the highlighted operations and, within the budget, their neighbours
 * in invocation order, widening around every highlighted one in turn, so
 * each contradiction is drawn with what ran at the same time.
 */
export function cropAround(sorted: readonly Operation[], highlighted: ReadonlySet<number>, budget: number): Operation[] {
  if (sorted.length <= budget) return [...sorted];
  const centres = sorted.flatMap((op, index) => (highlighted.has(op.id) ? [index] : [])).slice(0, budget);
  const kept = new Set<number>(centres);
  for (let radius = 1; kept.size < budget; radius++) {
    let grew = false;
    for (const centre of centres) {
      for (const index of [centre - radius, centre + radius]) {
        if (kept.size >= budget) break;
        if (index < 0 || index >= sorted.length || kept.has(index)) continue;
        kept.add(index);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return [...kept].sort((a, b) => a - b).map((index) => sorted[index] as Operation);
}

/** The history's server events from the first drawn invocation to the last drawn completion. */
function eventsDuring(history: History, operations: readonly Operation[]): ServerEvent[] {
  if (!history.events || operations.length === 0) return [];
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const op of operations) {
    from = Math.min(from, op.invokedAt);
    to = Math.max(to, op.completedAt);
  }
  return history.events.filter((event) => event.at >= from && event.at <= to);
}

/** Labels in natural order (a2 before a10), as a reader looks for them. */
export function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

export function planTimeline(
  history: History,
  violations: readonly Violation[],
  limits: TimelineLimits = defaultTimelineLimits,
): TimelinePlan {
  const numbered = violations.map((violation, index) => ({ number: index + 1, violation }));
  const inOrder = (accounts: Iterable<string>) => [...new Set(accounts)].sort(naturalOrder);

  if (history.operations.length <= limits.maxOperations) {
    return {
      panels: [
        {
          accounts: inOrder(history.operations.map((op) => op.account)),
          operations: [...history.operations].sort(byInvocation),
          totalOperations: history.operations.length,
          violations: numbered,
          highlighted: highlightsOf(numbered),
          events: eventsDuring(history, history.operations),
        },
      ],
      undrawn: [],
    };
  }

  const accountOf = new Map(history.operations.map((op) => [op.id, op.account]));
  // One picture per account a violation is about, with the accounts its operations belong to.
  const groups = new Map<string, { accounts: Set<string>; violations: NumberedViolation[] }>();
  for (const entry of numbered) {
    const group = groups.get(entry.violation.account) ?? { accounts: new Set([entry.violation.account]), violations: [] };
    for (const id of entry.violation.operations) {
      const account = accountOf.get(id);
      if (account !== undefined) group.accounts.add(account);
    }
    group.violations.push(entry);
    groups.set(entry.violation.account, group);
  }

  const drawn = [...groups.values()].slice(0, limits.maxPanels);
  const undrawn = [...groups.values()].slice(limits.maxPanels).flatMap((g) => g.violations);
  const panels = drawn.map(({ accounts, violations: shown }) => {
    const all = history.operations.filter((op) => accounts.has(op.account)).sort(byInvocation);
    const highlighted = highlightsOf(shown);
    const operations = cropAround(all, new Set(highlighted.keys()), limits.maxOperations);
    return {
      accounts: inOrder(accounts),
      operations,
      totalOperations: all.length,
      violations: shown,
      highlighted,
      events: eventsDuring(history, operations),
    };
  });
  return { panels, undrawn };
}
