// LIN-1 and LIN-5, the content side, for the append-log demo wallet: an
// honest client posts its base plus appended segments, so every version
// written by an honest client extends the version before it, and by
// induction every earlier version. Comparing each version with the nearest
// earlier one whose writer is known is enough, and costs one step per
// version whatever the length of the contents (bases.ts).
import { extendsVersion } from "./bases.js";
import { capitalize, type Narrator, type ViolationLog } from "./findings.js";
import { isHonestPost, type WriteOperation } from "./history.js";
import type { Predecessors } from "./predecessors.js";
import type { AccountVersions, SingleAcceptance, VersionFacts } from "./versions.js";
import type { Writers } from "./writers.js";

export function checkContentChain(
  versions: AccountVersions,
  acceptance: SingleAcceptance,
  predecessors: Predecessors,
  writers: Writers,
  narrator: Narrator,
  log: ViolationLog,
): void {
  let previous: Written | undefined;
  let lastSequence = Number.NaN;
  for (const facts of versions.ascending) {
    const sequence = facts.sequence;
    // The chain holds only across consecutive sequences that nothing else
    // already reported as broken.
    if (sequence !== lastSequence + 1 || predecessors.missing.has(facts)) previous = undefined;
    lastSequence = sequence;
    if (acceptance.duplicated.has(facts)) {
      previous = undefined;
      continue;
    }
    const writer = writers.get(facts);
    if (!writer) {
      // An unnamed version in a gap is fine if every possible writer was
      // honest (each extends the version before); a hostile one may have
      // dropped changes legitimately, so the chain restarts after it.
      if (facts.candidates.length === 0 || facts.candidates.some((post) => !isHonestPost(post))) previous = undefined;
      continue;
    }
    const written: Written = { facts, writer };
    if (previous && isHonestPost(writer)) compare(previous, written, versions, narrator, log);
    previous = written;
  }
}

/** A version whose writer the history names. */
interface Written {
  facts: VersionFacts;
  writer: WriteOperation;
}

function compare(earlier: Written, later: Written, versions: AccountVersions, narrator: Narrator, log: ViolationLog): void {
  if (extendsVersion(later.writer, earlier.writer, versions)) return;
  const account = versions.account;
  const before = earlier.writer.request.encryptedWallet;
  const after = later.writer.request.encryptedWallet;
  const operations = [later.writer.id, earlier.writer.id, ...evidenceOps(later), ...evidenceOps(earlier)];
  const laterText = `${narrator.post(later.writer)} (${howKnown(later, narrator)})`;
  const earlierText = `${narrator.post(earlier.writer)} (${howKnown(earlier, narrator)})`;
  const laterSequence = later.facts.sequence;
  const earlierSequence = earlier.facts.sequence;

  if (earlierSequence === laterSequence - 1) {
    log.add({
      requirement: "LIN-1",
      account,
      explanation: `${capitalize(laterText)} does not extend version ${earlierSequence}, which ${earlierText} wrote: client ${later.writer.client} had not built on version ${earlierSequence}, whose changes it replaced.`,
      operations,
    });
    return;
  }
  const missing = missingSegments(before, after);
  if (missing.length === 0) {
    log.add({
      requirement: "LIN-1",
      account,
      explanation: `Version ${laterSequence}, from ${laterText}, does not extend version ${earlierSequence}, from ${earlierText}, although every version between them was written by a client that built on the version before it.`,
      operations,
    });
    return;
  }
  const shown = missing.slice(0, 3).map((segment) => `":${segment}"`).join(", ");
  const more = missing.length > 3 ? ` and ${missing.length - 3} more` : "";
  log.add({
    requirement: "LIN-5",
    account,
    explanation: `Version ${laterSequence}, from ${laterText}, has lost change${missing.length > 1 ? "s" : ""} ${shown}${more} of version ${earlierSequence}, from ${earlierText}: the changes of a stored version must be in every later version.`,
    operations,
  });
}

/** How the history shows that a version's writer took effect. */
function howKnown({ facts, writer }: Written, narrator: Narrator): string {
  if (writer.outcome.type === "ok") return `accepted at ${narrator.at(writer.completedAt)}`;
  const observed = facts.observed[0];
  if (observed) return `${narrator.postFate(writer)}, yet ${narrator.op(observed.op)} returned its version at ${narrator.at(observed.op.completedAt)}`;
  return `${narrator.postFate(writer)}, yet a later version could only be stored on top of it`;
}

function evidenceOps({ facts, writer }: Written): number[] {
  const observed = facts.observed[0];
  return writer.outcome.type !== "ok" && observed ? [observed.op.id] : [];
}

/** Segments (":xxxx" without the colon) of `before` that `after` lacks. */
function missingSegments(before: string, after: string): string[] {
  const present = new Set(after.split(":").slice(1));
  return before
    .split(":")
    .slice(1)
    .filter((segment) => !present.has(segment));
}
