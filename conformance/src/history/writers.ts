// Which POST wrote each version, where the history names exactly one: the
// accepted POST, the POST a returned wallet names, or, for a version that
// must exist because a later one does, the only version its possible writers
// could have stored. Checks nothing itself; the content chain and the
// resolution of indeterminate POSTs read it.
import { sameVersion, type WriteOperation } from "./history.js";
import type { Predecessors } from "./predecessors.js";
import type { WalletAnswers } from "./returned-wallets.js";
import type { AccountVersions, SingleAcceptance, VersionFacts } from "./versions.js";

export type Writers = ReadonlyMap<VersionFacts, WriteOperation>;

export function nameWriters(
  versions: AccountVersions,
  acceptance: SingleAcceptance,
  predecessors: Predecessors,
  answers: WalletAnswers,
): Writers {
  const writers = new Map<VersionFacts, WriteOperation>();
  for (const facts of versions.ascending) {
    if (acceptance.duplicated.has(facts)) continue;
    const accepted = facts.accepted[0];
    // An accepted POST whose 200 carried another wallet (reported under
    // LIN-3) leaves the version unknown.
    if (accepted && answers.badEchoes.has(accepted)) continue;
    const settled = accepted ?? facts.observed[0]?.writer;
    if (settled) {
      writers.set(facts, settled);
      continue;
    }
    const storedBy = predecessors.storedBy.get(facts);
    if (!storedBy) continue;
    let only: WriteOperation | undefined;
    let ambiguous = false;
    for (const post of facts.candidates) {
      if (post.invokedAt >= storedBy.at) continue;
      if (!only) only = post;
      else if (!sameVersion(only.request, post.request)) ambiguous = true;
    }
    if (only && !ambiguous) writers.set(facts, only);
  }
  return writers;
}
