// LIN-1, the sequence side: a version n exists only on top of version n - 1,
// so every version the history shows (accepted, or returned by the server)
// needs a POST of n - 1 that may have taken effect and was sent in time.
// This also catches a server accepting a POST that skipped ahead of the
// stored version. A POST that skipped ahead and was accepted while version
// n - 1 was stored broke no server rule: the server cannot know what its
// client had seen, so that is not reported.
import { capitalize, type Narrator, type ViolationLog } from "./findings.js";
import { isWrite, type Millis, type Operation, type WriteOperation } from "./history.js";
import type { AccountVersions, VersionFacts } from "./versions.js";

/** What shows that a version had been stored by some time: an answer about it or about a later version. */
export interface StoredEvidence {
  at: Millis;
  op: Operation;
  /** The version the evidence is about: this one, or a later one that required it. */
  sequence: number;
}

/** What the LIN-1 sequence pass finds about each version. */
export interface Predecessors {
  /** The earliest evidence that a version had been stored; absent when nothing shows it was. */
  storedBy: ReadonlyMap<VersionFacts, StoredEvidence>;
  /** Versions reported because no POST of the previous sequence could have been stored in time. */
  missing: ReadonlySet<VersionFacts>;
}

/**
 * Finds when each version was stored at the latest (its own evidence, or that
 * of the next version, which could only be stored on top of it) and reports
 * versions whose predecessor could not have been stored in time.
 */
export function checkPredecessors(versions: AccountVersions, narrator: Narrator, log: ViolationLog): Predecessors {
  const { ascending, bySequence } = versions;
  const storedByVersion = new Map<VersionFacts, StoredEvidence>();
  const missing = new Set<VersionFacts>();
  let above: VersionFacts | undefined;
  for (let index = ascending.length - 1; index >= 0; index--) {
    const facts = ascending[index]!;
    const sequence = facts.sequence;
    const inherited =
      above && above.sequence === sequence + 1 && !missing.has(above) ? storedByVersion.get(above) : undefined;
    const storedBy = earliest(ownEvidence(facts), inherited);
    above = facts;

    if (!storedBy) continue;
    storedByVersion.set(facts, storedBy);
    if (sequence <= 1) continue;
    const previous = bySequence.get(sequence - 1);
    if (previous?.candidates.some((post) => post.invokedAt < storedBy.at)) continue;
    missing.add(facts);
    log.add({
      requirement: "LIN-1",
      related: ["SEQ-2"],
      account: versions.account,
      explanation: `${evidenceText(storedBy, sequence, narrator)}, but no POST of sequence ${sequence - 1} that could have stored version ${sequence - 1} had been sent by then${whyNone(previous, narrator)}.`,
      operations: [storedBy.op.id, ...(previous?.writes ?? []).slice(0, 2).map((post) => post.id)],
    });
  }
  return { storedBy: storedByVersion, missing };
}

function ownEvidence(facts: VersionFacts): StoredEvidence | undefined {
  const accepted = facts.accepted[0];
  const observed = facts.observed[0];
  const fromAccepted = accepted && { at: accepted.completedAt, op: accepted, sequence: facts.sequence };
  const fromObserved = observed && { at: observed.op.completedAt, op: observed.op, sequence: facts.sequence };
  return earliest(fromAccepted, fromObserved);
}

function earliest(a: StoredEvidence | undefined, b: StoredEvidence | undefined): StoredEvidence | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.at < a.at ? b : a;
}

function evidenceText(evidence: StoredEvidence, sequence: number, narrator: Narrator): string {
  const op = evidence.op;
  const shown =
    isWrite(op) && op.outcome.type === "ok" && op.request.sequence === evidence.sequence
      ? `${narrator.post(op)}${builtOn(op)} was accepted at ${narrator.at(op.completedAt)}`
      : `${narrator.op(op)} returned version ${evidence.sequence} at ${narrator.at(op.completedAt)}`;
  const subject = evidence.sequence === sequence ? "" : `version ${sequence} must have been stored before version ${evidence.sequence}, and `;
  return capitalize(subject + shown);
}

function builtOn(post: WriteOperation): string {
  const base = post.request.baseSequence;
  return post.request.sequence === base + 1 ? "" : ` (its client had seen ${base === 0 ? "no wallet" : `only version ${base}`})`;
}

function whyNone(previous: VersionFacts | undefined, narrator: Narrator): string {
  if (!previous) return "";
  let first: WriteOperation | undefined;
  for (const post of previous.candidates) if (!first || post.invokedAt < first.invokedAt) first = post;
  if (first) return ` (${narrator.post(first)} was sent only at ${narrator.at(first.invokedAt)})`;
  const refused = previous.writes[0];
  return refused ? ` (${narrator.post(refused)} was ${narrator.postFate(refused)})` : "";
}
