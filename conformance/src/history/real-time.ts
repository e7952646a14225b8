// LIN-4 and LIN-6: real-time order. Under the sequence rule the stored
// sequence only grows, so an answer may not show a version older than one
// known to have been stored before its request was sent: acknowledged by a
// POST 200, returned to this device (LIN-6), or returned to anyone (the
// register is linearizable). Only "answered before sent" orders two
// requests; overlapping ones may be ordered either way and are never
// compared. One sweep per account: answers by completion time, requests by
// the time they were sent.
import { capitalize, type HistoryRequirement, type Narrator, type ViolationLog } from "./findings.js";
import type { WriteOperation } from "./history.js";
import { sortByCompletion, sortByInvocation } from "./order.js";
import type { WalletAnswer, WalletAnswers } from "./returned-wallets.js";
import { doubleWriteRequirement, type AccountVersions, type SingleAcceptance } from "./versions.js";

export function checkRealTimeOrder(
  found: WalletAnswers,
  versions: AccountVersions,
  { duplicated, duplicateAcceptances }: SingleAcceptance,
  narrator: Narrator,
  log: ViolationLog,
): void {
  // What each answer showed had been stored, by completion time; and the
  // requests whose answers must not be older, by sending time. An accepted
  // POST is both: it showed its version stored, and it stored it on top of
  // the one before, which must not be older either.
  const shown: WalletAnswer[] = [];
  const subjects: WalletAnswer[] = [];
  for (const answer of found.answers) {
    if (answer.via !== "none") shown.push(answer);
    // LIN-2 has already reported duplicate acceptances.
    if (answer.via !== "echo" || !duplicateAcceptances.has(answer.op as WriteOperation)) subjects.push(answer);
  }
  sortByCompletion(shown);
  sortByInvocation(subjects);

  let newestAcknowledged: WalletAnswer | undefined;
  let newestShown: WalletAnswer | undefined;
  const newestSeenByDevice = new Map<string, WalletAnswer>();
  let next = 0;
  for (const subject of subjects) {
    const sentAt = subject.op.invokedAt;
    for (; next < shown.length && shown[next]!.op.completedAt < sentAt; next++) {
      const answer = shown[next]!;
      if (answer.via === "echo" && (!newestAcknowledged || answer.sequence > newestAcknowledged.sequence)) {
        newestAcknowledged = answer;
      }
      if (!newestShown || answer.sequence > newestShown.sequence) newestShown = answer;
      const device = answer.op.client;
      const seen = newestSeenByDevice.get(device);
      if (!seen || answer.sequence > seen.sequence) newestSeenByDevice.set(device, answer);
    }
    // The usual case: nothing shown before is newer. An accepted POST must
    // even be newer than everything shown before (it stored a new version).
    const accepting = subject.via === "echo";
    if (!newestShown || subject.sequence > newestShown.sequence) continue;
    if (!accepting && subject.sequence === newestShown.sequence) continue;
    // Which earlier answer the subject contradicts decides the requirement:
    // an acknowledged POST (LIN-4), then the device's own view (LIN-6), then
    // any answer (LIN-4).
    const ownView = newestSeenByDevice.get(subject.op.client);
    if (newestAcknowledged && subject.sequence < newestAcknowledged.sequence) {
      report(subject, newestAcknowledged, "LIN-4", versions.account, narrator, log);
    } else if (ownView && subject.sequence < ownView.sequence) {
      report(subject, ownView, "LIN-6", versions.account, narrator, log);
    } else if (subject.sequence < newestShown.sequence) {
      report(subject, newestShown, "LIN-4", versions.account, narrator, log);
    } else if (accepting && !isDuplicated(versions, duplicated, subject.sequence)) {
      // An acceptance of a sequence already stored before the POST was sent
      // is a second acceptance of it, unless LIN-2 already reported it.
      const sameSequence =
        newestAcknowledged?.sequence === subject.sequence
          ? newestAcknowledged
          : ownView?.sequence === subject.sequence
            ? ownView
            : newestShown;
      log.add({
        ...doubleWriteRequirement([subject.op, sameSequence.op]),
        account: versions.account,
        explanation: `${capitalize(describeSubject(subject, narrator))}, but version ${subject.sequence} had already been stored before it was sent: ${describeShown(sameSequence, narrator)}.`,
        operations: [subject.op.id, sameSequence.op.id],
      });
    }
  }
}

function report(
  subject: WalletAnswer,
  earlier: WalletAnswer,
  requirement: HistoryRequirement,
  account: string,
  narrator: Narrator,
  log: ViolationLog,
): void {
  const consequence =
    subject.via === "echo"
      ? `it was stored on top of version ${subject.sequence - 1}, older than version ${earlier.sequence}`
      : subject.sequence === 0
        ? "the wallet was lost"
        : "a stale version";
  const explanation =
    requirement === "LIN-6"
      ? `Client ${subject.op.client} had seen version ${earlier.sequence} (${describeShown(earlier, narrator)}); then ${describeSubject(subject, narrator)}: the sequence went backwards for this device.`
      : `${describeSubject(subject, narrator)}, but ${describeShown(earlier, narrator)}, before it was sent: ${consequence}.`;
  log.add({ requirement, account, explanation: capitalize(explanation), operations: [subject.op.id, earlier.op.id] });
}

export function describeSubject(subject: WalletAnswer, narrator: Narrator): string {
  const op = subject.op;
  const sent = `sent at ${narrator.at(op.invokedAt)}`;
  if (op.kind === "get") {
    return subject.sequence === 0
      ? `${narrator.op(op)}, ${sent}, found no wallet (404)`
      : `${narrator.op(op)}, ${sent}, returned version ${subject.sequence}`;
  }
  if (subject.via === "echo") return `${narrator.post(op)}, ${sent}, was accepted at ${narrator.at(op.completedAt)}`;
  return subject.sequence === 0
    ? `${narrator.post(op)}, ${sent}, got a 409 saying there is no wallet`
    : `${narrator.post(op)}, ${sent}, got version ${subject.sequence} in its 409 body`;
}

export function describeShown(shown: WalletAnswer, narrator: Narrator): string {
  const op = shown.op;
  const at = narrator.at(op.completedAt);
  if (op.kind === "get") return `${narrator.op(op)} had returned version ${shown.sequence} at ${at}`;
  if (shown.via === "echo") return `${narrator.post(op)} had been accepted at ${at}`;
  return `${narrator.post(op)} had got version ${shown.sequence} in its 409 body at ${at}`;
}

function isDuplicated(versions: AccountVersions, duplicated: SingleAcceptance["duplicated"], sequence: number): boolean {
  const facts = versions.bySequence.get(sequence);
  return facts !== undefined && duplicated.has(facts);
}
