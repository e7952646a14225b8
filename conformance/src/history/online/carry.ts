// What a cut of one account carries forward: the operations that later ones
// can still contradict, chosen from what the passes found in the window.
// Everything else the window held is dropped. Each rule names the pass it
// serves; the horizon bounds what each keeps, so that an account's retained
// operations stay bounded however long it runs.
import type { AccountFindings } from "../checker.js";
import { isWrite, type AuthOperation, type Millis, type Operation, type ServerEvent, type SocketOperation, type WriteOperation } from "../history.js";
import { announcedSequence } from "../notifications.js";
import { tokenKey } from "../password-changes.js";
import { sortByCompletion } from "../order.js";
import type { WalletAnswer } from "../returned-wallets.js";

/** How much of the past an account keeps beyond what a correct server's later answers can show. */
export interface Horizon {
  /** Versions kept below the newest stored one: an answer may show one of them and be judged as the offline checker does. */
  keepVersions: number;
  /** Tokens (successful auths) kept per device, newest first: TOKEN-2 judges a use of one of them. */
  keepTokens: number;
  /** Password changes kept per account, newest first (PASS-2, NOTIFY-4); as many of those without a wallet refused with 409 besides (PASS-4). */
  keepPasswordChanges: number;
  /** Crashes whose newest acknowledged version is kept (DUR-1). */
  keepCrashes: number;
  /** Accepted POSTs kept per open socket whose frame it has not received yet (NOTIFY-2). */
  keepUnannounced: number;
}

export const defaultHorizon: Horizon = {
  keepVersions: 64,
  keepTokens: 16,
  keepPasswordChanges: 16,
  keepCrashes: 16,
  keepUnannounced: 64,
};

export interface Carried {
  /** The operations kept, in the window's order. */
  operations: Operation[];
  /** The lowest version whose writes are all kept: answers below it are beyond the horizon. */
  bottom: number;
}

/**
 * `window`: the account's real operations of the window (carried and new);
 * `cutAt`: every later operation was sent at or after it; `openSockets`:
 * the account's sockets still open after the cut, whose frames before
 * `framesBefore` were judged; `proofsWaiting`: the ids of operations named
 * by violations that wait for the next window.
 */
export function carryForward(
  window: readonly Operation[],
  findings: AccountFindings,
  cutAt: Millis,
  crashes: readonly ServerEvent[],
  openSockets: readonly SocketOperation[],
  framesBefore: Millis,
  horizon: Horizon,
  proofsWaiting: ReadonlySet<number>,
): Carried {
  const keep = new Set<Operation>();
  // Still running at the cut: later operations overlap them. Named by a violation that names one of those too:
  // the next window judges it, with its whole proof.
  for (const op of window) if (op.completedAt >= cutAt || proofsWaiting.has(op.id)) keep.add(op);
  const bottom = keepVersions(findings, cutAt, horizon.keepVersions, keep);
  keepNewestShown(findings.answers.answers, cutAt, bottom, keep);
  keepTokens(window, horizon.keepTokens, keep);
  keepFirstLogins(window, keep);
  keepPasswordChanges(window, findings, horizon.keepPasswordChanges, keep);
  keepForRefusedChanges(window, horizon.keepPasswordChanges, keep);
  keepAcknowledgedBeforeCrashes(findings.answers.answers, crashes.slice(-horizon.keepCrashes), keep);
  // DUR-1, DUR-2 are reported once per crash and account: their proofs stay, so that a later answer does not report them again.
  for (const op of findings.durability.proofs) keep.add(op);
  keepForOpenSockets(window, findings, openSockets, framesBefore, horizon.keepUnannounced, keep);
  return { operations: window.filter((op) => keep.has(op)), bottom };
}

/**
 * LIN-1..LIN-3, LIN-5: every write of the versions that may be current when
 * the next request is sent (from the newest one shown stored by then), and of
 * keepVersions - 1 below them, with the first answer that returned each
 * write's version, which names its writer and dates it. The lowest kept
 * version has a named writer where one is near, so the content chain of
 * later versions starts where the history shows it.
 */
