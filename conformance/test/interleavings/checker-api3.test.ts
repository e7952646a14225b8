// Hand-made api3 histories: password changes as writes in the sequence
// chain (PASS-1, LIN-*), what an acknowledged change ends (PASS-2, NOTIFY-4)
// and what sockets receive (NOTIFY-2, NOTIFY-3). For each rule a legal
// history that must raise nothing, among them the cases a careless checker
// gets wrong (late frames, sockets closed for other reasons, indeterminate
// outcomes, tokens issued while a change ran), and a violating one that must
// name exactly that rule.
import { describe, expect, test } from "vitest";
import { checkHistory } from "../../src/history/checker.js";
import { historyPasses } from "../../src/history/passes.js";
import { announcedSequence } from "../../src/history/notifications.js";
import { announcedSequence as specAnnouncedSequence } from "../../../spec/notifications.js";
import {
  accepted,
  authorized,
  changed,
  conflict,
  HistoryBuilder,
  returns,
  serverError,
  timeout,
  unauthorized,
  upgraded,
  version,
} from "./history-builder.js";
import { expectCheckersAgree } from "./checker-agreement.js";

const api3 = () => new HistoryBuilder("append-log", "api3");
const end = { by: "client", at: 1000 } as const;

function requirementsOf(h: HistoryBuilder): string[] {
  expectCheckersAgree(h.build());
  const result = checkHistory(h.build());
  if (process.env["SHOW"]) console.log(result.violations.map((v) => `${v.requirement}: ${v.explanation}`).join("\n"));
  return result.violations.map((v) => v.requirement);
}

function expectOnly(h: HistoryBuilder, requirement: string) {
  expectCheckersAgree(h.build());
  const result = checkHistory(h.build());
  if (process.env["SHOW"]) console.log(result.violations.map((v) => `${v.requirement}: ${v.explanation}`).join("\n"));
  expect(result.violations.map((v) => v.requirement)).toEqual([requirement]);
  return result.violations[0]!;
}

describe("password changes in the sequence chain", () => {
  test("legal: a change racing a POST of its sequence, one accepted; later reads return the change's version", () => {
    const h = api3();
    h.auth("A", [0, 1]);
    h.post("A", 1, "-:a", [2, 3], accepted);
    h.post("A", 2, "-:a:b", [10, 20], conflict());
    const change = h.password("B", { from: "p0", to: "p1", wallet: { sequence: 2, content: "-:a" } }, [11, 19], changed);
    h.get("C", [25, 26], returns(version(2, "-:a")));
    h.auth("A", [27, 28], authorized, { password: "p1", gen: 2 });
    h.post("A", 3, "-:a:b", [30, 31], accepted, { gen: 2 });
    expect(requirementsOf(h)).toEqual([]);
    expect(checkHistory(h.build()).stats.passwordChanges).toEqual({ accepted: 1, refused: 0, indeterminate: 0 });
    expect(change.request?.sequence).toBe(2);
  });

  test("legal: in api3 a 409 carries no wallet and says nothing about what is stored", () => {
    const h = api3();
    h.post("A", 1, "-:a", [0, 1], accepted);
    h.post("A", 2, "-:a:b", [2, 3], accepted);
    // Seed would read this 409 without a wallet as "no wallet" after version 2 was acknowledged: a lost wallet.
    h.post("B", 2, "-:a:c", [4, 5], conflict());
    expect(requirementsOf(h)).toEqual([]);
  });

  test("PASS-1: a change and a POST of the same sequence both accepted", () => {
    const h = api3();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const post = h.post("A", 2, "-:a:b", [10, 20], accepted);
    const change = h.password("B", { from: "p0", to: "p1", wallet: { sequence: 2, content: "-:a" } }, [11, 19], changed);
    const violation = expectOnly(h, "PASS-1");
    expect(violation.related).toEqual(["LIN-2", "SEQ-6"]);
    expect(violation.operations).toEqual([change.id, post.id]);
    expect(violation.explanation).toContain("password change #3 of sequence 2");
  });

  test("LIN-4: the version a change stored is lost to a later read", () => {
    const h = api3();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const change = h.password("B", { from: "p0", to: "p1", wallet: { sequence: 2, content: "-:a" } }, [2, 3], changed);
    const read = h.get("C", [4, 5], returns(version(1, "-:a")));
    expect(expectOnly(h, "LIN-4").operations).toEqual([read.id, change.id]);
  });
});

