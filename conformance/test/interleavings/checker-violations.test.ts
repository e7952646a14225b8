// Histories that break one requirement each: the checker must name exactly
// that requirement, and the operations that contradict each other.
import { describe, expect, test } from "vitest";
import { checkHistory, type HistoryCheck } from "../../src/history/checker.js";
import { requirementById } from "../../../spec/index.js";
import { historyRequirements } from "../../src/history/findings.js";
import {
  accepted,
  conflict,
  HistoryBuilder,
  notFound,
  returns,
  timeout,
  version,
  versionOf,
} from "./history-builder.js";
import { expectCheckersAgree } from "./checker-agreement.js";

/** Checks that the history breaks exactly one requirement, once, and returns that violation. */
function expectOnly(builder: HistoryBuilder, requirement: string) {
  const history = builder.build();
  expectCheckersAgree(history);
  const result: HistoryCheck = checkHistory(history);
  if (process.env["SHOW"]) console.log(result.violations.map((v) => `${v.requirement}: ${v.explanation}`).join("\n"));
  expect(result.violations.map((v) => v.requirement)).toEqual([requirement]);
  expect(result.passed).toBe(false);
  return result.violations[0]!;
}

/** Client A stores versions 1..count: "-:1", "-:1:2", ... answered by t=count. */
function storeFirstVersions(h: HistoryBuilder, count: number): string {
  let content = "-";
  for (let sequence = 1; sequence <= count; sequence++) {
    content += `:${sequence}`;
    h.post("A", sequence, content, [sequence - 1, sequence - 0.5], accepted);
  }
  return content;
}

