// The depth dimensions of generated workloads: accounts advanced to a drawn
// depth (with weight on the one- and two-byte column boundaries), bursts of
// POSTs racing one sequence, and edits padded to boundary sizes in base64 or
// the JSON string range; how they read in words and back from a file; and
// what a history's coverage counts.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { changeLogOf, padWallet } from "../../src/client/wallet-size.js";
import { changeLog } from "../../src/history/bases.js";
import { coverageOf } from "../../src/history/coverage.js";
import { firstDifference } from "../../src/history/text-difference.js";
import { workloadArbitraryFor } from "../../src/interleavings/workload/arbitrary.js";
import { depthArbitrary } from "../../src/interleavings/workload/depth.js";
import { describeWorkload, parseWorkload, type Move, type Workload } from "../../src/interleavings/workload/workload.js";
import { accepted, authorized, conflict, HistoryBuilder, returns, version } from "./history-builder.js";

const accountsOf = (workloads: Workload[]) => workloads.flatMap((w) => w.accounts);
const editsOf = (workloads: Workload[]) =>
  accountsOf(workloads).flatMap((a) => a.devices.flatMap((d) => d.moves.filter((m): m is Extract<Move, { kind: "edit" }> => m.kind === "edit")));

describe("generated depth", () => {
  const workloads = fc.sample(workloadArbitraryFor(), { numRuns: 300, seed: 12 });

  test("most accounts start empty or shallow; some at each one-byte boundary; none past the default cap", () => {
    const depths = accountsOf(workloads).map((a) => a.depth ?? 0);
    expect(depths.filter((d) => d === 0).length / depths.length).toBeGreaterThan(0.3);
    for (const boundary of [127, 128, 255, 256]) expect(depths, `depth ${boundary}`).toContain(boundary);
    expect(Math.max(...depths)).toBeLessThanOrEqual(300);
    expect(depths.filter((d) => d > 256).length).toBeGreaterThan(0);
  });

  test("bursts of 2 to 32 POSTs of one sequence, and none most of the time", () => {
    const bursts = accountsOf(workloads).map((a) => a.burst ?? 0);
    expect(bursts.every((b) => b === 0 || (b >= 2 && b <= 32))).toBe(true);
    expect(bursts.filter((b) => b >= 16).length).toBeGreaterThan(10);
    expect(bursts.filter((b) => b === 0).length).toBeGreaterThan(bursts.length / 3);
  });

  test("edits of every boundary size, in base64 and in the JSON string range; most are a few bytes", () => {
    const edits = editsOf(workloads);
    const sized = edits.filter((e) => e.wallet);
    expect(sized.length).toBeLessThan(edits.length / 5);
    for (const bytes of [64, 4096, 32_769, 65_537, "largest"]) expect(sized.some((e) => e.wallet!.bytes === bytes), String(bytes)).toBe(true);
    for (const text of ["base64", "json"]) expect(sized.some((e) => e.wallet!.text === text), text).toBe(true);
  });

  test("--depth raises the cap to the two-byte boundaries", () => {
    const deep = fc.sample(depthArbitrary(70_000), { numRuns: 2000, seed: 3 });
    for (const boundary of [32_767, 32_768, 65_535, 65_536]) expect(deep, `depth ${boundary}`).toContain(boundary);
    expect(Math.max(...deep)).toBeLessThanOrEqual(70_000);
    expect(fc.sample(depthArbitrary(0), { numRuns: 20, seed: 3 }).every((d) => d === 0)).toBe(true);
  });

  test("shrinking a depth bisects towards the smallest that still fails", () => {
    // A defect from version 25 on: the shrunk depth is 25, whatever depth failed first.
    const failsFrom25 = fc.asyncProperty(depthArbitrary(300), async (depth) => depth < 25);
    return fc.check(failsFrom25, { seed: 7, numRuns: 200 }).then((details) => expect(details.counterexample).toEqual([25]));
  });

  test("read back from a file as generated, and told in words", () => {
    for (const workload of workloads.slice(0, 50)) expect(parseWorkload(JSON.parse(JSON.stringify(workload)))).toEqual(workload);
    const lines = describeWorkload({
      accounts: [{ depth: 25, burst: 2, devices: [{ startMs: 0, opening: "get", sharedId: false, moves: [{ kind: "edit", changes: 1, pauseMs: 0, wallet: { bytes: 65_537, text: "json" } }] }] }],
    });
    expect(lines[0]).toBe("a0: advanced to version 25 by d0, then 2 POSTs of version 26 at once with d0's token; then its devices start");
    expect(lines[1]).toContain("edit ×1, 65537-byte wallet with escapes and non-ASCII");
    const [first, ...rest] = workloads[0]!.accounts;
    expect(() => parseWorkload({ accounts: [{ ...first, depth: -1 }, ...rest] })).toThrow(/accounts\[0\]\.depth must be an integer/);
  });
});

