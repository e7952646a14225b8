// What a history shows about each version (account, sequence) of a wallet:
// which POSTs may have written it, which certainly did (accepted, or named by
// a returned wallet), and LIN-2: at most one of them may have taken effect.
// VersionFacts are read-only once collected: each later pass returns what it
// derives instead of writing it back.
import type { AccountOperations } from "./account-operations.js";
import type { Narrator, Violation, ViolationLog } from "./findings.js";
import { isWrite, sameVersion, type Operation, type WriteOperation } from "./history.js";
import { compareTimes, sortByCompletion, sortBySequence } from "./order.js";
import type { WalletAnswer, WalletAnswers } from "./returned-wallets.js";

export interface VersionFacts {
  sequence: number;
  /** Every write (POST, password change with a wallet) of this sequence, whatever its outcome. */
  writes: WriteOperation[];
  /** Writes of this sequence that may have stored it: accepted or indeterminate (refused ones changed nothing). */
  candidates: WriteOperation[];
  /** Writes of this sequence answered 200, by completion time. */
  accepted: WriteOperation[];
  /** Returned wallets (GET 200, 409 bodies) of this sequence, by completion time; each names its writer. */
  observed: WalletAnswer[];
}

export interface AccountVersions {
  account: string;
  bySequence: Map<number, VersionFacts>;
  /** The versions of every sequence some write of the account sent, by ascending sequence. */
  ascending: VersionFacts[];
}

export function collectVersions(group: AccountOperations, answers: WalletAnswers): AccountVersions {
  const bySequence = new Map<number, VersionFacts>();
  const ascending: VersionFacts[] = [];
  // forEach, not for-of: a million iterator entries are garbage to collect.
  group.writesBySequence.forEach((writes, sequence) => {
    const facts: VersionFacts = {
      sequence,
      writes,
      candidates: [],
      accepted: [],
      observed: [],
    };
    for (const post of writes) {
      if (post.outcome.type === "refused") continue;
      facts.candidates.push(post);
      if (post.outcome.type === "ok") facts.accepted.push(post);
    }
    if (facts.accepted.length > 1) facts.accepted.sort(byCompletion);
    bySequence.set(sequence, facts);
    ascending.push(facts);
  });
  for (const answer of answers.answers) {
    if (answer.via === "get" || answer.via === "conflict") bySequence.get(answer.sequence)?.observed.push(answer);
  }
  for (const facts of ascending) if (facts.observed.length > 1) sortByCompletion(facts.observed);
  sortBySequence(ascending);
  return { account: group.account, bySequence, ascending };
}

function byCompletion(a: Operation, b: Operation): number {
  return compareTimes(a.completedAt, b.completedAt);
}


/** What the LIN-2 pass finds: the versions it reported, which later checks leave alone. */
export interface SingleAcceptance {
  /** Versions of which two took effect: ambiguous, so they take part in no further check. */
  duplicated: ReadonlySet<VersionFacts>;
  /** The accepted POSTs of duplicated versions. */
  duplicateAcceptances: ReadonlySet<WriteOperation>;
}

/**
 * LIN-2 (and SEQ-6): at most one POST per (account, sequence) is accepted, and
 * at most one version per sequence takes effect, counting indeterminate POSTs
 * whose version a server returned.
 */
export function checkSingleAcceptance(
  versions: AccountVersions,
  narrator: Narrator,
  log: ViolationLog,
): SingleAcceptance {
  const duplicated = new Set<VersionFacts>();
  const involved = new Set<WriteOperation>();
  for (const facts of versions.ascending) {
    const sequence = facts.sequence;
    const [first, second] = facts.accepted;
    if (first && second) {
      duplicated.add(facts);
      for (const post of facts.accepted) involved.add(post);
      log.add({
        ...doubleWriteRequirement(facts.accepted),
        account: versions.account,
        explanation: `Sequence ${sequence} was accepted twice: ${narrator.post(first)} at ${narrator.at(first.completedAt)} and ${narrator.post(second)} at ${narrator.at(second.completedAt)}.`,
        operations: facts.accepted.slice(0, 3).map((post) => post.id),
      });
      continue;
    }
    // One version took effect for sure (the accepted one, or the first one
    // returned); any returned wallet of another content is a second version.
    const firstSeen = facts.observed[0];
    const settled = first ?? firstSeen?.writer;
    if (!settled) continue;
    const other = facts.observed.find((answer) => !sameVersion(answer.writer!.request, settled.request));
    if (!other) continue;
    duplicated.add(facts);
    if (first) involved.add(first);
    const otherWriter = other.writer!;
    const settledText = first
      ? `${narrator.post(first)} was accepted at ${narrator.at(first.completedAt)}`
      : `${narrator.op(firstSeen!.op)} returned the version of ${narrator.post(settled)} at ${narrator.at(firstSeen!.op.completedAt)}`;
    log.add({
      ...doubleWriteRequirement([settled, otherWriter]),
      account: versions.account,
      explanation: `Two versions of sequence ${sequence} took effect: ${settledText}, and ${narrator.op(other.op)} returned the one of ${narrator.post(otherWriter)} (${narrator.postFate(otherWriter)}) at ${narrator.at(other.op.completedAt)}.`,
      operations: first
        ? [first.id, otherWriter.id, other.op.id]
        : [settled.id, otherWriter.id, firstSeen!.op.id, other.op.id],
    });
  }
  return { duplicated, duplicateAcceptances: involved };
}

/**
 * Two writes of one sequence took effect: LIN-2, or PASS-1 when one of them
 * is a password change, which must be one atomic step under the sequence
 * rule (of it and a concurrent write of its sequence at most one is accepted).
 */
export function doubleWriteRequirement(operations: readonly Operation[]): Pick<Violation, "requirement" | "related"> {
  return operations.some((op) => isWrite(op) && op.kind === "password")
    ? { requirement: "PASS-1", related: ["LIN-2", "SEQ-6"] }
    : { requirement: "LIN-2", related: ["SEQ-6"] };
}
