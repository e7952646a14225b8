// The history checker for a history that never ends: it judges operations
// as they complete, in memory bounded per account, and agrees with the
// offline checker (checker.ts) because it runs the same passes
// (checkAccount) on a window of each account at a time.
//
// Each account's stream is cut at a time T once every request sent before T
// has completed (the caller's longest request, maxOperationMs, has passed
// since T): the window is what earlier cuts carried forward (carry.ts), the
// operations answered before T, and those sent before T and answered after,
// which the others may name. Its violations that name an operation answered
// before T, and none answered after, are reported with the operations that
// prove them (the others wait for the next window); then only what later
// operations can still contradict is kept. Where the versions kept begin, a
// synthetic write accepted before everything stands for the forgotten
// predecessor, so the passes see a chain that starts somewhere; a violation
// naming it is about the forgotten past and dropped.
//
// An operation is judged once its account is cut after it: at the latest
// maxOperationMs plus 1.5 judgeAfterMs after it completed (the clock is the
// operations' own, moved on by add, event and tick), sooner when
// segmentOperations of the account wait.
//
// What bounds an account's memory: the operations sent in the last
// maxOperationMs plus judgeAfterMs (or segmentOperations, whichever cut comes
// first), and what the horizon keeps: the writes of its newest keepVersions
// versions (more while none of them is settled), a few answers, the newest
// keepTokens tokens per device, keepPasswordChanges changes, and per open
// socket up to keepUnannounced accepted POSTs it was not yet told of. A socket
// stays open as long as its holder keeps it; its frames are the holder's. A
// violation that names a request still running waits for the next window,
// and the operations it names are carried to it.
//
// Beyond the horizon the two checkers may word a violation differently but
// this one still reports it: an answer showing a version older than the
// kept ones names no writer it knows (LIN-3 where the offline checker, which
// remembers that version, says LIN-4), a foreign wallet of a dropped version
// is LIN-3 rather than TOKEN-1, a use of a token older than the newest
// keepTokens of its device, other than its first, is not judged, and a
// request that completes more than maxOperationMs after it was sent is
// judged with what was carried (stats.lateOperations counts them).
import { checkAccount, type AccountContext } from "../checker.js";
import { groupByAccount } from "../account-operations.js";
import { historyRequirements, Narrator, ViolationLog, type HistoryRequirement, type Violation } from "../findings.js";
import {
  conflictsCarryWallet,
  isWrite,
  type ContentModel,
  type HistoryProfile,
  type Millis,
  type Operation,
  type PostOperation,
  type ServerEvent,
} from "../history.js";
import { sortOperationsByCompletion } from "../order.js";
import { carryForward, defaultHorizon, type Horizon } from "./carry.js";
import { RetainedWriters } from "./retained-writers.js";
import { socketViews, type OpenSocket } from "./socket-views.js";

export interface OnlineOptions {
  contentModel?: ContentModel;
  profile?: HistoryProfile;
  /** The longest a request takes from sending to answer (the request timeout and a margin): a cut at T waits until then. */
  maxOperationMs: number;
  /**
   * When the caller knows its requests in flight: the sending time of the
   * oldest (undefined: none is). A cut then waits only until every request
   * sent before it has completed, not maxOperationMs, so that a violation is
   * reported about judgeAfterMs after the operation that shows it.
   */
  oldestInFlight?: () => Millis | undefined;
  /** An account is cut once it has this many operations not yet judged. Default 1000. */
  segmentOperations?: number;
  /** An operation is judged at the latest this long after every request sent before it must have completed. Default 1000. */
  judgeAfterMs?: number;
  horizon?: Partial<Horizon>;
  /** Violations kept per requirement (all are counted). Default 50. */
  keepPerRequirement?: number;
  /**
   * An account without an operation for this long is judged and forgotten
   * (a soak's accounts end: each run makes fresh ones). An operation of it
   * that comes later starts it anew, with nothing carried. Default: never.
   */
  forgetIdleAfterMs?: number;
  /** The time explanations count from; default the first operation's sending. */
  origin?: Millis;
  /** Called with each violation as it is found, and the operations it names (its proof: the checker drops them later). */
  onViolation?: (violation: Violation, operations: readonly Operation[]) => void;
}

