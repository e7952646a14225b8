// Traffic profiles as data: every profile can be drawn from and its
// workloads fit a counterexample file; the default profile holds the numbers
// workloads were always drawn with, and the arbitraries read them from it;
// the load profiles go where they say.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { replaySeedCommand } from "../../src/interleavings/property/words.js";
import { workloadArbitrary, workloadArbitraryFor } from "../../src/interleavings/workload/arbitrary.js";
import {
  defaultTrafficProfile,
  longLivedLimits,
  trafficProfileNamed,
  trafficProfileNames,
  trafficProfileProblems,
  trafficProfiles,
  type TrafficProfile,
} from "../../src/interleavings/workload/traffic.js";
import { countDevices, parseWorkload, workloadLimits, type Workload } from "../../src/interleavings/workload/workload.js";
import { defaultDepthCap } from "../../src/defaults.js";

const named = (name: string): TrafficProfile => trafficProfileNamed(name)!;
const accountsOf = (workloads: Workload[]) => workloads.flatMap((w) => w.accounts);

describe("the profiles", () => {
  test("each can be drawn from, under a name of its own, the default first", () => {
    expect(new Set(trafficProfileNames).size).toBe(trafficProfiles.length);
    expect(trafficProfiles[0]).toBe(defaultTrafficProfile);
    for (const profile of trafficProfiles) expect(trafficProfileProblems(profile), profile.name).toEqual([]);
    expect(trafficProfileNamed("nope")).toBeUndefined();
  });

  test("a profile that cannot be drawn from, or whose workloads no file could hold, is told what is wrong", () => {
    const broken: TrafficProfile = {
      ...defaultTrafficProfile,
      accounts: { min: 3, max: 2 },
      devices: { min: 1, max: 40 },
      moveWeights: { ...defaultTrafficProfile.moveWeights, edit: 0, get: 0, stale: 0, "skip-ahead": 0, repeat: 0, reauth: 0, "old-token": 0 },
      bursts: { ...defaultTrafficProfile.bursts, min: 1 },
      minimalRate: -1,
      longLived: { ...defaultTrafficProfile.longLived, accounts: 9, devicesPerAccount: 0, wallets: { plain: 0, padded: 0, boundary: 1, largest: 1 }, newcomers: 9, workloadPauseMs: -1 },
    };
    expect(trafficProfileProblems(broken)).toEqual([
      "accounts must be integers with min <= max",
      `devices must lie within 1 to ${workloadLimits.devices.max}`,
      `accounts.max × devices.max must be at most ${workloadLimits.devicesInAll}`,
      "moveWeights must not all be 0",
      `bursts must lie within 2 to ${workloadLimits.burst.max}`,
      "minimalRate must be a number of 0 or more",
      `longLived.accounts must lie within 0 to ${longLivedLimits.accounts}`,
      "longLived.wallets must not all be 0",
      `longLived.newcomers must lie within 0 to ${longLivedLimits.newcomers}`,
      `longLived.devicesPerAccount must lie within 1 to ${longLivedLimits.devicesPerAccount}`,
      `longLived.workloadPauseMs must lie within 0 to ${longLivedLimits.workloadPauseMs}`,
    ]);
  });

  test("the default holds the numbers workloads were always drawn with, and no minimal rate", () => {
    const { name, stresses: _stresses, ...numbers } = defaultTrafficProfile;
    expect(name).toBe("default");
    expect(numbers).toEqual({
      accounts: { min: 2, max: 4 },
      devices: { min: 2, max: 8 },
      moves: { min: 0, max: 8 },
      moveWeights: { edit: 8, get: 4, stale: 1, "skip-ahead": 1, repeat: 1, reauth: 2, "old-token": 1, "password-change": 2, listen: 2, "password-change-without-wallet": 1 },
      depth: { cap: defaultDepthCap, weights: { none: 10, shallow: 3, boundary: 2, anywhere: 1 }, shallowMax: 40, anywhereAbove: defaultDepthCap },
      wallets: { plain: 15, padded: 1, boundary: 4, largest: 1 },
      bursts: { none: 3, some: 2, min: 2, max: 32 },
      minimalRate: 0,
      longLived: {
        accounts: 4,
        devicesPerAccount: 4,
        moveWeights: { edit: 400, get: 50, stale: 8, "skip-ahead": 8, repeat: 8, reauth: 1, "old-token": 8, "password-change": 1, "password-change-without-wallet": 1, listen: 0 },
        wallets: { plain: 120, padded: 1, boundary: 40, largest: 1 },
        newcomers: 2,
        workloadPauseMs: 0,
      },
    });
  });

  test("the arbitraries read every number from the profile: a copy draws the same, a changed one draws the change", () => {
    const copy = structuredClone(defaultTrafficProfile);
    expect(fc.sample(workloadArbitraryFor({ traffic: copy }), { numRuns: 20, seed: 9 })).toEqual(fc.sample(workloadArbitrary, { numRuns: 20, seed: 9 }));
    const changed: TrafficProfile = { ...copy, accounts: { min: 1, max: 1 }, devices: { min: 5, max: 5 }, bursts: { ...copy.bursts, none: 0 } };
    const workloads = fc.sample(workloadArbitraryFor({ traffic: changed }), { numRuns: 20, seed: 9 });
    expect(workloads.every((w) => w.accounts.length === 1 && w.accounts[0]!.devices.length === 5 && (w.accounts[0]!.burst ?? 0) >= 2)).toBe(true);
  });
});

