// Workloads as data: generated within bounds, printed one device a line,
// read back from a file with every field checked, deviceIds shared by rank.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { workloadArbitrary, workloadArbitraryFor } from "../../src/interleavings/workload/arbitrary.js";
import {
  countDevices,
  describeWorkload,
  parseWorkload,
  sharedIdSlots,
  workloadLimits,
  type DeviceScript,
  type Workload,
} from "../../src/interleavings/workload/workload.js";

const device = (fields: Partial<DeviceScript> = {}): DeviceScript => ({ startMs: 0, opening: "post", sharedId: false, moves: [], ...fields });

describe("generated workloads", () => {
  test("stay within bounds: at most 32 devices, so at most 32 requests in flight", () => {
    fc.assert(
      fc.property(workloadArbitrary, (workload) => {
        expect(countDevices(workload)).toBeLessThanOrEqual(32);
        expect(parseWorkload(JSON.parse(JSON.stringify(workload)))).toEqual(workload);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  test("often share a deviceId across accounts and mix in every hostile move", () => {
    const workloads = fc.sample(workloadArbitrary, { numRuns: 100, seed: 8 });
    const sharing = workloads.filter((w) => sharedIdSlots(w).some((slots) => slots.size > 0));
    expect(sharing.length).toBeGreaterThan(50);
    const kinds = new Set(workloads.flatMap((w) => w.accounts.flatMap((a) => a.devices.flatMap((d) => d.moves.map((m) => m.kind)))));
    expect([...kinds].sort()).toEqual(["edit", "get", "old-token", "reauth", "repeat", "skip-ahead", "stale"]);
  });
});

test("deviceIds are shared by rank among the devices marked sharedId, in two accounts or more", () => {
  const workload: Workload = {
    accounts: [
      { devices: [device(), device({ sharedId: true }), device({ sharedId: true })] },
      { devices: [device({ sharedId: true }), device()] },
      { devices: [device(), device()] },
    ],
  };
  expect(sharedIdSlots(workload).map((slots) => [...slots])).toEqual([[[1, 0]], [[0, 0]], []]);
});

test("a workload in words: one device a line, moves in order", () => {
  const workload: Workload = {
    accounts: [
      {
        devices: [
          device({ sharedId: true, moves: [{ kind: "edit", changes: 2, pauseMs: 0 }, { kind: "reauth", thenOldToken: "get", pauseMs: 3 }] }),
          device({ opening: "get", startMs: 2 }),
        ],
      },
      { devices: [device({ sharedId: true }), device({ moves: [{ kind: "skip-ahead", by: 2, pauseMs: 1 }] })] },
    ],
  };
  expect(describeWorkload(workload)).toEqual([
    "a0/d0 [deviceId s0, shared across accounts] at 0 ms: POST of a first change at once, then edit ×2 · 3 ms, re-auth then old-token GET",
    "a0/d1 at 2 ms: GET first",
    "a1/d0 [deviceId s0, shared across accounts] at 0 ms: POST of a first change at once",
    "a1/d1 at 0 ms: POST of a first change at once, then 1 ms, skip-ahead POST (base + 1 + 2)",
  ]);
});

test.each([
  [{ accounts: [] }, "workload.accounts must have 1 to 4 entries"],
  [{ accounts: [{ devices: [device(), device()] }, { devices: [] }] }, `workload.accounts[1].devices must have 1 to ${workloadLimits.devices.max} entries`],
  [
    { accounts: [{ devices: [device(), device({ startMs: 99 })] }, { devices: [device(), device()] }] },
    `workload.accounts[0].devices[1].startMs must be an integer from 0 to ${workloadLimits.startMs.max}`,
  ],
  [
    { accounts: [{ devices: [device(), device({ moves: [{ kind: "fly" } as never] })] }, { devices: [device(), device()] }] },
    "workload.accounts[0].devices[1].moves[0].pauseMs must be an integer from 0 to 5",
  ],
  [
    { accounts: [{ devices: [device(), device({ moves: [{ kind: "fly", pauseMs: 0 } as never] })] }, { devices: [device(), device()] }] },
    "workload.accounts[0].devices[1].moves[0].kind must be one of edit, get, stale, skip-ahead, repeat, reauth, old-token",
  ],
])("a bad workload is refused with the field that is wrong: %j", (value, message) => {
  expect(() => parseWorkload(value)).toThrow(message);
});

test("a file may hold fewer accounts and devices than are generated: a shrunk counterexample of one account of one device", () => {
  const shrunk = { accounts: [{ devices: [device()] }] };
  expect(parseWorkload(shrunk)).toEqual(shrunk);
});

describe("api3 workloads", () => {
  const api3Workloads = workloadArbitraryFor({ profile: "api3" });

  test("add password changes and sockets to the seed's moves, and read back in the api3 profile only", () => {
    const workloads = fc.sample(api3Workloads, { numRuns: 100, seed: 8 });
    const kinds = new Set(workloads.flatMap((w) => w.accounts.flatMap((a) => a.devices.flatMap((d) => d.moves.map((m) => m.kind)))));
    expect([...kinds].sort()).toEqual(["edit", "get", "listen", "old-token", "password-change", "password-change-without-wallet", "reauth", "repeat", "skip-ahead", "stale"]);
    for (const workload of workloads) {
      expect(countDevices(workload)).toBeLessThanOrEqual(32);
      expect(parseWorkload(JSON.parse(JSON.stringify(workload)), "workload", "api3")).toEqual(workload);
    }
    const withApi3Moves = workloads.find((w) => w.accounts.some((a) => a.devices.some((d) => d.moves.some((m) => m.kind === "listen"))))!;
    expect(() => parseWorkload(withApi3Moves)).toThrow(/kind must be one of edit, get, stale, skip-ahead, repeat, reauth, old-token$/);
  });

  test("the seed profile's workloads are what they always were", () => {
    const seed = fc.sample(workloadArbitraryFor({ profile: "seed" }), { numRuns: 20, seed: 5 });
    expect(seed).toEqual(fc.sample(workloadArbitrary, { numRuns: 20, seed: 5 }));
  });

  test("in words", () => {
    const workload: Workload = {
      accounts: [
        { devices: [device({ moves: [{ kind: "listen", pauseMs: 0 }, { kind: "password-change", pauseMs: 2 }] }), device()] },
        { devices: [device(), device()] },
      ],
    };
    expect(describeWorkload(workload)[0]).toBe("a0/d0 at 0 ms: POST of a first change at once, then listen on a socket · 2 ms, password change");
  });
});
