// LIN-1 and LIN-5, the content side, for the append-log demo wallet: an
// honest client posts its base plus appended segments, so every version
// written by an honest client extends the version before it, and by
// induction every earlier version. Comparing each version with the nearest
// earlier one whose writer is known is enough: one prefix test per version.
import { capitalize, type Narrator, type ViolationLog } from "./findings.js";
import { isHonestPost, sameVersion, type PostOperation } from "./history.js";
import type { AccountVersions, VersionFacts } from "./versions.js";

/**
 * Names the writer of each unambiguous version: the accepted POST, the POST a
 * returned wallet names, or, for a version that must exist because a later
 * one does, the only version its possible writers could have stored.
 */
export function nameWriters(versions: AccountVersions, badEchoes: ReadonlySet<PostOperation>): void {
  for (const facts of versions.ascending) {
    if (facts.duplicated) continue;
    const accepted = facts.accepted[0];
    // An accepted POST whose 200 carried another wallet (reported under
    // LIN-3) leaves the version unknown.
    if (accepted && badEchoes.has(accepted)) continue;
    const settled = accepted ?? facts.observed[0]?.writer;
    if (settled) {
      facts.writer = settled;
      continue;
    }
    const storedBy = facts.storedBy;
    if (!storedBy) continue;
    let only: PostOperation | undefined;
    let ambiguous = false;
    for (const post of facts.candidates) {
      if (post.invokedAt >= storedBy.at) continue;
      if (!only) only = post;
      else if (!sameVersion(only.request, post.request)) ambiguous = true;
    }
    if (only && !ambiguous) facts.writer = only;
  }
}

export function checkContentChain(versions: AccountVersions, narrator: Narrator, log: ViolationLog): void {
  let previous: VersionFacts | undefined;
  let lastSequence = Number.NaN;
  for (const facts of versions.ascending) {
    const sequence = facts.sequence;
    // The chain holds only across consecutive sequences that nothing else
    // already reported as broken.
    if (sequence !== lastSequence + 1 || facts.predecessorMissing) previous = undefined;
    lastSequence = sequence;
    if (facts.duplicated) {
      previous = undefined;
      continue;
    }
    const writer = facts.writer;
    if (!writer) {
      // An unnamed version in a gap is fine if every possible writer was
      // honest (each extends the version before); a hostile one may have
      // dropped changes legitimately, so the chain restarts after it.
      if (facts.candidates.length === 0 || facts.candidates.some((post) => !isHonestPost(post))) previous = undefined;
      continue;
    }
    if (previous?.writer && isHonestPost(writer)) compare(previous, facts, versions.account, narrator, log);
    previous = facts;
  }
}

function compare(
  earlier: VersionFacts,
  later: VersionFacts,
  account: string,
  narrator: Narrator,
  log: ViolationLog,
): void {
  const before = earlier.writer!.request.encryptedWallet;
  const after = later.writer!.request.encryptedWallet;
  if (after.startsWith(before)) return;
  const operations = [later.writer!.id, earlier.writer!.id, ...evidenceOps(later), ...evidenceOps(earlier)];
  const laterText = `${narrator.post(later.writer!)} (${howKnown(later, narrator)})`;
  const earlierText = `${narrator.post(earlier.writer!)} (${howKnown(earlier, narrator)})`;

  if (earlier.sequence === later.sequence - 1) {
    log.add({
      requirement: "LIN-1",
      account,
      explanation: `${capitalize(laterText)} does not extend version ${earlier.sequence}, which ${earlierText} wrote: client ${later.writer!.client} had not built on version ${earlier.sequence}, whose changes it replaced.`,
      operations,
    });
    return;
  }
  const missing = missingSegments(before, after);
  if (missing.length === 0) {
    log.add({
      requirement: "LIN-1",
      account,
      explanation: `Version ${later.sequence}, from ${laterText}, does not extend version ${earlier.sequence}, from ${earlierText}, although every version between them was written by a client that built on the version before it.`,
      operations,
    });
    return;
  }
  const shown = missing.slice(0, 3).map((segment) => `":${segment}"`).join(", ");
  const more = missing.length > 3 ? ` and ${missing.length - 3} more` : "";
  log.add({
    requirement: "LIN-5",
    account,
    explanation: `Version ${later.sequence}, from ${laterText}, has lost change${missing.length > 1 ? "s" : ""} ${shown}${more} of version ${earlier.sequence}, from ${earlierText}: the changes of a stored version must be in every later version.`,
    operations,
  });
}

/** How the history shows that a version's writer took effect. */
function howKnown(facts: VersionFacts, narrator: Narrator): string {
  const writer = facts.writer!;
  if (writer.outcome.type === "ok") return `accepted at ${narrator.at(writer.completedAt)}`;
  const observed = facts.observed[0];
  if (observed) return `${narrator.postFate(writer)}, yet ${narrator.op(observed.op)} returned its version at ${narrator.at(observed.op.completedAt)}`;
  return `${narrator.postFate(writer)}, yet a later version could only be stored on top of it`;
}

function evidenceOps(facts: VersionFacts): number[] {
  const observed = facts.observed[0];
  return facts.writer?.outcome.type !== "ok" && observed ? [observed.op.id] : [];
}

/** Segments (":xxxx" without the colon) of `before` that `after` lacks. */
function missingSegments(before: string, after: string): string[] {
  const present = new Set(after.split(":").slice(1));
  return before
    .split(":")
    .slice(1)
    .filter((segment) => !present.has(segment));
}
