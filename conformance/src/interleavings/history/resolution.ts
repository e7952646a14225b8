// What became of POSTs that timed out, lost their connection or got a 5xx.
// Informational only: no check counts them as success or failure, but reports
// say which ones later answers show to have taken effect.
import { isHonestPost, sameVersion, type ContentModel, type PostOperation } from "./history.js";
import type { AccountVersions, VersionFacts } from "./versions.js";

export type Resolution = "took-effect" | "did-not-take-effect" | "unknown";

export interface IndeterminatePost {
  operation: number;
  account: string;
  sequence: number;
  resolution: Resolution;
}

export function resolveIndeterminatePosts(versions: AccountVersions, contentModel: ContentModel): IndeterminatePost[] {
  const resolved: IndeterminatePost[] = [];
  for (const facts of versions.ascending) {
    for (const post of facts.candidates) {
      if (post.outcome.type !== "indeterminate") continue;
      resolved.push({
        operation: post.id,
        account: versions.account,
        sequence: facts.sequence,
        resolution: resolve(post, facts, versions, contentModel),
      });
    }
  }
  return resolved;
}

function resolve(
  post: PostOperation,
  facts: VersionFacts,
  versions: AccountVersions,
  contentModel: ContentModel,
): Resolution {
  // A POST that sent the same version as another cannot be told apart from it.
  if (facts.candidates.some((other) => other !== post && sameVersion(other.request, post.request))) return "unknown";
  if (facts.duplicated) return facts.observed.some((answer) => answer.writer === post) ? "took-effect" : "unknown";
  const writer = facts.writer;
  if (writer) return writer === post ? "took-effect" : "did-not-take-effect";
  // Several POSTs may have stored this version and no answer returned it: an
  // honest writer of the next version built on the one that did.
  if (contentModel !== "append-log" || !facts.storedBy) return "unknown";
  const next = versions.bySequence.get(facts.sequence + 1)?.writer;
  if (!next || !isHonestPost(next)) return "unknown";
  const storedBy = facts.storedBy.at;
  const extended = facts.candidates.filter(
    (candidate) =>
      candidate.invokedAt < storedBy && next.request.encryptedWallet.startsWith(candidate.request.encryptedWallet),
  );
  if (extended.length !== 1) return "unknown";
  return extended[0] === post ? "took-effect" : "did-not-take-effect";
}
