// Property tests on synthetic histories of a correct server: none may raise
// an alarm, whatever the mix of lost answers, 5xx, re-auths and hostile
// POSTs; and each kind of injected server bug must be found.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkHistory } from "../../src/interleavings/history/checker.js";
import type { GetOperation, History, Operation, PostOperation } from "../../src/interleavings/history/history.js";
import { generateHistory, type SyntheticOptions } from "../../bench/synthetic-history.js";

const workloads: fc.Arbitrary<SyntheticOptions> = fc.record({
  accounts: fc.integer({ min: 1, max: 4 }),
  operationsPerAccount: fc.integer({ min: 2, max: 160 }),
  clientsPerAccount: fc.integer({ min: 1, max: 10 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  lostAnswerRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  serverErrorRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  reauthRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  hostileRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
  concurrentAccounts: fc.integer({ min: 1, max: 4 }),
});

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

/** A busy history to inject bugs into. */
const busy = fc.record({
  accounts: fc.constant(3),
  operationsPerAccount: fc.integer({ min: 80, max: 200 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  lostAnswerRate: fc.constant(0.05),
  reauthRate: fc.constant(0.05),
  hostileRate: fc.constant(0.05),
});

/** Injects one bug into a copy of a generated history; undefined when the history has no place for it. */
type Injection = (operations: Operation[], pick: number) => boolean;

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
  test("a stale read (LIN-4, or LIN-6 if the device saw the newer version)", () => {
    expectFound(["LIN-4", "LIN-6"], (operations, pick) => {
      const read = choose(readsAfterAcknowledged(operations), pick);
      const first = firstVersion(operations, read?.account);
      if (!read || !first || read.outcome.type !== "ok") return false;
      read.outcome.wallet = { ...first };
      return true;
    });
  });

  test("a lost wallet (LIN-4)", () => {
    expectFound(["LIN-4", "LIN-6"], (operations, pick) => {
      const read = choose(readsAfterAcknowledged(operations), pick);
      if (!read) return false;
      read.outcome = { type: "refused", status: 404 };
      return true;
    });
  });

  test("a forged wallet (LIN-3)", () => {
    expectFound(["LIN-3"], (operations, pick) => {
      const read = choose(walletReads(operations), pick);
      if (!read || read.outcome.type !== "ok" || !read.outcome.wallet) return false;
      read.outcome.wallet = { ...read.outcome.wallet, encryptedWallet: `${read.outcome.wallet.encryptedWallet}:f0f0` };
      return true;
    });
  });

  test("another account's wallet (TOKEN-1)", () => {
    expectFound(["TOKEN-1"], (operations, pick) => {
      const reads = walletReads(operations);
      const read = choose(reads, pick);
      const stranger = reads.find((other) => other.account !== read?.account);
      if (!read || !stranger || read.outcome.type !== "ok" || stranger.outcome.type !== "ok") return false;
      read.outcome.wallet = stranger.outcome.wallet;
      return true;
    });
  });

  test("a second acceptance of one sequence (LIN-2)", () => {
    expectFound(["LIN-2"], (operations, pick) => {
      const accepted = new Set<string>();
      for (const op of operations) {
        if (op.kind === "post" && op.outcome.type === "ok") accepted.add(`${op.account}/${op.request.sequence}`);
      }
      const losers = operations.filter(
        (op): op is PostOperation =>
          op.kind === "post" && op.outcome.type === "refused" && accepted.has(`${op.account}/${op.request.sequence}`),
      );
      const loser = choose(losers, pick);
      if (!loser) return false;
      const { encryptedWallet, sequence, hmac } = loser.request;
      loser.outcome = { type: "ok", status: 200, wallet: { encryptedWallet, sequence, hmac } };
      return true;
    });
  });

  test("a replaced token still accepted (TOKEN-2)", () => {
    expectFound(["TOKEN-2"], (operations, pick) => {
      // A GET answered 200 after its device's token had certainly been
      // replaced once: give it the replaced token.
      const candidates: { read: GetOperation; replaced: number }[] = [];
      for (const read of walletReads(operations)) {
        const auths = operations.filter(
          (op) => op.kind === "auth" && op.account === read.account && op.client === read.client && op.outcome.type === "ok",
        );
        const current = auths.find((auth) => auth.kind === "auth" && auth.tokenGeneration === read.tokenGeneration);
        const older = auths.find((auth) => current && auth.completedAt < current.invokedAt);
        if (current && older?.kind === "auth" && current.completedAt < read.invokedAt) {
          candidates.push({ read, replaced: older.tokenGeneration });
        }
      }
      const chosen = choose(candidates, pick);
      if (!chosen) return false;
      chosen.read.tokenGeneration = chosen.replaced;
      return true;
    });
  });
});

/** GETs that returned a wallet after some POST of the account with a higher sequence had been accepted. */
function readsAfterAcknowledged(operations: Operation[]): GetOperation[] {
  const reads: GetOperation[] = [];
  for (const read of walletReads(operations)) {
    const acknowledged = operations.some(
      (op) =>
        op.kind === "post" &&
        op.account === read.account &&
        op.outcome.type === "ok" &&
        op.request.sequence >= 2 &&
        op.completedAt < read.invokedAt,
    );
    if (acknowledged) reads.push(read);
  }
  return reads;
}

function walletReads(operations: Operation[]): GetOperation[] {
  return operations.filter(
    (op): op is GetOperation => op.kind === "get" && op.outcome.type === "ok" && op.outcome.wallet !== undefined,
  );
}

/** The version of sequence 1 that an account stored. */
function firstVersion(operations: Operation[], account: string | undefined) {
  const post = operations.find(
    (op): op is PostOperation =>
      op.kind === "post" && op.account === account && op.outcome.type === "ok" && op.request.sequence === 1,
  );
  return post && { encryptedWallet: post.request.encryptedWallet, sequence: 1, hmac: post.request.hmac };
}

function choose<T>(items: T[], pick: number): T | undefined {
  return items.length > 0 ? items[pick % items.length] : undefined;
}

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
