// The online checker judges a history as it grows, in bounded memory, and
// agrees with the offline checker on every history: synthetic ones of a
// correct server, with injected bugs and with random faults, cut as often as
// possible, with the default horizon and with the smallest one; simulated
// api3 histories; the report fixtures. The
// checkers' other tests (hand-made, api3, recorded runs) check agreement on
// their histories too (checker-agreement.ts).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { generateHistory } from "../../bench/synthetic-history.js";
import { checkHistory } from "../../src/history/checker.js";
import type { Operation } from "../../src/history/history.js";
import { OnlineChecker } from "../../src/history/online/online-checker.js";
import { checkHistoryOnline } from "../../src/history/online/replay.js";
import { largeBrokenHistory, smallBrokenHistory } from "../fixtures/interleaving-run.js";
import { eagerCuts, expectCheckersAgree, smallestHorizon } from "./checker-agreement.js";
import { simulateApi3, simulations } from "./api3-simulation.js";
import { accepted, authorized, HistoryBuilder, returns, version, versionOf } from "./history-builder.js";
import { busy, injectedBugs, workloads } from "./synthetic-workloads.js";

const cuts = fc.record({
  segmentOperations: fc.integer({ min: 1, max: 40 }),
  judgeAfterMs: fc.integer({ min: 0, max: 20 }),
});