export interface OnlineStats {
  operations: number;
  accounts: number;
  /** Windows judged. */
  cuts: number;
  /** Accounts judged to the end and dropped (endAccount, forgetIdleAfterMs). */
  forgottenAccounts: number;
  /** Operations held now (carried, not yet judged, open sockets), and at most. */
  retained: number;
  peakRetained: number;
  /** Operations that completed after a cut later than their sending: judged with what that cut carried. */
  lateOperations: number;
}

export interface OnlineCheck {
  passed: boolean;
  requirements: readonly HistoryRequirement[];
  violations: Violation[];
  violationCounts: Partial<Record<HistoryRequirement, number>>;
  stats: OnlineStats;
}

interface AccountState {
  account: string;
  /** What earlier cuts kept, in order of completion. */
  carried: Operation[];
  /** Completed operations not yet judged, in order of arrival. */
  pending: Operation[];
  /** The earliest answer among pending. */
  oldestPending: Millis;
  openSockets: OpenSocket[];
  /** Every later operation of the account was sent at or after it. */
  cutAt: Millis;
  /** The lowest version whose writes were all carried (carry.ts). */
  bottom: number;
  /** When its last operation completed. */
  lastCompletedAt: Millis;
}

export class OnlineChecker {
  private readonly accounts = new Map<string, AccountState>();
  private readonly log: ViolationLog;
  private readonly horizon: Horizon;
  private readonly crashes: ServerEvent[] = [];
  private readonly writers = new RetainedWriters();
  private narrator: Narrator | undefined;
  private now = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  private readonly counts = { operations: 0, cuts: 0, forgottenAccounts: 0, retained: 0, peakRetained: 0, lateOperations: 0 };
  /** Accounts ever seen, forgotten ones included. */
  private accountsSeen = 0;

  constructor(private readonly options: OnlineOptions) {
    this.log = new ViolationLog(options.keepPerRequirement ?? 50);
    this.horizon = { ...defaultHorizon, ...options.horizon };
    if (options.origin !== undefined) this.narrator = new Narrator(options.origin);
  }

  /**
   * An operation that completed, in order of completion; a socket as soon as
   * its upgrade is answered: it stays open until its holder sets `closed`,
   * appending frames meanwhile.
   */
  add(op: Operation): void {
    this.narrator ??= new Narrator(op.invokedAt);
    const state = this.stateOf(op.account);
    if (op.completedAt > state.lastCompletedAt) state.lastCompletedAt = op.completedAt;
    this.counts.operations++;
    if (op.completedAt < state.cutAt) this.counts.lateOperations++;
    this.writers.add(op);
    if (op.kind === "socket" && op.outcome.type === "ok") state.openSockets.push({ socket: op, judgedFrames: 0 });
    else {
      state.pending.push(op);
      if (op.completedAt < state.oldestPending) state.oldestPending = op.completedAt;
    }
    this.retain(1);
    this.advance(op.completedAt);
    if (state.pending.length >= (this.options.segmentOperations ?? 1000)) this.cut(state, this.safeCut());
  }

  /** A crash or restart of the server, when it happens. */
  event(event: ServerEvent): void {
    if (event.kind === "crash") this.crashes.push(event);
    this.advance(event.at);
  }

  /** Time passes without operations (a quiet moment): accounts due are judged. */
  tick(now: Millis): void {
    this.advance(now);
  }

  /** The account will have no more operations: judges what is left of it and drops it. */
  endAccount(account: string): void {
    const state = this.accounts.get(account);
    if (!state) return;
    this.cut(state, Number.POSITIVE_INFINITY);
    this.retain(-(state.carried.length + state.pending.length + state.openSockets.length));
    for (const op of state.carried) this.writers.remove(op);
    for (const op of state.pending) this.writers.remove(op);
    this.accounts.delete(account);
    this.counts.forgottenAccounts++;
  }