function keepVersions({ versions, predecessors, writers }: AccountFindings, cutAt: Millis, keepVersions: number, keep: Set<Operation>): number {
  let top = 0;
  for (const facts of versions.ascending) {
    const storedBy = predecessors.storedBy.get(facts);
    if (storedBy && storedBy.at < cutAt && facts.sequence > top) top = facts.sequence;
  }
  let bottom = Math.max(1, top - keepVersions + 1);
  for (let sequence = bottom; sequence >= 1 && top - sequence < 2 * keepVersions; sequence--) {
    const facts = versions.bySequence.get(sequence);
    if (facts && writers.has(facts)) {
      bottom = sequence;
      break;
    }
  }
  for (const facts of versions.ascending) {
    if (facts.sequence < bottom) continue;
    for (const write of facts.writes) keep.add(write);
    // The first answer that returned each write's version (in order of completion): LIN-2 names the first one to show a second version.
    const shown = new Set<WriteOperation>();
    for (const answer of facts.observed) {
      if (!answer.writer || shown.has(answer.writer)) continue;
      shown.add(answer.writer);
      keep.add(answer.op);
    }
  }
  return bottom;
}

/**
 * LIN-4, LIN-6: what the real-time sweep knows when the first later request
 * is sent: the newest acknowledged version, the newest shown, and the newest
 * each device saw, answered before the cut (the first of equal sequences,
 * as the sweep keeps them). Answers after the cut are kept whole above.
 */
function keepNewestShown(answers: readonly WalletAnswer[], cutAt: Millis, bottom: number, keep: Set<Operation>): void {
  const before = answers.filter((answer) => answer.via !== "none" && answer.op.completedAt < cutAt);
  sortByCompletion(before);
  let acknowledged: WalletAnswer | undefined;
  let shown: WalletAnswer | undefined;
  const byDevice = new Map<string, WalletAnswer>();
  for (const answer of before) {
    if (answer.via === "echo" && (!acknowledged || answer.sequence > acknowledged.sequence)) acknowledged = answer;
    if (!shown || answer.sequence > shown.sequence) shown = answer;
    const seen = byDevice.get(answer.op.client);
    if (!seen || answer.sequence > seen.sequence) byDevice.set(answer.op.client, answer);
  }
  for (const answer of [acknowledged, shown, ...byDevice.values()]) {
    // One below the horizon could only be contradicted by an answer below it too.
    if (answer && answer.sequence >= bottom) keep.add(answer.op);
  }
}

/** TOKEN-2: each device's newest tokens, whose replacements are among them (generations count in order of answer). */
function keepTokens(window: readonly Operation[], keepTokens: number, keep: Set<Operation>): void {
  const byDevice = new Map<string, AuthOperation[]>();
  for (const op of window) {
    if (op.kind !== "auth" || op.outcome.type !== "ok") continue;
    const auths = byDevice.get(op.client);
    if (auths) auths.push(op);
    else byDevice.set(op.client, [op]);
  }
  byDevice.forEach((auths) => {
    auths.sort((a, b) => a.tokenGeneration - b.tokenGeneration);
    for (const auth of auths.slice(-keepTokens)) keep.add(auth);
  });
}

/**
 * DUR-2: the account existed before a crash: its first successful signup and
 * login. TOKEN-2: each device's first token (a server that never ends it is
 * a common defect), and the login that first replaced it (the earliest
 * answered of the device's sent after it), which a use of it names as the
 * offline checker does.
 */
function keepFirstLogins(window: readonly Operation[], keep: Set<Operation>): void {
  const signup = window.find((op) => op.kind === "signup" && op.outcome.type === "ok");
  if (signup) keep.add(signup);
  // The window is in order of completion: the first found is the earliest answered.
  const firstByDevice = new Map<string, AuthOperation>();
  const replaced = new Set<string>();
  for (const op of window) {
    if (op.kind !== "auth" || op.outcome.type !== "ok" || replaced.has(op.client)) continue;
    const first = firstByDevice.get(op.client);
    if (!first) {
      firstByDevice.set(op.client, op);
      keep.add(op);
    } else if (op.invokedAt > first.completedAt) {
      replaced.add(op.client);
      keep.add(op);
    }
  }
}