describe("padded wallets", () => {
  test("padding brings a wallet to its size in UTF-8 bytes; the next version keeps only the change log", () => {
    for (const bytes of [64, 4096, 65_537]) {
      for (const text of ["base64", "json"] as const) {
        const wallet = padWallet("-:a0d1-1:a0d2-1", { bytes, text });
        expect(Buffer.byteLength(wallet, "utf8")).toBe(bytes);
        expect(changeLogOf(wallet)).toBe("-:a0d1-1:a0d2-1");
        // The checker reads the change log the same way.
        expect(changeLog(wallet)).toBe(changeLogOf(wallet));
      }
    }
    const json = padWallet("-", { bytes: 200, text: "json" });
    for (const character of ["\u0000", "é", "\u2028", '"', "\\", "\u{1F600}"]) expect(json).toContain(character);
    expect(padWallet("-:a0d1-1", undefined)).toBe("-:a0d1-1");
    expect(padWallet("-:a0d1-1", { bytes: 4, text: "base64" })).toBe("-:a0d1-1");
  });

  test("a wallet cut short is named where it ends", () => {
    expect(firstDifference("x".repeat(99_000), "x".repeat(65_536))).toBe(
      "character 65,537: sent U+0078, returned nothing (the string returned ends there, 99,000 characters were sent)",
    );
  });
});

describe("coverage of a history", () => {
  test("deepest version, largest wallet read back whole, POSTs of one sequence in flight at once, conflicts rebased, replaced tokens", () => {
    const h = new HistoryBuilder();
    const big = "-:a" + "~" + "x".repeat(70_000);
    h.auth("d0", [0, 1]);
    let base = h.post("d0", 1, "-:1", [1, 2], accepted);
    for (let sequence = 2; sequence <= 300; sequence++) base = h.post("d0", sequence, `-:${sequence}`, [sequence, sequence + 1], accepted, { builtOn: base });
    // Three POSTs of 301 at once: one wins, two are refused and rebase.
    h.post("d0", 301, big, [400, 410], accepted, { builtOn: base });
    h.post("d1", 301, "-:b", [401, 411], conflict(version(301, big)), { builtOn: base });
    h.post("d2", 301, "-:c", [402, 412], conflict(version(301, big)), { builtOn: base });
    h.get("d1", [420, 421], returns(version(301, big)));
    // A cut copy of the big wallet does not count as read back whole.
    h.get("d2", [422, 423], returns({ ...version(301, big), encryptedWallet: big.slice(0, 65_536) }));
    h.auth("d1", [430, 431], authorized, { gen: 2 });
    h.get("d1", [440, 441], returns(version(301, big)), { gen: 1 });
    const coverage = coverageOf(h.build());
    expect(coverage).toMatchObject({ maxSequence: 301, largestWallet: 70_004, peakContenders: 3, conflictsRebased: 2, replacedTokenUses: 1, accounts: 0 });
  });
});
