// Splits a history by account: every check is per account, since accounts
// share nothing but the server.
import {
  isWrite,
  type AuthOperation,
  type GetOperation,
  type Operation,
  type PasswordOperation,
  type SocketOperation,
  type TokenOperation,
  type WriteOperation,
} from "./history.js";

export interface AccountOperations {
  account: string;
  /** GETs of /wallet and writes, in history order (for a recorded history, completion order). */
  requests: (GetOperation | WriteOperation)[];
  /** POSTs of /wallet and password changes that sent a wallet: the account's sequence chain. */
  writes: WriteOperation[];
  auths: AuthOperation[];
  /** Every password change, with a wallet or without. */
  passwords: PasswordOperation[];
  sockets: SocketOperation[];
  /** Requests that carried one of the account's tokens: GETs, POSTs, socket upgrades. */
  tokenRequests: TokenOperation[];
  /** Writes of each sequence, whatever their outcome: sequences name versions. */
  writesBySequence: Map<number, WriteOperation[]>;
}

/** Groups operations by account, in order of first appearance; signups take part in no check. */
export function groupByAccount(operations: readonly Operation[]): AccountOperations[] {
  const byAccount = new Map<string, AccountOperations>();
  for (const operation of operations) {
    let group = byAccount.get(operation.account);
    if (!group) {
      group = {
        account: operation.account,
        requests: [],
        writes: [],
        auths: [],
        passwords: [],
        sockets: [],
        tokenRequests: [],
        writesBySequence: new Map(),
      };
      byAccount.set(operation.account, group);
    }
    if (isWrite(operation)) addWrite(group, operation);
    switch (operation.kind) {
      case "get":
        group.requests.push(operation);
        group.tokenRequests.push(operation);
        break;
      case "post":
        group.tokenRequests.push(operation);
        break;
      case "socket":
        group.sockets.push(operation);
        group.tokenRequests.push(operation);
        break;
      case "password":
        group.passwords.push(operation);
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

function addWrite(group: AccountOperations, write: WriteOperation): void {
  group.requests.push(write);
  group.writes.push(write);
  const sequence = write.request.sequence;
  const sameSequence = group.writesBySequence.get(sequence);
  if (sameSequence) sameSequence.push(write);
  else group.writesBySequence.set(sequence, [write]);
}
