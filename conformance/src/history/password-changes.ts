// PASS-2 and NOTIFY-4: what an acknowledged password change ends; PASS-4:
// what a change without the account's wallet must not do. Once a
// change is answered 200, every token of the account issued before it was
// sent is refused (GET, POST, socket upgrade), its old password logs in no
// more and its new one does; and every socket opened with one of those
// tokens is closed by the server by the end of the run, whenever its upgrade
// ran. Only a 200 counts: a change that timed out or got a 5xx may or may not
// have taken effect. Tokens issued while a change ran are not in its
// endsTokens (the server may have processed their auth on either side of it),
// so they are never judged; nor is a request that overlapped the change.
import type { AccountOperations } from "./account-operations.js";
import { capitalize, type Narrator, type ViolationLog } from "./findings.js";
import type { AuthOperation, PasswordOperation, ServerEvent, SocketOperation, TokenOperation } from "./history.js";

/** What the account's acknowledged password changes ended. */
export interface PasswordChanges {
  /** For each token ("client\0generation"), the acknowledged change that ended it and was answered first. */
  endedTokens: ReadonlyMap<string, PasswordOperation>;
  /** For each password label, the acknowledged change away from it that was answered first. */
  endedPasswords: ReadonlyMap<string, PasswordOperation>;
  /** For each password label, the acknowledged change that set it. */
  setPasswords: ReadonlyMap<string, PasswordOperation>;
}

export function tokenKey(client: string, tokenGeneration: number): string {
  return `${client}\u0000${tokenGeneration}`;
}

export function collectPasswordChanges(group: AccountOperations): PasswordChanges {
  const endedTokens = new Map<string, PasswordOperation>();
  const endedPasswords = new Map<string, PasswordOperation>();
  const setPasswords = new Map<string, PasswordOperation>();
  const keepFirst = (map: Map<string, PasswordOperation>, key: string, change: PasswordOperation) => {
    const known = map.get(key);
    if (!known || change.completedAt < known.completedAt) map.set(key, change);
  };
  for (const change of group.passwords) {
    if (change.outcome.type !== "ok") continue;
    for (const token of change.endsTokens) keepFirst(endedTokens, tokenKey(token.client, token.tokenGeneration), change);
    keepFirst(endedPasswords, change.oldPassword, change);
    keepFirst(setPasswords, change.newPassword, change);
  }
  return { endedTokens, endedPasswords, setPasswords };
}

/** The change that ended the token a request carried, if one had been answered 200 before the request was sent. */
function endedBefore(op: TokenOperation, changes: PasswordChanges): PasswordOperation | undefined {
  const change = changes.endedTokens.get(tokenKey(op.client, op.tokenGeneration));
  return change && change.completedAt < op.invokedAt ? change : undefined;
}

/** PASS-2: ended tokens and old passwords are refused, the new password logs in. */
export function checkEndedCredentials(group: AccountOperations, changes: PasswordChanges, narrator: Narrator, log: ViolationLog): void {
  if (changes.setPasswords.size === 0) return;
  for (const op of group.tokenRequests) {
    if (op.outcome.type !== "ok") continue;
    const change = endedBefore(op, changes);
    if (!change) continue;
    const what = op.kind === "post" ? narrator.post(op) : narrator.op(op);
    log.add({
      requirement: "PASS-2",
      account: group.account,
      explanation: `${capitalize(what)}, sent at ${narrator.at(op.invokedAt)} with token ${op.tokenGeneration}, was answered ${op.outcome.status}, but ${narrator.op(change)} had ended that token: it was issued before the change was sent, and the change was answered 200 at ${narrator.at(change.completedAt)}.`,
      operations: [op.id, change.id],
    });
  }
  for (const login of [...group.auths, ...group.passwords]) checkLogin(login, group, changes, narrator, log);
}

/** An auth or a password change, judged by the password it gave. */
function checkLogin(
  login: AuthOperation | PasswordOperation,
  group: AccountOperations,
  changes: PasswordChanges,
  narrator: Narrator,
  log: ViolationLog,
): void {
  const password = login.kind === "auth" ? login.password : login.oldPassword;
  if (password === undefined) return;
  const outcome = login.outcome;
  const ended = changes.endedPasswords.get(password);
  if (outcome.type === "ok" && ended && ended.completedAt < login.invokedAt) {
    log.add({
      requirement: "PASS-2",
      account: group.account,
      explanation: `${capitalize(narrator.op(login))}, sent at ${narrator.at(login.invokedAt)} with password ${password}, was answered ${outcome.status}, but ${narrator.op(ended)} had changed the password from ${password} to ${ended.newPassword}, answered 200 at ${narrator.at(ended.completedAt)}: the old password must no longer log in.`,
      operations: [login.id, ended.id],
    });
    return;
  }
  const set = changes.setPasswords.get(password);
  if (outcome.type !== "refused" || outcome.status !== 401 || !set || set.completedAt >= login.invokedAt) return;
  // Another change away from this password, which may have taken effect before the login was answered, excuses the 401.
  const movedOn = group.passwords.some(
    (other) => other !== login && other.oldPassword === password && other.outcome.type !== "refused" && other.invokedAt < login.completedAt,
  );
  if (movedOn) return;
  log.add({
    requirement: "PASS-2",
    account: group.account,
    explanation: `${capitalize(narrator.op(login))}, sent at ${narrator.at(login.invokedAt)} with password ${password}, was refused (401), but ${narrator.op(set)} had set that password, answered 200 at ${narrator.at(set.completedAt)}, and no change away from it had been sent: the new password must log in.`,
    operations: [login.id, set.id],
  });
}