  /** Judges everything left, as if the history ended now. */
  finish(): OnlineCheck {
    for (const state of this.accounts.values()) this.cut(state, Number.POSITIVE_INFINITY);
    return this.result();
  }

  /** What has been found so far. */
  result(): OnlineCheck {
    return {
      passed: this.log.kept.length === 0,
      requirements: historyRequirements,
      violations: this.log.kept,
      violationCounts: this.log.counts,
      stats: { ...this.counts, accounts: this.accountsSeen },
    };
  }

  private stateOf(account: string): AccountState {
    let state = this.accounts.get(account);
    if (!state) {
      state = {
        account,
        carried: [],
        pending: [],
        oldestPending: Number.POSITIVE_INFINITY,
        openSockets: [],
        cutAt: Number.NEGATIVE_INFINITY,
        bottom: 1,
        lastCompletedAt: Number.NEGATIVE_INFINITY,
      };
      this.accounts.set(account, state);
      this.accountsSeen++;
    }
    return state;
  }

  private retain(delta: number): void {
    this.counts.retained += delta;
    if (this.counts.retained > this.counts.peakRetained) this.counts.peakRetained = this.counts.retained;
  }

  /** Moves the clock on, and now and then cuts every account whose oldest operation is due. */
  private advance(at: Millis): void {
    if (at > this.now) this.now = at;
    const judgeAfterMs = this.options.judgeAfterMs ?? 1000;
    if (this.now - this.lastSweep < judgeAfterMs / 2) return;
    this.lastSweep = this.now;
    const cutAt = this.safeCut();
    const idleBefore = this.now - (this.options.forgetIdleAfterMs ?? Number.POSITIVE_INFINITY);
    for (const state of [...this.accounts.values()]) {
      if (state.lastCompletedAt < idleBefore && state.openSockets.length === 0) {
        this.endAccount(state.account);
        continue;
      }
      const socketDue = state.openSockets.some(({ socket }) => socket.closed !== undefined && socket.closed.at < cutAt - judgeAfterMs);
      if (state.oldestPending < cutAt - judgeAfterMs || socketDue) this.cut(state, cutAt);
    }
  }

  /** The latest time every request sent before has surely completed by now. */
  private safeCut(): Millis {
    const byTimeout = this.now - this.options.maxOperationMs;
    if (!this.options.oldestInFlight) return byTimeout;
    const oldest = this.options.oldestInFlight();
    return Math.max(byTimeout, Math.min(oldest ?? this.now, this.now));
  }

