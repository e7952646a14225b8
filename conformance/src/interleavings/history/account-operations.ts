// Splits a history by account: every check is per account, since accounts
// share nothing but the server.
import type { AuthOperation, GetOperation, Operation, PostOperation } from "./history.js";

export interface AccountOperations {
  account: string;
  /** GETs and POSTs of /wallet, in history order (for a recorded history, completion order). */
  requests: (GetOperation | PostOperation)[];
  posts: PostOperation[];
  auths: AuthOperation[];
  /** POSTs of each sequence, whatever their outcome: sequences name versions. */
  postsBySequence: Map<number, PostOperation[]>;
}

/** Groups operations by account, in order of first appearance; signups take part in no check. */
export function groupByAccount(operations: readonly Operation[]): AccountOperations[] {
  const byAccount = new Map<string, AccountOperations>();
  for (const operation of operations) {
    let group = byAccount.get(operation.account);
    if (!group) {
      group = { account: operation.account, requests: [], posts: [], auths: [], postsBySequence: new Map() };
      byAccount.set(operation.account, group);
    }
    switch (operation.kind) {
      case "post": {
        group.requests.push(operation);
        group.posts.push(operation);
        const sequence = operation.request.sequence;
        const sameSequence = group.postsBySequence.get(sequence);
        if (sameSequence) sameSequence.push(operation);
        else group.postsBySequence.set(sequence, [operation]);
        break;
      }
      case "get":
        group.requests.push(operation);
        break;
      case "auth":
        group.auths.push(operation);
        break;
      case "signup":
        break;
    }
  }
  return [...byAccount.values()];
}