/**
 * PASS-4, as far as a history shows it: a change without wallet fields sent
 * after an answer showed the account's wallet (walletShownBy; wallets are
 * never deleted) must not be answered 200; and a change without a wallet
 * answered 409 changes nothing, so a login sent after that answer with the
 * password it tried to set must not succeed (its client probes so). Neither
 * races: a wallet stays once stored, and each change tries a password of
 * its own.
 */
export function checkRefusedPasswordChanges(group: AccountOperations, crashes: readonly ServerEvent[], narrator: Narrator, log: ViolationLog): void {
  if (group.passwords.length === 0) return;
  const refusedBy = new Map<string, PasswordOperation>();
  for (const change of group.passwords) {
    if (change.request !== undefined) continue;
    if (change.outcome.type === "refused" && change.outcome.status === 409) refusedBy.set(change.newPassword, change);
    if (change.outcome.type !== "ok" || change.walletShownBy === undefined) continue;
    const shown = group.requests.find((op) => op.id === change.walletShownBy);
    // A crash may have lost a wallet that only a read showed (DUR-1 keeps acknowledged writes alone): not judged then.
    const acknowledgedWrite = shown !== undefined && shown.kind !== "get";
    if (!acknowledgedWrite && crashes.some((crash) => crash.at < change.invokedAt)) continue;
    const showing = shown ? `${narrator.op(shown)} had shown it, answered 200 at ${narrator.at(shown.completedAt)}` : `operation #${change.walletShownBy} had shown it`;
    log.add({
      requirement: "PASS-4",
      account: group.account,
      explanation: `${capitalize(narrator.op(change))}, sent at ${narrator.at(change.invokedAt)} without a wallet, was answered 200, but the account had a wallet: ${showing}. A change without the wallet re-encrypted under the new password must be answered 409 and change nothing, or the stored wallet is one the new password cannot decrypt.`,
      operations: [change.id, change.walletShownBy],
    });
  }
  if (refusedBy.size === 0) return;
  for (const login of group.auths) {
    const change = login.password === undefined ? undefined : refusedBy.get(login.password);
    if (!change || login.outcome.type !== "ok" || change.completedAt >= login.invokedAt) continue;
    log.add({
      requirement: "PASS-4",
      account: group.account,
      explanation: `${capitalize(narrator.op(login))}, sent at ${narrator.at(login.invokedAt)} with password ${login.password}, was answered 200, but ${narrator.op(change)}, without a wallet, had tried to set that password and was refused (409) at ${narrator.at(change.completedAt)}: a refused change must change nothing, so its new password must not log in.`,
      operations: [login.id, change.id],
    });
  }
}

/** NOTIFY-4: a socket opened with a token an acknowledged change ended is closed by the server by the end of the run. */
export function checkClosedSockets(group: AccountOperations, changes: PasswordChanges, narrator: Narrator, log: ViolationLog): void {
  if (changes.endedTokens.size === 0) return;
  for (const socket of group.sockets) {
    if (socket.outcome.type !== "ok" || socket.closed?.by !== "client") continue;
    const change = changes.endedTokens.get(tokenKey(socket.client, socket.tokenGeneration));
    if (!change) continue;
    log.add({
      requirement: "NOTIFY-4",
      account: group.account,
      explanation: `${capitalize(describeSocket(socket, narrator))} with token ${socket.tokenGeneration}, was still open when its client closed it at the end of the run, at ${narrator.at(socket.closed.at)}, but ${narrator.op(change)}, answered 200 at ${narrator.at(change.completedAt)}, had ended that token: the server must close the socket.`,
      operations: [socket.id, change.id],
    });
  }
}

/** "client d1's socket #12, upgraded at t=3.0 ms" */
export function describeSocket(socket: SocketOperation, narrator: Narrator): string {
  return `${narrator.op(socket)}, upgraded at ${narrator.at(socket.completedAt)}`;
}