  /**
   * Judges the account's operations answered before `cutAt` with what
   * earlier cuts carried, and keeps what later ones can contradict. Those
   * sent before it and answered after (all are in: maxOperationMs has
   * passed) are in the window too, so that every request the judged ones
   * may name is there; a violation naming one of them waits for the next
   * window, where it is judged in turn.
   */
  private cut(state: AccountState, cutAt: Millis): void {
    const fresh: Operation[] = [];
    const running: Operation[] = [];
    const rest: Operation[] = [];
    for (const op of state.pending) (op.completedAt < cutAt ? fresh : op.invokedAt < cutAt ? running : rest).push(op);
    // Operations arrive as their answers are handled, which a busy process may do a little out of order.
    sortOperationsByCompletion(fresh);
    const real = mergeByCompletion(state.carried, fresh);
    const views = socketViews(state.openSockets, real, cutAt);
    if (fresh.length === 0 && views.judged.length === 0) return;
    this.counts.cuts++;

    const window = [...forgottenBases(state.account, state.carried, state.bottom), ...real, ...running, ...views.judged];
    const [group] = groupByAccount(window);
    const windowLog = new ViolationLog(Number.POSITIVE_INFINITY);
    const findings = checkAccount(group!, window.filter((op) => op.kind === "signup"), this.context(), windowLog);

    const judged = new Set<number>(fresh.map((op) => op.id));
    for (const view of views.judged) judged.add(view.id);
    const waiting = new Set<number>(running.map((op) => op.id));
    // What a violation that waits for the next window names: carried, so that the next window has its proof.
    const proofsWaiting = new Set<number>();
    for (const violation of windowLog.kept) {
      const ops = violation.operations;
      if (ops.some((id) => id < 0)) continue;
      // Named a request still running: never reported yet, whether or not it names one judged now.
      if (ops.some((id) => waiting.has(id))) {
        for (const id of ops) proofsWaiting.add(id);
        continue;
      }
      if (!ops.some((id) => judged.has(id))) continue;
      if (!views.firstReport(violation)) continue;
      this.log.add(violation);
      if (this.options.onViolation) {
        const named = new Set(ops);
        this.options.onViolation(violation, window.filter((op) => named.has(op.id)));
      }
    }

    // Later windows judge requests sent from here on.
    let from = cutAt;
    for (const op of running) if (op.invokedAt < from) from = op.invokedAt;
    const stillOpen = views.stillOpen.map((open) => open.socket);
    const carried = carryForward(real, findings, from, this.crashes, stillOpen, cutAt, this.horizon, proofsWaiting);
    const kept = new Set(carried.operations);
    for (const op of real) if (!kept.has(op)) this.writers.remove(op);
    this.retain(carried.operations.length - state.carried.length - fresh.length - (state.openSockets.length - views.stillOpen.length));
    state.carried = carried.operations;
    state.pending = [...running, ...rest];
    state.oldestPending = state.pending.reduce((oldest, op) => Math.min(oldest, op.completedAt), Number.POSITIVE_INFINITY);
    state.openSockets = views.stillOpen;
    state.cutAt = Math.max(state.cutAt, cutAt);
    state.bottom = carried.bottom;
  }

  private context(): AccountContext {
    return {
      narrator: this.narrator!,
      foreign: this.writers,
      conflictsCarryWallet: conflictsCarryWallet({ profile: this.options.profile }),
      contentModel: this.options.contentModel ?? "append-log",
      crashes: [...this.crashes].sort((a, b) => a.at - b.at),
    };
  }
}

/**
 * The forgotten past below the versions kept: for each kept version at or
 * below the bottom whose predecessor's accepted write was dropped, a write
 * of that predecessor accepted before everything, with no content or hmac any
 * answer can show, so that the passes find it (a gap above the bottom is
 * the history's own). Ids are negative: they never meet a recorded one.
 */
function forgottenBases(account: string, carried: readonly Operation[], bottom: number): PostOperation[] {
  // Versions with a kept write that stored them; the kept writes of others may have been sent too late.
  const accepted = new Set<number>();
  for (const op of carried) if (isWrite(op) && op.outcome.type === "ok") accepted.add(op.request.sequence);
  const bases: PostOperation[] = [];
  const sequences = new Set<number>();
  for (const op of carried) if (isWrite(op)) sequences.add(op.request.sequence);
  sequences.forEach((sequence) => {
    if (sequence > 1 && sequence <= bottom && !accepted.has(sequence - 1)) bases.push(forgottenBase(account, sequence - 1, -1 - bases.length));
  });
  return bases;
}

function forgottenBase(account: string, sequence: number, id: number): PostOperation {
  return {
    id,
    account,
    client: "(forgotten)",
    invokedAt: Number.NEGATIVE_INFINITY,
    completedAt: Number.NEGATIVE_INFINITY,
    outcome: { type: "ok", status: 200 },
    kind: "post",
    tokenGeneration: 0,
    // Not built on its base as an honest client builds: no content is compared with it.
    request: { encryptedWallet: "", sequence, hmac: "(forgotten)", baseSequence: sequence, move: "forgotten" },
  };
}

/** Two lists in order of completion, merged (ties: the first list first). */
function mergeByCompletion(first: readonly Operation[], second: readonly Operation[]): Operation[] {
  const merged: Operation[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    if (j >= second.length || (i < first.length && first[i]!.completedAt <= second[j]!.completedAt)) merged.push(first[i++]!);
    else merged.push(second[j++]!);
  }
  return merged;
}
