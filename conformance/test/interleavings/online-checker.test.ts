// The online checker judges a history as it grows, in bounded memory, and
// agrees with the offline checker on every history: synthetic ones of a
// correct server, with injected bugs and with random faults, cut as often as
// possible, with the default horizon and with the smallest one; simulated
// api3 histories; the report fixtures. The
// checkers' other tests (hand-made, api3, recorded runs) check agreement on
// their histories too (checker-agreement.ts).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { generateHistory, type SyntheticOptions } from "../../bench/synthetic-history.js";
import { checkHistory } from "../../src/history/checker.js";
import type { History, Operation, ServerEvent } from "../../src/history/history.js";
import { OnlineChecker } from "../../src/history/online/online-checker.js";
import { checkHistoryOnline } from "../../src/history/online/replay.js";
import { largeBrokenHistory, smallBrokenHistory } from "../fixtures/interleaving-run.js";
import { eagerCuts, expectCheckersAgree, smallestHorizon } from "./checker-agreement.js";
import { simulateApi3, simulations } from "./api3-simulation.js";
import { accepted, authorized, conflict, HistoryBuilder, returns, serverError, version, versionOf } from "./history-builder.js";
import { busy, injectedBugs, workloads } from "./synthetic-workloads.js";

/** More versions than a synthetic history of `workloads` has. */
const everyVersion = 1000;

/** CHECKER_SWEEP_RUNS=N runs the randomized agreement tests on N histories each (a sweep before a change to a checker lands). */
const sweepRuns = process.env.CHECKER_SWEEP_RUNS ? Number(process.env.CHECKER_SWEEP_RUNS) : undefined;
const sweepTimeout = 30_000 + (sweepRuns ?? 0) * 100;

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
      { numRuns: sweepRuns ?? 40 },
    );
  }, sweepTimeout);

  test("on simulated api3 histories of a correct server (password changes, sockets), however little it keeps", () => {
    fc.assert(
      fc.property(simulations, fc.boolean(), (options, smallest) => {
        const online = expectCheckersAgree(simulateApi3(options), { ...eagerCuts, ...(smallest ? { horizon: smallestHorizon } : {}) });
        expect(online.violations).toEqual([]);
      }),
      { numRuns: sweepRuns ?? 40 },
    );
  }, sweepTimeout);

  test.each(injectedBugs)("on histories with $name", ({ inject }) => {
    let injected = 0;
    fc.assert(
      fc.property(busy, fc.nat(), (options, pick) => {
        const history = structuredClone(generateHistory(options));
        if (!inject(history.operations, pick)) return;
        injected++;
        expect(expectCheckersAgree(history, { segmentOperations: 8, judgeAfterMs: 0 }).passed).toBe(false);
      }),
      // Histories of busy accounts take ten times as long as the others.
      { numRuns: sweepRuns !== undefined ? Math.ceil(sweepRuns / 10) : 5 },
    );
    expect(injected).toBeGreaterThan(0);
  }, sweepTimeout);

  test("on histories with random faults (answers flipped, reads of other versions, older tokens, lost wallets), an injected bug and a crash, however it cuts them", () => {
    const faultsAndCuts = fc.record({
      faults: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      bug: fc.option(fc.nat()),
      // Where in the history the server crashes and restarts, as a fraction of its span.
      crash: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    });
    fc.assert(
      fc.property(workloads, faultsAndCuts, cuts, (options, { faults, bug, crash }, cut) => {
        const history = brokenHistory(options, { faults, bug, crash });
        // A read of a version beyond the horizon is worded differently (LIN-3 for LIN-4, see "beyond the horizon"): these keep every version.
        expectCheckersAgree(history, { ...cut, horizon: { keepVersions: everyVersion } });
      }),
      { numRuns: sweepRuns ?? 60 },
    );
  }, sweepTimeout);

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

/** What the random tests break in a synthetic history: faults (injectFault), an injected bug, a crash (crashAt); null or absent: none. */
interface Breakage {
  faults: readonly number[];
  bug?: number | null;
  crash?: number | null;
}

/** A synthetic history of `options`, broken as `breakage` says. */
function brokenHistory(options: SyntheticOptions, { faults, bug, crash }: Breakage): History {
  const history = structuredClone(generateHistory(options));
  for (const fault of faults) injectFault(history.operations, fault);
  if (bug != null) injectedBugs[bug % injectedBugs.length]!.inject(history.operations, bug);
  if (crash != null) history.events = crashAt(history.operations, crash);
  return history;
}

/** A crash and restart of the server at `fraction` of the history's span. */
function crashAt(operations: readonly Operation[], fraction: number): ServerEvent[] {
  const first = Math.min(...operations.map((op) => op.invokedAt));
  const last = Math.max(...operations.map((op) => op.completedAt));
  const at = first + (last - first) * fraction;
  return [
    { kind: "crash", at },
    { kind: "restart", at: at + 0.001 },
  ];
}

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

