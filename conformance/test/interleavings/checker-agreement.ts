// The online checker (history/online/) agrees with the offline one: on a
// history, both find the same requirements broken in the same accounts, and
// each violation the online checker reports names operations that one of the
// offline checker's violations of that requirement names too: the proof it
// gives is part of the offline one.
import { expect } from "vitest";
import { checkHistory } from "../../src/history/checker.js";
import type { Violation } from "../../src/history/findings.js";
import type { History } from "../../src/history/history.js";
import type { OnlineCheck, OnlineOptions } from "../../src/history/online/online-checker.js";
import { checkHistoryOnline } from "../../src/history/online/replay.js";
import type { Horizon } from "../../src/history/online/carry.js";

/** The online checker cutting each account as often as the history lets it: after every operation, as soon as nothing sent before is running. */
export const eagerCuts: Partial<OnlineOptions> = { segmentOperations: 1, judgeAfterMs: 0 };

/** The least the online checker can keep: one version, one token per device, one password change... */
export const smallestHorizon: Partial<Horizon> = { keepVersions: 1, keepTokens: 1, keepPasswordChanges: 1, keepCrashes: 1, keepUnannounced: 1 };

export function expectCheckersAgree(history: History, settings: Partial<OnlineOptions> = eagerCuts): OnlineCheck {
  const offline = checkHistory(history, { keepPerRequirement: Number.POSITIVE_INFINITY });
  const online = checkHistoryOnline(history, { ...settings, keepPerRequirement: Number.POSITIVE_INFINITY });
  expect(brokenIn(online.violations), "requirements broken, by account").toEqual(brokenIn(offline.violations));
  for (const violation of online.violations) {
    const proven = offline.violations.some(
      (other) =>
        other.requirement === violation.requirement &&
        other.account === violation.account &&
        violation.operations.every((id) => other.operations.includes(id)),
    );
    expect(proven, `${violation.requirement} ${violation.operations.join(",")}: ${violation.explanation}`).toBe(true);
  }
  return online;
}

/** "LIN-2 a0", sorted and without repeats. */
function brokenIn(violations: readonly Violation[]): string[] {
  return [...new Set(violations.map((v) => `${v.requirement} ${v.account}`))].sort();
}