describe("PASS-2: what an acknowledged change ends", () => {
  test("legal: old tokens work until the change is answered; tokens issued while it ran are not judged; new tokens work", () => {
    const h = api3();
    h.auth("A", [0, 1], authorized, { password: "p0" });
    h.post("A", 1, "-:a", [2, 3], accepted);
    h.password("B", { from: "p0", to: "p1", wallet: { sequence: 2, content: "-:a" } }, [10, 20], changed);
    // Overlaps the change: may have been processed first.
    h.get("A", [15, 16], returns(version(1, "-:a")));
    // Issued while the change ran: on either side of it.
    h.auth("C", [12, 14], authorized, { password: "p0" });
    h.get("C", [30, 31], returns(version(2, "-:a")), { gen: 1 });
    // After the change: the old token is refused, the old password too, the new one logs in.
    h.get("A", [32, 33], unauthorized);
    h.auth("A", [34, 35], unauthorized, { password: "p0", gen: 2 });
    h.auth("A", [36, 37], authorized, { password: "p1", gen: 3 });
    h.get("A", [38, 39], returns(version(2, "-:a")), { gen: 3 });
    expect(requirementsOf(h)).toEqual([]);
  });

  test("legal: a change that timed out or got a 5xx may not have taken effect; the new password may be changed again", () => {
    const h = api3();
    h.auth("A", [0, 1], authorized, { password: "p0" });
    h.password("B", { from: "p0", to: "p1" }, [2, 3], serverError());
    h.get("A", [4, 5], notFoundAnswer());
    h.auth("A", [6, 7], authorized, { password: "p0", gen: 2 });
    h.password("B", { from: "p0", to: "p2" }, [10, 11], changed);
    h.password("C", { from: "p2", to: "p3" }, [12, 30], timeout);
    // p2 may have been changed to p3 already.
    h.auth("A", [20, 21], unauthorized, { password: "p2", gen: 3 });
    expect(requirementsOf(h)).toEqual([]);
  });

  test("PASS-2: a token issued before the change still reads after the change was answered", () => {
    const h = api3();
    h.auth("A", [0, 1]);
    h.post("A", 1, "-:a", [2, 3], accepted);
    const change = h.password("B", { from: "p0", to: "p1", wallet: { sequence: 2, content: "-:a" } }, [10, 20], changed);
    expect(change.endsTokens).toEqual([{ client: "A", tokenGeneration: 1 }]);
    const read = h.get("A", [21, 22], returns(version(2, "-:a")));
    const violation = expectOnly(h, "PASS-2");
    expect(violation.operations).toEqual([read.id, change.id]);
    expect(violation.explanation).toContain("had ended that token");
  });

  test("PASS-2: a socket upgraded with an ended token", () => {
    const h = api3();
    h.auth("A", [0, 1]);
    const change = h.password("B", { from: "p0", to: "p1" }, [10, 20], changed);
    const socket = h.socket("A", [21, 22], upgraded, { closed: { by: "server", at: 23 } });
    expect(expectOnly(h, "PASS-2").operations).toEqual([socket.id, change.id]);
  });

  test("PASS-2: the old password still logs in, and the new one does not", () => {
    const h = api3();
    const change = h.password("B", { from: "p0", to: "p1" }, [0, 1], changed);
    const oldLogin = h.auth("A", [2, 3], authorized, { password: "p0" });
    const newLogin = h.auth("C", [4, 5], unauthorized, { password: "p1" });
    expectCheckersAgree(h.build());
    const result = checkHistory(h.build());
    expect(result.violations.map((v) => [v.requirement, v.operations])).toEqual([
      ["PASS-2", [oldLogin.id, change.id]],
      ["PASS-2", [newLogin.id, change.id]],
    ]);
  });
});