describe("a violation that names a request still running", () => {
  test("waits for it, its proof carried across every cut until then, and is reported as the offline checker reports it", () => {
    const h = new HistoryBuilder();
    const first = h.post("A", 1, "-:a", [0, 1], accepted);
    h.get("D", [1.2, 1.5], returns(version(1, "-:a")));
    // B reads a version that only C's POST, sent just after, carries; that POST is refused: no accepted POST stored it.
    const refused = h.post("C", 1, "-:c", [3.5, 10], conflict(version(1, "-:a")));
    const read = h.get("B", [2, 3], returns(version(1, "-:c")));
    // Then B reads a later version: its read of version 1 is no longer the newest it saw.
    h.post("A", 2, "-:a:b", [3.2, 3.8], accepted, { builtOn: first });
    h.get("B", [4.1, 4.4], returns(version(2, "-:a:b")));
    // With requests of at most 8 ms, the cuts at 4 (judging the read) and at 6 and 8 come while C's POST runs.
    for (const [sent, answered] of [[4.5, 5], [5.5, 7], [5, 12], [6, 14], [7, 16]] as const) h.get("D", [sent, answered], returns(version(2, "-:a:b")));
    const online = expectCheckersAgree(h.build(), { ...eagerCuts, maxOperationMs: 8 });
    expect(online.violations.map((v) => [v.requirement, v.operations])).toEqual([["LIN-3", [read.id, refused.id]]]);
  });
});

describe("histories the randomized agreement tests once found the checkers to disagree on", () => {
  interface Found extends Breakage {
    options: SyntheticOptions;
  }
  /** A synthetic workload as fast-check drew it: no faults of its own but those given. */
  const drawn = (accounts: number, operationsPerAccount: number, clientsPerAccount: number, seed: number, rates: Partial<SyntheticOptions> = {}): SyntheticOptions => ({
    accounts,
    operationsPerAccount,
    clientsPerAccount,
    seed,
    lostAnswerRate: 0,
    serverErrorRate: 0,
    reauthRate: 0,
    hostileRate: 0,
    concurrentAccounts: 1,
    ...rates,
  });
  // Each was a proof the online checker dropped: of a violation waiting for a request still running (LIN-3, twice),
  // of a device's first token (TOKEN-2, twice), of the answer that first showed a second version (LIN-2, reported again),
  // of the answer that first showed a version lost in a crash (DUR-1, reported again);
  // or one the offline checker took from the future: another account's wallet that it sent only later (TOKEN-1, now LIN-3).
  const found: Found[] = [
    { options: drawn(1, 48, 9, 1994502967), faults: [1739789486, 0] },
    { options: drawn(1, 54, 7, 604807785), faults: [16, 0] },
    { options: drawn(1, 86, 1, 2147479475, { reauthRate: 0.14749704371206465 }), faults: [], bug: 890433887 },
    { options: drawn(3, 151, 2, 1834291058, { reauthRate: 0.19997747591696682, concurrentAccounts: 3 }), faults: [], bug: 1695803285 },
    { options: drawn(1, 101, 7, 28102816, { serverErrorRate: 0.09279076266102494 }), faults: [514739176, 868583371], crash: 0 },
    { options: drawn(2, 63, 2, 1484197556, { hostileRate: 0.39289576094597584, concurrentAccounts: 2 }), faults: [1991292566], bug: 1505529183 },
    { options: drawn(1, 20, 1, 987618219), faults: [842732588], bug: 350619247, crash: 0.1502025946689499 },
  ];
  test.each(found)("%#: both find it broken, alike", ({ options, ...breakage }) => {
    const history = brokenHistory(options, breakage);
    expect(expectCheckersAgree(history, { ...eagerCuts, horizon: { keepVersions: everyVersion } }).passed).toBe(false);
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

  test("a use of a device's first token, after more re-logins than tokens kept, names the login that first replaced it", () => {
    const h = new HistoryBuilder();
    h.auth("B", [0, 0.5]);
    const firstLogin = h.auth("A", [0, 1]);
    const firstReplacement = h.auth("A", [2, 3], authorized, { gen: 2 });
    for (let gen = 3; gen <= 8; gen++) h.auth("A", [gen * 2, gen * 2 + 1], authorized, { gen });
    const stale = h.get("A", [20, 21], returns(version(1, "-:a")), { gen: 1 });
    const history = h.build();
    const online = expectCheckersAgree(history, { ...eagerCuts, horizon: { keepTokens: 2 } });
    expect(online.violations.filter((v) => v.requirement === "TOKEN-2").map((v) => v.operations)).toEqual([[stale.id, firstReplacement.id, firstLogin.id]]);
  });
});

