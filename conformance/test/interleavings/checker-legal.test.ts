// Legal histories, many of them tricky: the checker must report nothing.
// A false alarm is as bad as a missed bug.
import { describe, expect, test } from "vitest";
import { checkHistory } from "../../src/history/checker.js";
import {
  accepted,
  conflict,
  HistoryBuilder,
  lostConnection,
  notFound,
  returns,
  serverError,
  timeout,
  unauthorized,
  version,
  versionOf,
} from "./history-builder.js";
import { expectCheckersAgree } from "./checker-agreement.js";

/** Client A stores versions 1..count, at negative times: "-:1", "-:1:2", ... */
function storeFirstVersions(h: HistoryBuilder, count: number): void {
  let content = "-";
  for (let sequence = 1; sequence <= count; sequence++) {
    content += `:${sequence}`;
    h.post("A", sequence, content, [-100 + 10 * sequence, -95 + 10 * sequence], accepted);
  }
}

function expectLegal(builder: HistoryBuilder) {
  const history = builder.build();
  expectCheckersAgree(history);
  const result = checkHistory(history);
  expect(result.violations).toEqual([]);
  expect(result.passed).toBe(true);
  return result;
}

describe("legal histories", () => {
  test("the walkthrough's two devices, including a POST without changes and a conflict", () => {
    const h = new HistoryBuilder();
    h.auth("c1", [0, 1]);
    h.auth("c2", [1, 2]);
    const v1 = h.post("c1", 1, "-", [3, 4], accepted);
    h.get("c2", [5, 6], returns(versionOf(v1)));
    const v2 = h.post("c2", 2, "-", [7, 8], accepted);
    h.get("c1", [9, 10], returns(versionOf(v2)));
    const v3 = h.post("c1", 3, "-:cfF6", [11, 12], accepted);
    h.get("c2", [13, 14], returns(versionOf(v3)));
    h.post("c1", 4, "-:cfF6:565b", [15, 16], accepted);
    h.get("c2", [17, 18], returns(version(4, "-:cfF6:565b")));
    const v5 = h.post("c2", 5, "-:cfF6:565b:6De1", [19, 20], accepted);
    h.get("c1", [21, 22], returns(versionOf(v5)));
    const v6 = h.post("c2", 6, "-:cfF6:565b:6De1:053a", [23, 24], accepted);
    h.post("c1", 6, "-:cfF6:565b:6De1:6774", [25, 26], conflict(versionOf(v6)));
    h.post("c1", 7, "-:cfF6:565b:6De1:053a:6774", [27, 28], accepted);
    expectLegal(h);
  });

  test("overlapping POSTs of one sequence: the one sent later may win", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a1", [0, 1], accepted);
    h.post("A", 2, "-:a1:a2", [10, 40], conflict(version(2, "-:a1:b2")));
    h.post("B", 2, "-:a1:b2", [20, 30], accepted);
    expectLegal(h);
  });

  test("a 409 body may be newer than the version that caused the refusal, even the posted sequence - 1", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    h.post("A", 2, "-:a:b", [2, 3], accepted);
    // C skips ahead from version 2 to 4 while A's 3 is in flight: the server
    // refuses (it held 2), then re-reads and finds A's version 3.
    h.post("C", 4, "-:a:b:c", [10, 20], conflict(version(3, "-:a:b:a3")), { base: 2 });
    h.post("A", 3, "-:a:b:a3", [11, 15], accepted);
    // B's honest POST of 3 is refused with a body two versions newer.
    h.post("B", 3, "-:a:b:x", [12, 40], conflict(version(5, "-:a:b:a3:a4:a5")));
    h.post("A", 4, "-:a:b:a3:a4", [16, 18], accepted);
    h.post("A", 5, "-:a:b:a3:a4:a5", [19, 21], accepted);
    expectLegal(h);
  });

  test("a POST that skipped ahead is accepted while the version below it was stored", () => {
    // The server cannot know what its client had seen: accepting is what SEQ-2 demands.
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    h.post("A", 2, "-:a:b", [2, 3], accepted);
    h.post("B", 3, "-:b", [4, 5], accepted, { base: 0 });
    h.post("C", 4, "-:b:c", [6, 7], accepted);
    expectLegal(h);
  });

  test("reads overlapping a POST may return the old or the new version, in any order", () => {
    const h = new HistoryBuilder();
    storeFirstVersions(h, 4);
    const v5 = h.post("A", 5, "-:1:2:3:4:a5", [10, 20], accepted);
    h.get("C", [12, 15], returns(version(4, "-:1:2:3:4")));
    h.get("D", [15, 25], returns(versionOf(v5)));
    // E's GET was sent before A's POST and D's GET were answered: it may precede both.
    h.get("E", [16, 30], returns(version(4, "-:1:2:3:4")));
    h.get("F", [20, 22], returns(versionOf(v5)));
    // The answer of C's overlapping POST carries the new version.
    h.post("G", 5, "-:1:2:3:4:g5", [11, 19], conflict(versionOf(v5)));
    expectLegal(h);
  });

  test("one device's overlapping requests are not ordered", () => {
    const h = new HistoryBuilder();
    storeFirstVersions(h, 4);
    const v5 = h.post("B", 5, "-:1:2:3:4:b5", [5, 28], accepted);
    h.get("C", [10, 30], returns(versionOf(v5)));
    h.get("C", [20, 25], returns(version(4, "-:1:2:3:4")));
    expectLegal(h);
  });

  test("requests sent exactly when another was answered are concurrent with it", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 10], accepted);
    h.get("B", [10, 12], notFound);
    expectLegal(h);
  });

  test("a GET 404 overlapping the first POST", () => {
    const h = new HistoryBuilder();
    h.get("B", [0, 3], notFound);
    h.post("A", 1, "-:a", [1, 5], accepted);
    h.get("C", [4, 8], notFound);
    h.post("D", 2, "-:d", [2, 9], conflict(), { base: 1 });
    expectLegal(h);
  });

  test("a timed-out POST that took effect: later answers show it and build on it", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const lost = h.post("B", 2, "-:a:b", [10, 1010], timeout);
    h.get("C", [20, 30], returns(versionOf(lost)));
    h.post("C", 3, "-:a:b:c", [31, 40], accepted);
    const result = expectLegal(h);
    expect(result.indeterminatePosts).toEqual([{ operation: lost.id, account: "acct", sequence: 2, resolution: "took-effect" }]);
  });

  test("a POST answered 5xx whose version was stored is neither success nor failure", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const failed = h.post("B", 2, "-:a:b", [10, 12], serverError(500));
    h.post("A", 2, "-:a:a2", [13, 14], conflict(versionOf(failed)));
    h.get("C", [15, 16], returns(versionOf(failed)));
    const result = expectLegal(h);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ requirement: "LIN-7", count: 1, byStatus: { "500": 1 }, byEndpoint: { "POST /wallet": 1 } });
    expect(result.warnings[0]?.explanation).toContain("(1 × 500; POST /wallet 1)");
  });

  test("a lost POST that did not take effect: another version of its sequence did", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const lost = h.post("B", 2, "-:a:b", [10, 50], lostConnection);
    const winner = h.post("A", 2, "-:a:a2", [11, 20], accepted);
    h.get("C", [60, 61], returns(versionOf(winner)));
    const result = expectLegal(h);
    expect(result.indeterminatePosts[0]?.resolution).toBe("did-not-take-effect");
  });

  test("lost POSTs of one sequence, none returned: the next version shows which one took effect", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const b = h.post("B", 2, "-:a:b", [10, 50], timeout);
    const d = h.post("D", 2, "-:a:d", [10, 50], timeout);
    h.post("E", 3, "-:a:b:e", [60, 61], accepted);
    const result = expectLegal(h);
    const byId = new Map(result.indeterminatePosts.map((p) => [p.operation, p.resolution]));
    expect(byId.get(b.id)).toBe("took-effect");
    expect(byId.get(d.id)).toBe("did-not-take-effect");
  });

  test("a lost POST that nothing shows stays unknown", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const lost = h.post("B", 2, "-:a:b", [10, 50], timeout);
    h.get("C", [20, 21], returns(version(1, "-:a")));
    const result = expectLegal(h);
    expect(result.indeterminatePosts[0]).toMatchObject({ operation: lost.id, resolution: "unknown" });
  });

  test("a re-auth overlapping a request with the old token, and a re-auth that timed out", () => {
    const h = new HistoryBuilder();
    h.auth("A", [0, 1], undefined, { gen: 1 });
    h.post("A", 1, "-:a", [2, 3], accepted);
    h.auth("A", [10, 20], undefined, { gen: 2 });
    h.get("A", [12, 18], returns(version(1, "-:a")), { gen: 1 });
    h.get("A", [19, 25], returns(version(1, "-:a")), { gen: 1 });
    h.auth("B", [0, 1], undefined, { gen: 1 });
    h.auth("B", [30, 40], timeout, { gen: 2 });
    h.get("B", [50, 51], returns(version(1, "-:a")), { gen: 1 });
    expectLegal(h);
  });

  test("overlapping re-auths may be processed in either order", () => {
    const h = new HistoryBuilder();
    h.auth("A", [0, 1], undefined, { gen: 1 });
    h.post("A", 1, "-:a", [2, 3], accepted);
    h.auth("A", [10, 30], undefined, { gen: 2 });
    h.auth("A", [15, 20], undefined, { gen: 3 });
    // Generation 3 may have been processed before generation 2, which is then current.
    h.get("A", [40, 41], returns(version(1, "-:a")), { gen: 2 });
    h.get("A", [42, 43], unauthorized, { gen: 3 });
    expectLegal(h);
  });

  test("the same device label in two accounts keeps two independent tokens", () => {
    const h = new HistoryBuilder();
    h.auth("A", [0, 1], undefined, { gen: 1, account: "x" });
    h.auth("A", [0, 1], undefined, { gen: 1, account: "y" });
    h.post("A", 1, "-:x", [2, 3], accepted, { account: "x" });
    h.auth("A", [5, 6], undefined, { gen: 2, account: "y" });
    h.get("A", [10, 11], returns(version(1, "-:x", "x")), { gen: 1, account: "x" });
    expectLegal(h);
  });

  test("accounts share sequence numbers, not contents", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:x1", [0, 1], accepted, { account: "x" });
    h.post("A", 1, "-:y1", [0, 1], accepted, { account: "y" });
    h.get("B", [2, 3], returns(version(1, "-:x1", "x")), { account: "x" });
    h.get("B", [2, 3], returns(version(1, "-:y1", "y")), { account: "y" });
    expectLegal(h);
  });

  test("a stale hostile POST is refused with a newer body", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const v2 = h.post("A", 2, "-:a:b", [2, 3], accepted);
    h.post("B", 1, "-:a:b:x", [4, 5], conflict(versionOf(v2)), { base: 2 });
    h.get("B", [6, 7], returns(versionOf(v2)));
    expectLegal(h);
  });

  test("opaque contents are not compared across versions", () => {
    const h = new HistoryBuilder("opaque");
    h.post("A", 1, "qk9f", [0, 1], accepted);
    h.post("B", 2, "Zm9v", [2, 3], accepted);
    h.get("C", [4, 5], returns(version(2, "Zm9v")));
    expectLegal(h);
  });

  test("an empty history", () => {
    expectLegal(new HistoryBuilder());
  });
});
