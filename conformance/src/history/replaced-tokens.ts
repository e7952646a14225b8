// TOKEN-2 under concurrency: once a re-auth of the same device has been
// answered, the token it replaced must be refused. A re-auth replaces a token
// for sure only if it was sent after that token's auth was answered
// (overlapping auths may be processed in either order), and only once it has
// been answered itself. Only a 200 counts as accepting the old token: the
// order in which a server checks token and sequence is not specified, so a
// 409 proves nothing.
import type { AccountOperations } from "./account-operations.js";
import { compareTimes } from "./order.js";
import { capitalize, type Narrator, type ViolationLog } from "./findings.js";
import type { AuthOperation, Millis, TokenOperation } from "./history.js";

interface Replacement {
  at: Millis;
  by: AuthOperation;
  /** The auth that issued the replaced token: in a deployment it may have gone to another node than the replacement. */
  issuedBy: AuthOperation;
}

export function checkReplacedTokens(group: AccountOperations, narrator: Narrator, log: ViolationLog): void {
  const authsByDevice = new Map<string, AuthOperation[]>();
  for (const auth of group.auths) {
    if (auth.outcome.type !== "ok") continue;
    const auths = authsByDevice.get(auth.client);
    if (auths) auths.push(auth);
    else authsByDevice.set(auth.client, [auth]);
  }
  // Devices that got one token have nothing to check.
  const replacements = new Map<string, Map<number, Replacement>>();
  authsByDevice.forEach((auths, device) => {
    if (auths.length > 1) replacements.set(device, replacementTimes(auths));
  });
  if (replacements.size === 0) return;
  for (const op of group.tokenRequests) checkToken(op, replacements, group.account, narrator, log);
}

function checkToken(
  op: TokenOperation,
  replacements: Map<string, Map<number, Replacement>>,
  account: string,
  narrator: Narrator,
  log: ViolationLog,
): void {
  if (op.outcome.type !== "ok") return;
  const replacement = replacements.get(op.client)?.get(op.tokenGeneration);
  if (!replacement || op.invokedAt <= replacement.at) return;
  const what = op.kind === "post" ? narrator.post(op) : narrator.op(op);
  log.add({
    requirement: "TOKEN-2",
    account,
    explanation: `${capitalize(what)}, sent at ${narrator.at(op.invokedAt)} with the token of auth generation ${op.tokenGeneration} (issued by ${narrator.op(replacement.issuedBy)}), was answered ${op.outcome.status}, but that token had been replaced by ${narrator.op(replacement.by)} (generation ${replacement.by.tokenGeneration}), answered at ${narrator.at(replacement.at)}.`,
    operations: [op.id, replacement.by.id, replacement.issuedBy.id],
  });
}

/**
 * For each token generation of one device, the earliest time by which a
 * later re-auth certainly replaced it: the earliest answer among the auths
 * sent after its own auth was answered.
 */
function replacementTimes(auths: AuthOperation[]): Map<number, Replacement> {
  const bySending = [...auths].sort((a, b) => compareTimes(a.invokedAt, b.invokedAt));
  // earliestAnswerFrom[i]: the auth answered first among bySending[i..].
  const earliestAnswerFrom: AuthOperation[] = new Array<AuthOperation>(bySending.length);
  for (let index = bySending.length - 1; index >= 0; index--) {
    const auth = bySending[index]!;
    const later = earliestAnswerFrom[index + 1];
    earliestAnswerFrom[index] = later && later.completedAt < auth.completedAt ? later : auth;
  }
  const replaced = new Map<number, Replacement>();
  for (const auth of auths) {
    const first = firstSentAfter(bySending, auth.completedAt);
    const by = first < bySending.length ? earliestAnswerFrom[first] : undefined;
    if (by) replaced.set(auth.tokenGeneration, { at: by.completedAt, by, issuedBy: auth });
  }
  return replaced;
}

/** Index of the first auth (sorted by sending time) sent strictly after `time`. */
function firstSentAfter(bySending: AuthOperation[], time: Millis): number {
  let low = 0;
  let high = bySending.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (bySending[middle]!.invokedAt > time) high = middle;
    else low = middle + 1;
  }
  return low;
}