describe("the online checker agrees with the offline one", () => {
  test("on histories of a correct server, however it cuts them and however little it keeps", () => {
    fc.assert(
      fc.property(workloads, cuts, fc.boolean(), (options, cut, smallest) => {
        const online = expectCheckersAgree(generateHistory(options), { ...cut, ...(smallest ? { horizon: smallestHorizon } : {}) });
        expect(online.violations).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  test("on simulated api3 histories of a correct server (password changes, sockets), however little it keeps", () => {
    fc.assert(
      fc.property(simulations, fc.boolean(), (options, smallest) => {
        const online = expectCheckersAgree(simulateApi3(options), { ...eagerCuts, ...(smallest ? { horizon: smallestHorizon } : {}) });
        expect(online.violations).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  test.each(injectedBugs)("on histories with $name", ({ inject }) => {
    let injected = 0;
    fc.assert(
      fc.property(busy, fc.nat(), (options, pick) => {
        const history = structuredClone(generateHistory(options));
        if (!inject(history.operations, pick)) return;
        injected++;
        expect(expectCheckersAgree(history, { segmentOperations: 8, judgeAfterMs: 0 }).passed).toBe(false);
      }),
      { numRuns: 5 },
    );
    expect(injected).toBeGreaterThan(0);
  });

  test("on histories with random faults: answers flipped, reads of other versions of the account, older tokens, lost wallets", () => {
    fc.assert(
      fc.property(workloads, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 10 }), (options, faults, segmentOperations) => {
        const history = structuredClone(generateHistory(options));
        for (const fault of faults) injectFault(history.operations, fault);
        expectCheckersAgree(history, { segmentOperations, judgeAfterMs: 0 });
      }),
      { numRuns: 60 },
    );
  });

  test("on histories with crashes: a version or an account lost across one (DUR-1, DUR-2), and none lost", () => {
    const withCrash = (lose: "version" | "account" | "nothing") => {
      const h = new HistoryBuilder();
      h.auth("A", [0, 1]);
      let previous = h.post("A", 1, "-:1", [2, 3], accepted);
      for (let sequence = 2; sequence <= 6; sequence++) {
        previous = h.post("A", sequence, `${previous.request.encryptedWallet}:${sequence}`, [sequence * 2, sequence * 2 + 1], accepted, { builtOn: previous });
      }
      const stored = lose === "version" ? version(5, "-:1:2:3:4:5") : versionOf(previous);
      h.get("B", [30, 31], returns(stored));
      h.auth("C", [32, 33], lose === "account" ? { type: "refused", status: 401 } : authorized, { gen: 1 });
      return { ...h.build(), events: [{ kind: "crash" as const, at: 20 }, { kind: "restart" as const, at: 25 }] };
    };
    expect(requirementsOf(expectCheckersAgree(withCrash("version")))).toEqual(["DUR-1", "LIN-4"]);
    expect(requirementsOf(expectCheckersAgree(withCrash("account")))).toEqual(["DUR-2"]);
    expect(requirementsOf(expectCheckersAgree(withCrash("nothing")))).toEqual([]);
  });

  test("on the report fixtures", () => {
    expect(expectCheckersAgree(smallBrokenHistory()).violations.map((v) => v.requirement).sort()).toEqual(["LIN-2", "LIN-4"]);
    const large = expectCheckersAgree(largeBrokenHistory(20, 120), { segmentOperations: 50, judgeAfterMs: 20 });
    expect(large.violations.map((v) => v.requirement)).toEqual(["LIN-2"]);
    expect(large.stats.cuts).toBeGreaterThan(40);
  });
});

function requirementsOf(check: { violations: readonly { requirement: string }[] }): string[] {
  return [...new Set(check.violations.map((v) => v.requirement))].sort();
}

/** One fault, chosen by `fault`, in one operation: what a broken server may answer. */
function injectFault(operations: Operation[], fault: number): void {
  const op = operations[fault % operations.length]!;
  const versions = operations.flatMap((other) => (other.kind === "post" && other.account === op.account ? [versionOf(other)] : []));
  const other = versions[(fault >> 3) % Math.max(1, versions.length)];
  switch (fault % 5) {
    case 0:
      if (op.kind === "post" && op.outcome.type === "refused") op.outcome = { type: "ok", status: 200, wallet: versionOf(op) };
      break;
    case 1:
      if (op.kind === "get" && other) op.outcome = { type: "ok", status: 200, wallet: other };
      break;
    case 2:
      if ((op.kind === "get" || op.kind === "post") && op.tokenGeneration > 1) op.tokenGeneration--;
      break;
    case 3:
      if (op.kind === "get") op.outcome = { type: "refused", status: 404 };
      break;
    case 4:
      if (op.kind === "post" && op.outcome.type === "refused" && other) op.outcome = { type: "refused", status: 409, wallet: other };
      break;
  }
}

describe("memory", () => {
  test("an account's retained operations stay bounded however long it runs, and its check is the same", () => {
    const long = generateHistory({ accounts: 1, operationsPerAccount: 4000, seed: 5 });
    const online = checkHistoryOnline(long, { segmentOperations: 200 });
    expect(online.stats.operations).toBe(long.operations.length);
    expect(online.stats.cuts).toBeGreaterThan(10);
    expect(online.stats.lateOperations).toBe(0);
    // The writes of 64 versions and their answers, the newest tokens, 200 operations not yet judged.
    expect(online.stats.peakRetained).toBeLessThan(1000);
    expect(online.violations).toEqual(checkHistory(long).violations);
  });

  test("accounts that end are judged and dropped, so that many accounts over time take no more than those running", () => {
    const many = generateHistory({ accounts: 40, operationsPerAccount: 100, concurrentAccounts: 2, seed: 8 });
    const online = checkHistoryOnline(many, { forgetIdleAfterMs: 300 });
    expect(online.stats.accounts).toBe(40);
    expect(online.stats.forgottenAccounts).toBeGreaterThan(30);
    expect(online.stats.peakRetained).toBeLessThan(many.operations.length / 4);
    expect(online.violations).toEqual([]);
    const checker = new OnlineChecker({ maxOperationMs: 50 });
    for (const op of many.operations.filter((op) => op.account === "acct-0")) checker.add(op);
    checker.endAccount("acct-0");
    expect(checker.result().stats).toMatchObject({ retained: 0, forgottenAccounts: 1, accounts: 1 });
  });

  test("an account judged by time, not count, once its operations can no longer be contradicted by running ones", () => {
    const found: string[] = [];
    const checker = new OnlineChecker({ maxOperationMs: 10, judgeAfterMs: 5, onViolation: (v) => found.push(v.requirement) });
    const h = new HistoryBuilder();
    const first = h.post("A", 1, "-:a", [0, 1], accepted);
    h.post("A", 2, "-:a:b", [2, 3], accepted, { builtOn: first });
    h.get("B", [4, 5], returns(version(1, "-:a")));
    for (const op of h.build().operations) checker.add(op);
    checker.tick(15);
    expect(found).toEqual([]);
    checker.tick(25);
    expect(found).toEqual(["LIN-4"]);
    expect(checker.result().stats.cuts).toBe(1);
  });

  test("a caller that knows its requests in flight has a violation reported without waiting out maxOperationMs, with the operations that prove it", () => {
    const found: Array<{ requirement: string; operations: number[] }> = [];
    let oldestInFlight: number | undefined = 4;
    const checker = new OnlineChecker({
      maxOperationMs: 10_000,
      judgeAfterMs: 5,
      oldestInFlight: () => oldestInFlight,
      onViolation: (v, operations) => found.push({ requirement: v.requirement, operations: operations.map((op) => op.id) }),
    });
    const h = new HistoryBuilder();
    const first = h.post("A", 1, "-:a", [0, 1], accepted);
    h.post("A", 2, "-:a:b", [2, 3], accepted, { builtOn: first });
    const stale = h.get("B", [4, 5], returns(version(1, "-:a")));
    for (const op of h.build().operations) checker.add(op);
    // A request sent at 4 is still in flight: the read it may contradict waits for it.
    checker.tick(20);
    expect(found).toEqual([]);
    oldestInFlight = undefined;
    checker.tick(30);
    expect(found).toHaveLength(1);
    expect(found[0]!.requirement).toBe("LIN-4");
    expect(found[0]!.operations).toContain(stale.id);
  });
});

describe("beyond the horizon", () => {
  test("a stale read of a version no longer kept is still reported, as a version no kept POST sent", () => {
    const h = new HistoryBuilder();
    let previous = h.post("A", 1, "-:1", [0, 1], accepted);
    for (let sequence = 2; sequence <= 10; sequence++) {
      previous = h.post("A", sequence, `${previous.request.encryptedWallet}:${sequence}`, [sequence * 10, sequence * 10 + 1], accepted, { builtOn: previous });
    }
    h.get("B", [200, 201], returns(version(1, "-:1")));
    const history = h.build();
    expect(checkHistory(history).violations.map((v) => v.requirement)).toEqual(["LIN-4"]);
    const online = checkHistoryOnline(history, { ...eagerCuts, horizon: { keepVersions: 2 } });
    expect(online.violations.map((v) => v.requirement)).toEqual(["LIN-3"]);
    expect(online.violations[0]!.operations).toEqual([history.operations.at(-1)!.id]);
  });
});

