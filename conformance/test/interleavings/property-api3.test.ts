// The interleaving cases in the api3 profile. No false alarm: against the
// api3 reference, over 8 seeds, every case passes (LIN-*, TOKEN-*, PASS-1,
// PASS-2, NOTIFY-2..NOTIFY-4), and the workloads did exercise what those
// cases are about: password changes racing POSTs, tokens and passwords ended
// by them, devices logging in again with the new password, sockets that
// received frames and sockets the server closed. Correct servers that differ
// where no client can care (frames a while late, frames that announce
// nothing, sockets cut without a close frame) pass as well, at one seed or
// the few it takes for a socket to receive frames.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../../reference/src/index.js";
import { interleavingCasesOf } from "../../src/interleavings/property/cases.js";
import type { History, Operation } from "../../src/history/history.js";
import { runChecks } from "../../src/run/run-checks.js";
import { expectedVerdict } from "./verdicts.js";
import { expectCheckersAgree } from "./checker-agreement.js";
import { correctNotificationHubs } from "../fixtures/api3-correct-notifications.js";

const seeds = Array.from({ length: 8 }, (_, index) => 9001 + index * 7919);
const cases = interleavingCasesOf("api3");

const status = (op: Operation) => (op.outcome.type === "indeterminate" ? 0 : op.outcome.status);

describe("the interleaving cases against the api3 reference", () => {
  let server: ReferenceServer;
  const histories: History[] = [];
  const passedOnce = new Set<string>();
  beforeAll(async () => {
    server = await startReferenceServer({ scryptCost: 64, protocol: "api3" });
  });
  afterAll(() => server.close());

  test("the api3 profile has the LIN, TOKEN and DUR cases and its own", () => {
    const requirements = cases.map((c) => c.requirement);
    for (const requirement of ["LIN-1", "LIN-2", "LIN-5", "TOKEN-2", "PASS-1", "PASS-2", "NOTIFY-2", "NOTIFY-3", "NOTIFY-4"]) {
      expect(requirements).toContain(requirement);
    }
    expect(interleavingCasesOf("seed").map((c) => c.requirement)).not.toContain("PASS-1");
  });

  test.each(seeds)("seed %i: every case passes", async (seed) => {
    const run = await runChecks(cases, { profile: "api3", baseUrl: server.url, interleavings: { runs: 3, seed } });
    const findings = run.results.flatMap((r) => r.findings.map((f) => `${r.id}: ${f.requirement} ${f.message}`));
    expect(findings).toEqual([]);
    expect(run.results.map((r) => r.verdict)).toEqual(cases.map(expectedVerdict));
    for (const result of run.results) if (result.verdict === "passed") passedOnce.add(result.id);
    const shown = run.results.filter((r) => r.interleaving);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.interleaving).toMatchObject({ seed, runs: 3, violations: [] });
    const history = shown[0]!.interleaving!.history;
    expect(history).toMatchObject({ format: "wallet-sync-history/2", profile: "api3" });
    histories.push(history);
  }, 30_000);

  test("every case but the durability ones, which need a crash, was exercised and passed in some seed", () => {
    expect(cases.filter((c) => !c.requirement.startsWith("DUR-") && !passedOnce.has(c.id)).map((c) => c.id)).toEqual([]);
  });

  test("the workloads changed passwords under racing writes, logged in again, listened, and saw sockets closed", () => {
    const operations = histories.flatMap((h) => h.operations);
    const changes = operations.filter((op) => op.kind === "password");
    expect(changes.filter((op) => status(op) === 200 && op.request).length).toBeGreaterThan(5);
    expect(changes.some((op) => status(op) === 409)).toBe(true);
    expect(changes.some((op) => status(op) === 200 && op.endsTokens.length > 1)).toBe(true);
    // Tokens ended by a change were refused, and the devices logged in again with the new password.
    expect(operations.some((op) => (op.kind === "get" || op.kind === "post") && status(op) === 401)).toBe(true);
    const newPasswords = new Set(changes.filter((op) => status(op) === 200).map((op) => op.newPassword));
    expect(operations.some((op) => op.kind === "auth" && op.password !== undefined && newPasswords.has(op.password) && status(op) === 200)).toBe(true);
    // Sockets received frames, some stayed open to the end, and the server closed those a change ended.
    const sockets = operations.filter((op) => op.kind === "socket" && status(op) === 101);
    expect(sockets.filter((op) => op.kind === "socket" && op.frames.length > 0).length).toBeGreaterThan(10);
    expect(sockets.some((op) => op.kind === "socket" && op.closed?.by === "client")).toBe(true);
    expect(sockets.some((op) => op.kind === "socket" && op.closed?.by === "server")).toBe(true);
    // In api3 a 409 carries no wallet: the devices read and rebased (CLIENT-7).
    expect(operations.filter((op) => op.kind === "post" && status(op) === 409 && op.request.move === "honest").length).toBeGreaterThan(20);
  });

  test("the online checker agrees with the offline one on every recorded history", () => {
    expect(histories.length).toBeGreaterThan(0);
    for (const history of histories) expect(expectCheckersAgree(history).violations).toEqual([]);
  });
});

describe.each(Object.entries(correctNotificationHubs))("a correct api3 server with %s", (_name, hub) => {
  // Frames are where these servers differ, so the workloads must hold sockets that receive some (asserted). Seed 6
  // usually does; timing decides whether a socket is open when another device posts, so up to two more seeds may follow.
  test("seed 6, or the next ones until a socket received frames: every case passes", async () => {
    const server = await startReferenceServer({ scryptCost: 64, protocol: "api3", notifications: hub() });
    try {
      let framesReceived = false;
      for (let seed = 6; seed <= 8 && !framesReceived; seed++) {
        // What these servers vary is their frames and closes, not depth: no deep accounts.
        const run = await runChecks(cases, { profile: "api3", baseUrl: server.url, interleavings: { runs: 3, seed, settleMs: 300, depthCap: 0 } });
        expect(run.results.flatMap((r) => r.findings.map((f) => `${r.id}: ${f.requirement} ${f.message}`))).toEqual([]);
        const operations = run.results.find((r) => r.interleaving)!.interleaving!.history.operations;
        framesReceived = operations.some((op) => op.kind === "socket" && op.frames.length > 0);
      }
      expect(framesReceived).toBe(true);
    } finally {
      await server.close();
    }
  }, 60_000);
});
