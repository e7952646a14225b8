// What became of POSTs that timed out, lost their connection or got a 5xx.
// Informational only: no check counts them as success or failure, but reports
// say which ones later answers show to have taken effect.
import { extendsVersion } from "./bases.js";
import { isHonestPost, sameVersion, type ContentModel, type WriteOperation } from "./history.js";
import type { Predecessors } from "./predecessors.js";
import type { AccountVersions, SingleAcceptance, VersionFacts } from "./versions.js";
import type { Writers } from "./writers.js";

/** What the earlier passes found, which decides what later answers show. */
export interface VersionFindings {
  acceptance: SingleAcceptance;
  predecessors: Predecessors;
  writers: Writers;
}

export type Resolution = "took-effect" | "did-not-take-effect" | "unknown";

export interface IndeterminatePost {
  operation: number;
  account: string;
  sequence: number;
  resolution: Resolution;
}

export function resolveIndeterminatePosts(
  versions: AccountVersions,
  findings: VersionFindings,
  contentModel: ContentModel,
): IndeterminatePost[] {
  const resolved: IndeterminatePost[] = [];
  for (const facts of versions.ascending) {
    for (const post of facts.candidates) {
      if (post.outcome.type !== "indeterminate") continue;
      resolved.push({
        operation: post.id,
        account: versions.account,
        sequence: facts.sequence,
        resolution: resolve(post, facts, versions, findings, contentModel),
      });
    }
  }
  return resolved;
}

function resolve(
  post: WriteOperation,
  facts: VersionFacts,
  versions: AccountVersions,
  { acceptance, predecessors, writers }: VersionFindings,
  contentModel: ContentModel,
): Resolution {
  // A POST that sent the same version as another cannot be told apart from it.
  if (facts.candidates.some((other) => other !== post && sameVersion(other.request, post.request))) return "unknown";
  if (acceptance.duplicated.has(facts)) return facts.observed.some((answer) => answer.writer === post) ? "took-effect" : "unknown";
  const writer = writers.get(facts);
  if (writer) return writer === post ? "took-effect" : "did-not-take-effect";
  // Several POSTs may have stored this version and no answer returned it: an
  // honest writer of the next version built on the one that did.
  const evidence = predecessors.storedBy.get(facts);
  if (contentModel !== "append-log" || !evidence) return "unknown";
  const nextVersion = versions.bySequence.get(facts.sequence + 1);
  const next = nextVersion && writers.get(nextVersion);
  if (!next || !isHonestPost(next)) return "unknown";
  const storedBy = evidence.at;
  const extended = facts.candidates.filter(
    (candidate) => candidate.invokedAt < storedBy && extendsVersion(next, candidate, versions),
  );
  if (extended.length !== 1) return "unknown";
  return extended[0] === post ? "took-effect" : "did-not-take-effect";
}
