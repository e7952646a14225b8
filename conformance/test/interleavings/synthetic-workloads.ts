// Synthetic histories for the checkers' property tests: the workloads of a
// correct server, and server bugs injected into a busy history, each with
// the requirements it breaks.
import fc from "fast-check";
import type { GetOperation, Operation, PostOperation } from "../../src/history/history.js";
import type { SyntheticOptions } from "../../bench/synthetic-history.js";

export const workloads: fc.Arbitrary<SyntheticOptions> = fc.record({
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

/** A busy history to inject bugs into. */
export const busy = fc.record({
  accounts: fc.constant(3),
  operationsPerAccount: fc.integer({ min: 80, max: 200 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  lostAnswerRate: fc.constant(0.05),
  reauthRate: fc.constant(0.05),
  hostileRate: fc.constant(0.05),
});

/** Injects one bug into a copy of a generated history; false when the history has no place for it. */
export type Injection = (operations: Operation[], pick: number) => boolean;

export interface InjectedBug {
  name: string;
  /** The requirements a checker must find broken (one of them). */
  requirements: string[];
  inject: Injection;
}

export const injectedBugs: InjectedBug[] = [
  {
    name: "a stale read (LIN-4, or LIN-6 if the device saw the newer version)",
    requirements: ["LIN-4", "LIN-6"],
    inject: (operations, pick) => {
      const read = choose(readsAfterAcknowledged(operations), pick);
      const first = firstVersion(operations, read?.account);
      if (!read || !first || read.outcome.type !== "ok") return false;
      read.outcome.wallet = { ...first };
      return true;
    },
  },
  {
    name: "a lost wallet (LIN-4)",
    requirements: ["LIN-4", "LIN-6"],
    inject: (operations, pick) => {
      const read = choose(readsAfterAcknowledged(operations), pick);
      if (!read) return false;
      read.outcome = { type: "refused", status: 404 };
      return true;
    },
  },
  {
    name: "a forged wallet (LIN-3)",
    requirements: ["LIN-3"],
    inject: (operations, pick) => {
      const read = choose(walletReads(operations), pick);
      if (!read || read.outcome.type !== "ok" || !read.outcome.wallet) return false;
      read.outcome.wallet = { ...read.outcome.wallet, encryptedWallet: `${read.outcome.wallet.encryptedWallet}:f0f0` };
      return true;
    },
  },
  {
    name: "another account's wallet (TOKEN-1)",
    requirements: ["TOKEN-1"],
    inject: (operations, pick) => {
      // The wallet another account held when this read was answered: what a server that mixes up accounts returns.
      const reads = walletReads(operations);
      const read = choose(reads, pick);
      const stranger = reads.findLast((other) => other.account !== read?.account && other.completedAt < read!.completedAt);
      if (!read || !stranger || read.outcome.type !== "ok" || stranger.outcome.type !== "ok") return false;
      read.outcome.wallet = stranger.outcome.wallet;
      return true;
    },
  },
  {
    name: "a second acceptance of one sequence (LIN-2)",
    requirements: ["LIN-2"],
    inject: (operations, pick) => {
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
    },
  },
  {
    name: "a replaced token still accepted (TOKEN-2)",
    requirements: ["TOKEN-2"],
    inject: (operations, pick) => {
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
    },
  },
];

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
