// The parts of a soak's long-lived accounts that need no server: the
// streaming recorder, the endless draw of moves, the bounded throughput
// series, and the progress line that counts them.
import { describe, expect, test } from "vitest";
import type { Exchange } from "../../src/client/protocol-client.js";
import type { Operation } from "../../src/history/history.js";
import { HistoryRecorder } from "../../src/interleavings/execution/recorder.js";
import { deviceSeed, MoveDraw } from "../../src/interleavings/soak/move-draw.js";
import { ThroughputSeries } from "../../src/interleavings/soak/throughput.js";
import { moveArbitraryFor } from "../../src/interleavings/workload/arbitrary.js";
import { defaultTrafficProfile } from "../../src/interleavings/workload/traffic.js";
import { describeProgress } from "../../src/report/progress.js";

function answered(startedAt: number, status: number, json: unknown = {}): Exchange {
  return { request: { method: "POST", path: "/auth/full", headers: {} }, response: { status, headers: {}, text: JSON.stringify(json), json }, startedAt, endedAt: startedAt + 1 };
}

describe("a streaming recorder", () => {
  test("hands every operation to its sink, numbered on, and keeps none", () => {
    const streamed: Operation[] = [];
    const recorder = new HistoryRecorder("append-log", undefined, { sink: (op) => streamed.push(op) }, "api3");
    const labels = { account: "long-a0", client: "d0" };
    for (let login = 0; login < 40; login++) recorder.auth(labels, answered(login * 10, 200, { token: `t${login}` }), "p0");
    recorder.get(labels, 40, answered(500, 200));
    const change = recorder.password(labels, { oldPassword: "p0", newPassword: "p1" }, answered(600, 200));
    expect(streamed.map((op) => op.id)).toEqual(Array.from({ length: 42 }, (_, index) => index + 1));
    expect(recorder.operations).toHaveLength(0);
    expect(recorder.recordedCount).toBe(42);
    // A password change ends the device's newest tokens, as many as the online checker keeps: not every token ever issued.
    expect(change.endsTokens.map((token) => token.tokenGeneration)).toEqual(Array.from({ length: 16 }, (_, index) => 25 + index));
  });

  test("without a sink it keeps every operation, as a workload's recorder always did", () => {
    const recorder = new HistoryRecorder();
    recorder.auth({ account: "a0", client: "d0" }, answered(0, 200, { token: "t" }));
    expect(recorder.operations.map((op) => op.id)).toEqual([1]);
    expect(recorder.toHistory().operations).toHaveLength(1);
  });
});

describe("a long-lived device's moves", () => {
  const moves = moveArbitraryFor({ traffic: { ...defaultTrafficProfile, moveWeights: defaultTrafficProfile.longLived.moveWeights } });
  const draw = (seed: number, count: number) => {
    const device = new MoveDraw(moves, seed);
    return Array.from({ length: count }, () => device.next());
  };

  test("are the same for the same seed and place, past a batch, and others for another device", () => {
    expect(draw(deviceSeed(7, 0, 1), 200)).toEqual(draw(deviceSeed(7, 0, 1), 200));
    expect(draw(deviceSeed(7, 0, 2), 200)).not.toEqual(draw(deviceSeed(7, 0, 1), 200));
  });

  test("are mostly edits, as the profile's long-lived weights say, and never a socket", () => {
    const drawn = draw(deviceSeed(1, 0, 0), 1000);
    expect(drawn.filter((move) => move.kind === "edit").length).toBeGreaterThan(600);
    expect(drawn.some((move) => move.kind === "listen" || move.kind === "password-change")).toBe(false);
  });
});

describe("the throughput series", () => {
  test("holds at most its points however long the run, and keeps the rate", () => {
    const series = new ThroughputSeries(0, 120, 1000);
    // An hour at 300 operations per second, 100 of them the long-lived accounts'.
    for (let second = 0; second < 3600; second++) {
      series.add(200, "workloads", second * 1000 + 500);
      series.add(100, "longLived", second * 1000 + 500);
    }
    const points = series.points(3_600_000);
    expect(points.length).toBeLessThanOrEqual(120);
    expect(points.length).toBeGreaterThan(60);
    expect(points.at(-1)!.atSeconds).toBe(3600);
    for (const point of points) expect(point).toMatchObject({ operationsPerSecond: 300, longLivedPerSecond: 100 });
  });
});

test("the progress line counts the long-lived accounts", () => {
  const line = describeProgress({ runsDone: 12, operationsPerSecond: 310, accounts: 40, deepestVersion: 6310, violations: 0, longLived: { accounts: 3, operations: 41_200, deepestVersion: 6310 } }, 150 * 1024 * 1024);
  expect(line).toBe("12 runs, 310 checked ops/s, 40 accounts, deepest version 6,310, long-lived: 3 accounts, 41,200 ops, version 6,310, 0 violations, RSS 150 MB");
});