describe("violations", () => {
  test("LIN-2: one sequence accepted twice", () => {
    const h = new HistoryBuilder();
    const v3 = storeFirstVersions(h, 3);
    const first = h.post("A", 4, `${v3}:a`, [10, 20], accepted);
    const second = h.post("B", 4, `${v3}:b`, [30, 40], accepted);
    const violation = expectOnly(h, "LIN-2");
    expect(violation.operations).toEqual([first.id, second.id]);
    expect(violation.related).toEqual(["SEQ-6"]);
    expect(violation.explanation).toContain("Sequence 4 was accepted twice");
  });

  test("LIN-2: a timed-out POST of a sequence that was also accepted shows up in a read", () => {
    const h = new HistoryBuilder();
    const v3 = storeFirstVersions(h, 3);
    const winner = h.post("A", 4, `${v3}:a`, [10, 20], accepted);
    const lost = h.post("B", 4, `${v3}:b`, [11, 1011], timeout);
    const read = h.get("C", [30, 31], returns(versionOf(lost)));
    expect(expectOnly(h, "LIN-2").operations).toEqual([winner.id, lost.id, read.id]);
  });

  test("LIN-2: an identical POST accepted again after its version was returned", () => {
    const h = new HistoryBuilder();
    const v3 = storeFirstVersions(h, 3);
    const lost = h.post("B", 4, `${v3}:b`, [10, 1010], timeout);
    const read = h.get("B", [20, 21], returns(versionOf(lost)));
    const again = h.post("B", 4, `${v3}:b`, [22, 23], accepted);
    expect(expectOnly(h, "LIN-2").operations).toEqual([again.id, read.id]);
  });

  test("LIN-1: a POST that skipped ahead is accepted over a version that never existed", () => {
    const h = new HistoryBuilder();
    const v3 = storeFirstVersions(h, 3);
    const skipped = h.post("B", 5, `${v3}:b`, [10, 11], accepted, { base: 3 });
    const violation = expectOnly(h, "LIN-1");
    expect(violation.operations).toEqual([skipped.id]);
    expect(violation.explanation).toContain("Client B's POST #4 of sequence 5 (its client had seen only version 3) was accepted");
  });

  test("LIN-1: version n + 1 accepted before any POST of n was sent", () => {
    const h = new HistoryBuilder();
    const v3 = storeFirstVersions(h, 3);
    const early = h.post("B", 5, `${v3}:4:b`, [10, 11], accepted);
    const late = h.post("C", 4, `${v3}:4`, [20, 21], timeout);
    expect(expectOnly(h, "LIN-1").operations).toEqual([early.id, late.id]);
  });

  test("LIN-1: a version that only a refused POST sent is below an accepted one", () => {
    const h = new HistoryBuilder();
    const v3 = storeFirstVersions(h, 3);
    const refused = h.post("C", 4, `${v3}:c`, [5, 6], conflict(version(3, v3)));
    const accepted5 = h.post("B", 5, `${v3}:c:b`, [10, 11], accepted);
    expect(expectOnly(h, "LIN-1").operations).toEqual([accepted5.id, refused.id]);
  });

  test("LIN-1: a lost update, an accepted version that does not extend the one below it", () => {
    const h = new HistoryBuilder();
    storeFirstVersions(h, 3);
    const v4 = h.post("A", 4, "-:1:2:3:a", [10, 20], accepted);
    const v5 = h.post("B", 5, "-:1:2:3:b", [30, 40], accepted);
    const violation = expectOnly(h, "LIN-1");
    expect(violation.operations).toEqual([v5.id, v4.id]);
    expect(violation.explanation).toContain("does not extend version 4");
  });

  test("LIN-5: changes of a stored version are missing from a later one, across versions nobody saw", () => {
    const h = new HistoryBuilder();
    const v3 = storeFirstVersions(h, 3);
    // Two lost POSTs of 4, never returned: version 4 is one of them.
    h.post("B", 4, `${v3}:b`, [10, 1010], timeout);
    h.post("D", 4, `${v3}:d`, [10, 1010], timeout);
    const v5 = h.post("E", 5, "-:1:2:e", [20, 1020], timeout);
    const read = h.get("F", [30, 31], returns(versionOf(v5)));
    const violation = expectOnly(h, "LIN-5");
    expect(violation.operations).toEqual([v5.id, 3, read.id]);
    expect(violation.explanation).toContain('":3"');
  });

  test("LIN-5: with recorded bases, changes lost across versions nobody saw are found by following the bases", () => {
    const h = new HistoryBuilder();
    const v1 = h.post("A", 1, "-:1", [0, 1], accepted);
    const v2 = h.post("A", 2, "-:1:2", [2, 3], accepted, { builtOn: v1 });
    // A lost POST of 2 that did not take effect, and versions built on it that nobody saw.
    const x2 = h.post("X", 2, "-:1:x", [2, 1002], timeout, { builtOn: v1 });
    h.post("B", 3, "-:1:2:b", [10, 1010], timeout, { builtOn: v2 });
    const c3 = h.post("C", 3, "-:1:x:c", [10, 1010], timeout, { builtOn: x2 });
    const d4 = h.post("D", 4, "-:1:x:c:d", [11, 1011], timeout, { builtOn: c3 });
    const e5 = h.post("E", 5, "-:1:x:c:d:e", [12, 1012], timeout, { builtOn: d4 });
    h.get("F", [40, 41], returns(versionOf(e5)));
    const violation = expectOnly(h, "LIN-5");
    expect(violation.explanation).toContain('":2"');
    expect(violation.operations.slice(0, 2)).toEqual([d4.id, v2.id]);
  });

  test("LIN-1: with recorded bases, a version built on a POST that did not take effect is caught whatever its content", () => {
    const h = new HistoryBuilder();
    const v1 = h.post("A", 1, "-:1", [0, 1], accepted);
    const stored = h.post("A", 2, "-:1:2", [2, 3], accepted, { builtOn: v1 });
    const refused = h.post("B", 2, "-:1:2x", [2, 4], conflict(versionOf(stored)), { builtOn: v1 });
    // Its content happens to extend version 2, but the client built on the refused POST's version.
    const v3 = h.post("B", 3, "-:1:2:3", [5, 6], accepted, { builtOn: refused });
    expect(expectOnly(h, "LIN-1").operations.slice(0, 2)).toEqual([v3.id, stored.id]);
  });

  test("LIN-3: a GET returns a version that no POST sent", () => {
    const h = new HistoryBuilder();
    storeFirstVersions(h, 3);
    const read = h.get("C", [10, 11], returns(version(3, "-:1:2:3:forged")));
    expect(expectOnly(h, "LIN-3").operations).toEqual([read.id]);
  });

  test("LIN-3: a returned wallet with the right content but another hmac", () => {
    const h = new HistoryBuilder();
    storeFirstVersions(h, 2);
    h.get("C", [10, 11], returns({ ...version(2, "-:1:2"), hmac: "00" }));
    expectOnly(h, "LIN-3");
  });

  test("LIN-3: a 409 body is the version of a POST that was refused", () => {
    const h = new HistoryBuilder();
    const v2 = storeFirstVersions(h, 2);
    const refused = h.post("B", 3, `${v2}:b`, [10, 11], conflict(version(2, v2)));
    const read = h.post("C", 3, `${v2}:c`, [12, 13], conflict(versionOf(refused)));
    const violation = expectOnly(h, "LIN-3");
    expect(violation.operations).toEqual([read.id, refused.id]);
    expect(violation.related).toEqual(["SEQ-3"]);
  });

  test("LIN-3: a read answered before the POST of its version was sent", () => {
    const h = new HistoryBuilder();
    const v2 = storeFirstVersions(h, 2);
    const read = h.get("C", [10, 11], returns(version(3, `${v2}:b`)));
    const post = h.post("B", 3, `${v2}:b`, [20, 21], timeout);
    expect(expectOnly(h, "LIN-3").operations).toEqual([read.id, post.id]);
  });

  test("LIN-3: a 200 that echoes something else than what was sent", () => {
    const h = new HistoryBuilder();
    const v2 = storeFirstVersions(h, 2);
    const post = h.post("B", 3, `${v2}:b`, [10, 11], returns(version(3, `${v2}:x`)));
    const violation = expectOnly(h, "LIN-3");
    expect(violation.operations).toEqual([post.id]);
    expect(violation.related).toEqual(["SEQ-7"]);
  });

  test("LIN-4: a stale read after an acknowledged POST", () => {
    const h = new HistoryBuilder();
    const v4 = storeFirstVersions(h, 4);
    const v5 = h.post("A", 5, `${v4}:5`, [10, 20], accepted);
    const read = h.get("C", [25, 26], returns(version(4, v4)));
    const violation = expectOnly(h, "LIN-4");
    expect(violation.operations).toEqual([read.id, v5.id]);
    expect(violation.explanation).toBe(
      "Client C's GET #6, sent at t=25.0 ms, returned version 4, but client A's POST #5 of sequence 5 had been accepted at t=20.0 ms, before it was sent: a stale version.",
    );
  });

  test("LIN-4: a GET 404 after the first POST was acknowledged loses the wallet", () => {
    const h = new HistoryBuilder();
    const v1 = h.post("A", 1, "-:a", [0, 1], accepted);
    const read = h.get("B", [2, 3], notFound);
    const violation = expectOnly(h, "LIN-4");
    expect(violation.operations).toEqual([read.id, v1.id]);
    expect(violation.explanation).toContain("the wallet was lost");
  });

  test("LIN-4: a 409 saying there is no wallet after one was stored", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    h.post("B", 3, "-:a:b", [2, 3], conflict(), { base: 2 });
    expectOnly(h, "LIN-4");
  });

  test("LIN-4: a 409 body older than an acknowledged version", () => {
    const h = new HistoryBuilder();
    const v4 = storeFirstVersions(h, 4);
    h.post("A", 5, `${v4}:5`, [10, 20], accepted);
    h.post("B", 5, `${v4}:b`, [25, 26], conflict(version(4, v4)));
    expectOnly(h, "LIN-4");
  });

  test("LIN-4: a read older than a version another client had already read", () => {
    const h = new HistoryBuilder();
    const v4 = storeFirstVersions(h, 4);
    const lost = h.post("B", 5, `${v4}:b`, [10, 1010], timeout);
    const seen = h.get("C", [20, 30], returns(versionOf(lost)));
    const stale = h.get("D", [35, 36], returns(version(4, v4)));
    expect(expectOnly(h, "LIN-4").operations).toEqual([stale.id, seen.id]);
  });

  test("LIN-4: a POST accepted on top of a version older than an acknowledged one", () => {
    // Opaque contents: only the order of sequences is at stake.
    const h = new HistoryBuilder("opaque");
    h.post("A", 1, "v1", [0, 1], accepted);
    h.post("A", 2, "v2", [2, 3], accepted);
    h.post("X", 3, "x3", [4, 100], timeout);
    h.post("Y", 3, "y3", [4, 100], timeout);
    const v4 = h.post("A", 4, "v4", [10, 11], accepted);
    const back = h.post("B", 3, "b3", [20, 21], accepted);
    expect(expectOnly(h, "LIN-4").operations).toEqual([back.id, v4.id]);
  });

  test("LIN-6: a device sees the sequence go backwards across its own requests", () => {
    const h = new HistoryBuilder();
    const v4 = storeFirstVersions(h, 4);
    // B's POST is slow to answer, so nothing acknowledged it before C's second GET.
    const v5 = h.post("B", 5, `${v4}:b`, [5, 40], accepted);
    const first = h.get("C", [10, 20], returns(versionOf(v5)));
    const second = h.get("C", [25, 30], returns(version(4, v4)));
    const violation = expectOnly(h, "LIN-6");
    expect(violation.operations).toEqual([second.id, first.id]);
    expect(violation.explanation).toContain("the sequence went backwards for this device");
  });

  test("TOKEN-1: one account reads another account's wallet", () => {
    const h = new HistoryBuilder();
    const theirs = h.post("A", 1, "-:x1", [0, 1], accepted, { account: "x" });
    h.post("A", 1, "-:y1", [0, 1], accepted, { account: "y" });
    const leak = h.get("B", [2, 3], returns(versionOf(theirs)), { account: "y" });
    const violation = expectOnly(h, "TOKEN-1");
    expect(violation.account).toBe("y");
    expect(violation.operations).toEqual([leak.id, theirs.id]);
  });

  test("LIN-3, not TOKEN-1: a wallet that another account sends only after the answer that shows it was made up", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:y1", [0, 1], accepted, { account: "y" });
    const shown = h.get("B", [2, 3], returns(version(1, "-:x1", "x")), { account: "y" });
    h.post("A", 1, "-:x1", [4, 5], accepted, { account: "x" });
    const violation = expectOnly(h, "LIN-3");
    expect(violation.account).toBe("y");
    expect(violation.operations).toEqual([shown.id]);
  });

  test("TOKEN-1: one account's POST lands in another account's wallet", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:x1", [0, 1], accepted, { account: "x" });
    const misplaced = h.post("A", 2, "-:x1:x2", [2, 3], accepted, { account: "x" });
    h.post("B", 1, "-:y1", [0, 1], accepted, { account: "y" });
    h.get("B", [4, 5], returns(versionOf(misplaced)), { account: "y" });
    expectOnly(h, "TOKEN-1");
  });

  test("TOKEN-2: a replaced token is still accepted", () => {
    const h = new HistoryBuilder();
    const issued = h.auth("A", [0, 1], undefined, { gen: 1 });
    const v1 = h.post("A", 1, "-:a", [2, 3], accepted, { gen: 1 });
    const reauth = h.auth("A", [10, 15], undefined, { gen: 2 });
    const old = h.get("A", [20, 21], returns(versionOf(v1)), { gen: 1 });
    const violation = expectOnly(h, "TOKEN-2");
    // The request, the re-auth that replaced its token, and the auth that had issued it.
    expect(violation.operations).toEqual([old.id, reauth.id, issued.id]);
  });

  test("TOKEN-2: a POST with a replaced token is stored", () => {
    const h = new HistoryBuilder();
    h.auth("A", [0, 1], undefined, { gen: 1 });
    h.post("A", 1, "-:a", [2, 3], accepted, { gen: 1 });
    h.auth("A", [10, 15], undefined, { gen: 2 });
    h.auth("A", [16, 17], undefined, { gen: 3 });
    h.post("A", 2, "-:a:b", [20, 21], accepted, { gen: 2 });
    expectOnly(h, "TOKEN-2");
  });
});

describe("reporting", () => {
  test("every requirement the checker names is in spec/protocol.md", () => {
    for (const id of [...historyRequirements, "LIN-7", "SEQ-2", "SEQ-3", "SEQ-6", "SEQ-7"]) {
      expect(requirementById(id).id).toBe(id);
    }
  });

  test("violations beyond the kept number are counted", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    for (let i = 0; i < 10; i++) h.get("B", [2 + i, 2.5 + i], notFound);
    const result = checkHistory(h.build(), { keepPerRequirement: 3 });
    expect(result.violations).toHaveLength(3);
    expect(result.violationCounts).toEqual({ "LIN-4": 10 });
  });

  test("a history survives a JSON round trip with the same result", () => {
    const h = new HistoryBuilder();
    const v4 = storeFirstVersions(h, 4);
    h.post("A", 5, `${v4}:5`, [10, 20], accepted);
    h.get("C", [25, 26], returns(version(4, v4)));
    const history = h.build();
    expect(checkHistory(JSON.parse(JSON.stringify(history)))).toEqual(checkHistory(history));
  });
});
