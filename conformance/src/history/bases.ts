// Whether one version's content extends another's, for the append-log
// content model. Followed through what each client recorded it built on
// (PostedWallet.baseHmac: the hmac names a version's content) so that the
// cost is one step per version whatever the content's length, which grows
// with every change; contents are compared only where a history does not
// record its bases, or a version between the two was not built honestly.
import { isHonestPost, type WriteOperation } from "./history.js";
import type { AccountVersions } from "./versions.js";

export function extendsVersion(later: WriteOperation, earlier: WriteOperation, versions: AccountVersions): boolean {
  const target = earlier.request.sequence;
  let post = later;
  while (post.request.sequence > target) {
    const base = builtOn(post, versions);
    if (!base) return changeLog(later.request.encryptedWallet).startsWith(changeLog(earlier.request.encryptedWallet));
    post = base;
  }
  return post === earlier || (post.request.sequence === target && post.request.hmac === earlier.request.hmac);
}

/** The POST whose version an honest POST was built on, when the history records it. */
function builtOn(post: WriteOperation, versions: AccountVersions): WriteOperation | undefined {
  const { baseHmac, baseSequence } = post.request;
  if (baseHmac === undefined || !isHonestPost(post)) return undefined;
  return versions.bySequence.get(baseSequence)?.writes.find((candidate) => candidate.request.hmac === baseHmac);
}

/**
 * The append-log part of a wallet: a version may end in "~" and padding that
 * stands in for a large encrypted wallet and that the next version drops
 * (client/wallet-size.ts writes it; a test keeps the two readings the same).
 */
export function changeLog(encryptedWallet: string): string {
  const marker = encryptedWallet.indexOf("~");
  return marker < 0 ? encryptedWallet : encryptedWallet.slice(0, marker);
}