/**
 * PASS-2, NOTIFY-4: the newest password changes, whatever their outcome (an
 * indeterminate one excuses a refused login); and the acknowledged change
 * that ended each kept token first, and that first ended or set each
 * password a kept login or change gave, which the passes name; and the
 * first change away from each such password that may have taken effect,
 * which excuses a later refused login with it.
 */
function keepPasswordChanges(
  window: readonly Operation[],
  { passwordChanges }: AccountFindings,
  keepPasswordChanges: number,
  keep: Set<Operation>,
): void {
  const changes = window.filter((op) => op.kind === "password");
  for (const change of changes.slice(-keepPasswordChanges)) keep.add(change);
  if (passwordChanges.setPasswords.size === 0) return;
  const movedOn = new Map<string, Operation>();
  for (const change of changes) {
    const first = movedOn.get(change.oldPassword);
    if (change.outcome.type !== "refused" && (!first || change.invokedAt < first.invokedAt)) movedOn.set(change.oldPassword, change);
  }
  for (const op of [...keep]) {
    if (op.kind === "auth" || op.kind === "socket") {
      const ended = passwordChanges.endedTokens.get(tokenKey(op.client, op.tokenGeneration));
      if (ended) keep.add(ended);
    }
    const passwords = op.kind === "auth" ? [op.password] : op.kind === "password" ? [op.oldPassword, op.newPassword] : [];
    for (const password of passwords) {
      if (password === undefined) continue;
      for (const change of [passwordChanges.endedPasswords.get(password), passwordChanges.setPasswords.get(password), movedOn.get(password)]) {
        if (change) keep.add(change);
      }
    }
  }
}

/** PASS-4: the newest changes without a wallet refused with 409, whose new password must not log in later (they are no writes: no other pass reads them). */
function keepForRefusedChanges(window: readonly Operation[], keepPasswordChanges: number, keep: Set<Operation>): void {
  const refused = window.filter((op) => op.kind === "password" && op.request === undefined && op.outcome.type === "refused" && op.outcome.status === 409);
  for (const change of refused.slice(-keepPasswordChanges)) keep.add(change);
}

/** DUR-1: the newest version acknowledged before each crash, which answers after it must not lose. */
function keepAcknowledgedBeforeCrashes(answers: readonly WalletAnswer[], crashes: readonly ServerEvent[], keep: Set<Operation>): void {
  for (const { at: crash } of crashes) {
    let newest: WalletAnswer | undefined;
    for (const answer of answers) {
      if (answer.via !== "echo" || answer.op.completedAt >= crash) continue;
      if (!newest || answer.sequence > newest.sequence) newest = answer;
    }
    if (newest) keep.add(newest.op);
  }
}

/**
 * NOTIFY-2, NOTIFY-3 for sockets still open: the accepted POSTs sent since
 * their upgrade whose frame has not come yet, and the writes of the last
 * frame judged, which the next window's order check starts from.
 */
function keepForOpenSockets(
  window: readonly Operation[],
  { versions }: AccountFindings,
  openSockets: readonly SocketOperation[],
  framesBefore: Millis,
  keepUnannounced: number,
  keep: Set<Operation>,
): void {
  for (const socket of openSockets) {
    const received = new Set<number>();
    let last: number | undefined;
    for (const frame of socket.frames) {
      if (frame.at >= framesBefore) break;
      const sequence = announcedSequence(frame.text);
      if (sequence === undefined) continue;
      received.add(sequence);
      last = sequence;
    }
    let kept = 0;
    for (const op of window) {
      if (kept >= keepUnannounced) break;
      if (!isWrite(op) || op.kind !== "post" || op.outcome.type !== "ok" || op.invokedAt <= socket.completedAt) continue;
      if (received.has(op.request.sequence)) continue;
      keep.add(op);
      kept++;
    }
    if (last !== undefined) for (const write of versions.bySequence.get(last)?.writes ?? []) keep.add(write);
  }
}