describe("PASS-4: a change without the account's wallet changes nothing", () => {
  const conflictAnswer = { type: "refused", status: 409 } as const;

  test("legal: refused with 409, its new password refused; before any wallet was shown, or racing the first write, a change without one may be answered 200", () => {
    const h = api3();
    h.auth("A", [0, 1], authorized, { password: "p0" });
    // Racing the first write: the wallet may not have been stored yet.
    h.post("A", 1, "-:a", [2, 10], accepted);
    h.password("B", { from: "p0", to: "p1" }, [5, 12], changed);
    h.auth("B", [13, 14], authorized, { password: "p1" });
    h.password("B", { from: "p1", to: "p2" }, [20, 21], conflictAnswer);
    h.auth("B", [22, 23], unauthorized, { password: "p2", gen: 2 });
    // Timed out: its new password may log in.
    h.password("B", { from: "p1", to: "p3" }, [30, 31], timeout);
    h.auth("B", [32, 33], authorized, { password: "p3", gen: 3 });
    expect(requirementsOf(h)).toEqual([]);
  });

  test("PASS-4: a change without a wallet answered 200 after a GET showed the wallet", () => {
    const h = api3();
    h.auth("A", [0, 1]);
    h.post("A", 1, "-:a", [2, 3], timeout);
    const read = h.get("A", [4, 5], returns(version(1, "-:a")));
    const change = h.password("A", { from: "p0", to: "p1" }, [6, 7], changed);
    const violation = expectOnly(h, "PASS-4");
    expect(violation.operations).toEqual([change.id, read.id]);
    expect(violation.explanation).toContain("without a wallet, was answered 200, but the account had a wallet");
  });

  test("legal: after a crash, a wallet only a read showed may be gone; an acknowledged write's may not", () => {
    const h = api3();
    h.auth("A", [0, 1]);
    h.post("A", 1, "-:a", [2, 3], timeout);
    h.get("A", [4, 5], returns(version(1, "-:a")));
    h.password("A", { from: "p0", to: "p1" }, [10, 11], changed);
    const crashed = { ...h.build(), events: [{ kind: "crash" as const, at: 7 }, { kind: "restart" as const, at: 8 }] };
    expect(checkHistory(crashed).violations.filter((v) => v.requirement === "PASS-4")).toEqual([]);
    const acknowledged = api3();
    acknowledged.auth("A", [0, 1]);
    acknowledged.post("A", 1, "-:a", [2, 3], accepted);
    acknowledged.password("A", { from: "p0", to: "p1" }, [10, 11], changed);
    const afterCrash = { ...acknowledged.build(), events: [{ kind: "crash" as const, at: 7 }, { kind: "restart" as const, at: 8 }] };
    expect(checkHistory(afterCrash).violations.map((v) => v.requirement)).toContain("PASS-4");
  });

  test("PASS-4: the new password of a change refused with 409 logs in", () => {
    const h = api3();
    h.auth("A", [0, 1], authorized, { password: "p0" });
    h.post("A", 1, "-:a", [2, 3], accepted);
    const change = h.password("A", { from: "p0", to: "p1" }, [4, 5], conflictAnswer);
    const probe = h.auth("A", [6, 7], authorized, { password: "p1", gen: 2 });
    const violation = expectOnly(h, "PASS-4");
    expect(violation.operations).toEqual([probe.id, change.id]);
    expect(violation.explanation).toContain("was refused (409)");
  });
});

describe("NOTIFY-2: sockets open throughout an accepted POST receive its frame", () => {
  test("legal: a late frame before the end, a socket closed by the server, one opened after the POST, a POST that timed out, a password change", () => {
    const h = api3();
    h.socket("A", [0, 1], upgraded, { frames: [[900, "wallet-update:1"], [950, "wallet-update:3"]], closed: end });
    h.socket("B", [0, 1], upgraded, { closed: { by: "server", at: 5 } });
    h.socket("C", [0, 1], upgraded, { closed: { by: "drop", at: 500 } });
    h.post("A", 1, "-:a", [2, 3], accepted);
    h.socket("D", [2.5, 4], upgraded, { frames: [[950, "wallet-update:3"]], closed: end });
    h.password("B", { from: "p0", to: "p1", wallet: { sequence: 2, content: "-:a" } }, [10, 11], changed);
    h.post("A", 3, "-:a:b", [20, 21], accepted);
    h.post("A", 4, "-:a:b:c", [30, 2000], timeout);
    expect(requirementsOf(h)).toEqual([]);
  });

  test("NOTIFY-2: a socket open throughout an accepted POST never receives its frame", () => {
    const h = api3();
    const socket = h.socket("A", [0, 1], upgraded, { frames: [[5, "wallet-update:1"]], closed: end });
    h.post("B", 1, "-:a", [2, 3], accepted);
    const missed = h.post("B", 2, "-:a:b", [6, 7], accepted);
    h.post("B", 3, "-:a:b:c", [8, 9], accepted);
    const violation = expectOnly(h, "NOTIFY-2");
    expect(violation.operations).toEqual([socket.id, missed.id]);
    expect(violation.explanation).toContain("never received wallet-update:2");
    expect(violation.explanation).toContain("and 1 more accepted POST without their frame");
  });

  test("legal: frames over the recorder's cap were dropped, so none is known to be missing", () => {
    const h = api3();
    h.socket("A", [0, 1], upgraded, { frames: [[5, "wallet-update:1"]], framesDropped: 3, closed: end });
    h.post("B", 1, "-:a", [2, 3], accepted);
    h.post("B", 2, "-:a:b", [6, 7], accepted);
    expect(requirementsOf(h)).toEqual([]);
  });
});