test("a seed's replay command names the traffic profile other than the default, and --depth only when it differs from the profile's cap", () => {
  const target = { urls: ["http://a:1"], timeoutMs: 10_000, only: ["LIN-2"] };
  const deep = named("deep");
  expect(replaySeedCommand(target, 3, "4")).toBe("npx wallet-sync-conformance --url http://a:1 --only LIN-2/interleavings --seed 3 --path 4");
  expect(replaySeedCommand({ ...target, traffic: deep, depthCap: deep.depth.cap }, 3, "4")).toBe(
    "npx wallet-sync-conformance --url http://a:1 --traffic deep --only LIN-2/interleavings --seed 3 --path 4",
  );
  expect(replaySeedCommand({ ...target, traffic: deep, depthCap: defaultDepthCap }, 3, "4")).toContain(`--traffic deep --depth ${defaultDepthCap} --only`);
});

describe.each(trafficProfiles.map((profile) => [profile.name, profile] as const))("workloads of the %s profile", (_name, traffic) => {
  const workloads = fc.sample(workloadArbitraryFor({ traffic, profile: "api3" }), { numRuns: 60, seed: 4 });

  test("stay within its bounds and read back from a file as generated", () => {
    for (const workload of workloads) {
      expect(workload.accounts.length).toBeGreaterThanOrEqual(traffic.accounts.min);
      expect(workload.accounts.length).toBeLessThanOrEqual(traffic.accounts.max);
      for (const account of workload.accounts) {
        expect(account.devices.length).toBeGreaterThanOrEqual(traffic.devices.min);
        expect(account.devices.length).toBeLessThanOrEqual(traffic.devices.max);
        expect(account.depth ?? 0).toBeLessThanOrEqual(traffic.depth.cap);
      }
      expect(countDevices(workload)).toBeLessThanOrEqual(workloadLimits.devicesInAll);
      expect(parseWorkload(JSON.parse(JSON.stringify(workload)), "workload", "api3")).toEqual(workload);
    }
  });
});

describe("the load profiles go where they say", () => {
  const sample = (name: string) => accountsOf(fc.sample(workloadArbitraryFor({ traffic: named(name) }), { numRuns: 100, seed: 6 }));
  const defaults = sample("default");
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  test("deep: accounts advanced to thousands of versions, far deeper than by default", () => {
    const depths = sample("deep").map((a) => a.depth ?? 0);
    expect(Math.max(...depths)).toBeGreaterThan(2000);
    expect(median(depths)).toBeGreaterThan(10 * Math.max(1, median(defaults.map((a) => a.depth ?? 0))));
  });

  test("contention: more devices on an account and bursts of at least 8 more often than not", () => {
    const accounts = sample("contention");
    expect(median(accounts.map((a) => a.devices.length))).toBeGreaterThan(median(defaults.map((a) => a.devices.length)));
    const bursts = accounts.map((a) => a.burst ?? 0);
    expect(bursts.every((b) => b === 0 || b >= 8)).toBe(true);
    expect(bursts.filter((b) => b > 0).length).toBeGreaterThan(accounts.length / 2);
  });

  test("large-wallets: far more edits padded than by default", () => {
    const padded = (accounts: ReturnType<typeof sample>) => {
      const edits = accounts.flatMap((a) => a.devices.flatMap((d) => d.moves.filter((m) => m.kind === "edit")));
      return edits.filter((e) => e.kind === "edit" && e.wallet !== undefined).length / edits.length;
    };
    expect(padded(sample("large-wallets"))).toBeGreaterThan(4 * padded(defaults));
  });
});
