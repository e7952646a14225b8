// Property tests on synthetic histories of a correct server: none may raise
// an alarm, whatever the mix of lost answers, 5xx, re-auths and hostile
// POSTs; and each kind of injected server bug must be found.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkHistory } from "../../src/history/checker.js";
import type { History, PostOperation } from "../../src/history/history.js";
import { generateHistory } from "../../bench/synthetic-history.js";
import { busy, injectedBugs, workloads, type Injection } from "./synthetic-workloads.js";

describe("synthetic histories of a correct server", () => {
  test("raise no alarm", () => {
    fc.assert(
      fc.property(workloads, (options) => {
        const result = checkHistory(generateHistory(options));
        expect(result.violations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test("give the same result in any order and after a JSON round trip", () => {
    fc.assert(
      fc.property(workloads, fc.integer(), (options, shuffleSeed) => {
        const history = generateHistory(options);
        const expected = checkHistory(history);
        const shuffled: History = { ...history, operations: shuffle(history.operations, shuffleSeed) };
        const replayed = JSON.parse(JSON.stringify(shuffled)) as History;
        const result = checkHistory(replayed);
        expect(result.passed).toBe(expected.passed);
        expect(result.stats).toEqual(expected.stats);
        expect(sortById(result.indeterminatePosts)).toEqual(sortById(expected.indeterminatePosts));
      }),
      { numRuns: 100 },
    );
  });

  test("contain the situations the checker must handle", () => {
    const history = generateHistory({ accounts: 20, operationsPerAccount: 200, seed: 7, hostileRate: 0.1 });
    const result = checkHistory(history);
    expect(result.stats.posts.indeterminate).toBeGreaterThan(0);
    expect(result.warnings[0]?.requirement).toBe("LIN-7");
    const resolutions = new Set(result.indeterminatePosts.map((p) => p.resolution));
    expect(resolutions).toContain("took-effect");
    expect(resolutions).toContain("did-not-take-effect");
    const posts = history.operations.filter((op): op is PostOperation => op.kind === "post");
    expect(posts.some((p) => p.request.move === "skip-ahead" && p.outcome.type === "ok")).toBe(true);
    expect(posts.some((p) => p.outcome.type === "refused" && p.outcome.wallet && p.outcome.wallet.sequence === p.request.sequence - 1)).toBe(true);
    expect(history.operations.filter((op) => op.kind === "auth").length).toBeGreaterThan(20 * 8);
  });
});

function expectFound(requirements: string[], inject: Injection) {
  fc.assert(
    fc.property(busy, fc.nat(), (options, pick) => {
      const history = structuredClone(generateHistory(options));
      fc.pre(inject(history.operations, pick));
      const found = checkHistory(history).violations.map((v) => v.requirement);
      expect(found.some((id) => requirements.includes(id)), `found ${found.join(", ")}`).toBe(true);
    }),
    { numRuns: 60 },
  );
}

describe("injected server bugs are found", () => {
  test.each(injectedBugs)("$name", ({ requirements, inject }) => expectFound(requirements, inject));
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed >>> 0 || 1;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

function sortById<T extends { operation: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.operation - b.operation);
}