describe("NOTIFY-3: frames announce stored sequences, in increasing order", () => {
  test("legal: a frame for a POST that timed out, or one answered 5xx, that may have been stored", () => {
    const h = api3();
    h.socket("A", [0, 1], upgraded, { frames: [[4, "wallet-update:1"], [9, "wallet-update:2"]], closed: end });
    h.post("B", 1, "-:a", [2, 1000], timeout);
    h.post("B", 2, "-:a:b", [8, 10], serverError(503));
    expect(requirementsOf(h)).toEqual([]);
  });

  test("NOTIFY-3: a frame for a sequence whose every write was refused", () => {
    const h = api3();
    const socket = h.socket("A", [0, 1], upgraded, { frames: [[4, "wallet-update:1"]], closed: { by: "server", at: 5 } });
    const refused = h.post("B", 1, "-:a", [2, 3], conflict());
    const violation = expectOnly(h, "NOTIFY-3");
    expect(violation.operations).toEqual([socket.id, refused.id]);
    expect(violation.explanation).toContain("refused (409)");
  });

  test("NOTIFY-3: a frame that arrives before any write of its sequence was sent", () => {
    const h = api3();
    h.socket("A", [0, 1], upgraded, { frames: [[2, "wallet-update:1"], [8, "wallet-update:1"]], closed: end });
    h.post("B", 1, "-:a", [5, 6], accepted);
    // The second frame repeats sequence 1: reported as well.
    expect(requirementsOf(h)).toEqual(["NOTIFY-3", "NOTIFY-3"]);
  });

  test("NOTIFY-3: sequences going backwards", () => {
    const h = api3();
    h.post("B", 1, "-:a", [0, 1], accepted);
    h.post("B", 2, "-:a:b", [2, 3], accepted);
    const socket = h.socket("A", [0, 0.5], upgraded, { frames: [[3.5, "wallet-update:2"], [4, "wallet-update:1"]], closed: end });
    const violation = expectOnly(h, "NOTIFY-3");
    expect(violation.operations).toEqual([socket.id]);
    expect(violation.explanation).toContain("after wallet-update:2, the sequences one socket receives must increase");
  });

  test("legal: frames that announce nothing (a greeting, a binary frame, a malformed one) are ignored, as clients ignore them", () => {
    const h = api3();
    h.socket("A", [0, 0.5], upgraded, {
      frames: [[0.6, "hello"], [0.7, "(a binary frame) \u0000\u0001"], [1.5, "wallet-update:1"], [1.6, "wallet-update:01"], [1.7, "server-time:5"]],
      closed: end,
    });
    h.post("B", 1, "-:a", [1, 1.2], accepted);
    expect(requirementsOf(h)).toEqual([]);
  });

  test("the frame text is exactly wallet-update:<positive integer>, as the AsyncAPI document's pattern says", () => {
    const texts = ["wallet-update:12", "wallet-update:0", "wallet-update:-1", "wallet-update: 1", "wallet-update:1 ", "wallet-update:", "Wallet-update:1", "wallet-update:007", "hello"];
    for (const text of texts) expect(announcedSequence(text), text).toBe(specAnnouncedSequence(text));
    expect(announcedSequence("wallet-update:12")).toBe(12);
  });
});

describe("NOTIFY-4: sockets of ended tokens are closed by the server", () => {
  test("legal: closed by the server (or dropped) after the change; a token issued while it ran; a change that timed out", () => {
    const h = api3();
    h.auth("A", [0, 1]);
    h.auth("B", [0, 1]);
    h.socket("A", [2, 3], upgraded, { closed: { by: "server", at: 25, code: 1000 } });
    // The race the original server admits: an upgrade while the change runs, closed all the same.
    h.socket("B", [9, 12], upgraded, { closed: { by: "drop", at: 40 } });
    h.password("C", { from: "p0", to: "p1" }, [10, 20], changed);
    h.auth("D", [15, 18]);
    h.socket("D", [19, 19.5], upgraded, { closed: end });
    h.auth("E", [21, 22], authorized, { password: "p1" });
    h.password("E", { from: "p1", to: "p2" }, [30, 2000], timeout);
    h.socket("E", [31, 32], upgraded, { closed: end });
    expect(requirementsOf(h)).toEqual([]);
  });

  test("NOTIFY-4: a socket upgraded while the change ran stays open to the end", () => {
    const h = api3();
    h.auth("A", [0, 1]);
    const socket = h.socket("A", [11, 12], upgraded, { closed: end });
    const change = h.password("C", { from: "p0", to: "p1" }, [10, 20], changed);
    const violation = expectOnly(h, "NOTIFY-4");
    expect(violation.operations).toEqual([socket.id, change.id]);
    expect(violation.explanation).toContain("the server must close the socket");
  });
});

test("every new rule has its pass in the checker's contract", () => {
  const checked = new Set(historyPasses.flatMap((pass) => pass.checks));
  for (const requirement of ["PASS-1", "PASS-2", "NOTIFY-2", "NOTIFY-3", "NOTIFY-4"]) expect(checked).toContain(requirement);
});

function notFoundAnswer() {
  return { type: "refused", status: 404 } as const;
}
