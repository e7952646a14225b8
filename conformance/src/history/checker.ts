// Checks one recorded history against section 8 of the spec (LIN-1..LIN-7,
// and DUR-1, DUR-2 when it records crashes), the token rules that
// concurrency can break (TOKEN-1, TOKEN-2) and, for api3 histories, what
// password changes end (PASS-1, PASS-2, NOTIFY-4), that a change without the
// account's wallet changes nothing (PASS-4), and what sockets receive
// (NOTIFY-2, NOTIFY-3). A password change with a wallet is a write in the
// sequence chain like a POST, so every LIN pass sees it.
//
// No search over interleavings is needed: sequence numbers name versions and
// every POST sends a version of its own, so a returned wallet names the POST
// that wrote it. Each account is checked on its own with direct tests and one
// time-ordered sweep; the cost grows with the size of the history (n log n
// at worst for the sorts, linear for histories recorded in completion order).
//
// Nothing that timed out, lost its connection or got a 5xx counts as success
// or failure: such a POST counts as having taken effect only where an answer
// shows it, and as possibly having taken effect everywhere else.
//
// The passes run in the order of `historyPasses` (passes.ts), which states
// for each the requirements it checks, what it reads and what it returns;
// checkAccount runs them on one account, for this checker and for the
// online one (online/), which runs them on a window of an account at a time.
import { groupByAccount, type AccountOperations } from "./account-operations.js";
import { checkContentChain } from "./content-chain.js";
import { checkDurability, crashesOf, type DurabilityFindings } from "./durability.js";
import { checkPredecessors } from "./predecessors.js";
import {
  historyRequirements,
  Narrator,
  ViolationLog,
  type HistoryRequirement,
  type Violation,
  type Warning,
} from "./findings.js";
import { conflictsCarryWallet, type ContentModel, type History, type Operation, type ServerEvent } from "./history.js";
import { checkNotifications } from "./notifications.js";
import { checkClosedSockets, checkEndedCredentials, checkRefusedPasswordChanges, collectPasswordChanges, type PasswordChanges } from "./password-changes.js";
import { checkRealTimeOrder } from "./real-time.js";
import { resolveIndeterminatePosts, type IndeterminatePost, type VersionFindings } from "./resolution.js";
import { examineReturnedWallets, ForeignWriters, type WalletAnswers, type WriterIndex } from "./returned-wallets.js";
import { countServerErrors } from "./server-errors.js";
import { checkReplacedTokens } from "./replaced-tokens.js";
import { checkSingleAcceptance, collectVersions, type AccountVersions } from "./versions.js";
import { nameWriters } from "./writers.js";

export type { HistoryRequirement, Violation, Warning } from "./findings.js";
export type { IndeterminatePost, Resolution } from "./resolution.js";

export interface CheckOptions {
  /** Violations kept per requirement in the result (all are counted). Default 50. */
  keepPerRequirement?: number;
}

export interface OutcomeCounts {
  accepted: number;
  refused: number;
  indeterminate: number;
}

export interface HistoryStats {
  operations: number;
  accounts: number;
  posts: OutcomeCounts;
  gets: number;
  /** api3: POST /password, with a wallet or without. */
  passwordChanges: OutcomeCounts;
  /** api3: sockets upgraded (101), and the frames they received. */
  sockets: { opened: number; frames: number };
  /** Wallets returned by GET 200, POST 200 and 409 bodies that named their writer. */
  returnedWallets: number;
  /** Versions whose writer the history names. */
  versions: number;
}

export interface HistoryCheck {
  /** True when no MUST requirement is broken (warnings do not count). */
  passed: boolean;
  /** The requirements this check examines, each of which a violation may name. */
  requirements: readonly HistoryRequirement[];
  violations: Violation[];
  /** How many violations of each requirement were found, including those not kept. */
  violationCounts: Partial<Record<HistoryRequirement, number>>;
  warnings: Warning[];
  /** Every POST without a settling answer, and what later answers show about it. */
  indeterminatePosts: IndeterminatePost[];
  stats: HistoryStats;
}

export function checkHistory(history: History, options: CheckOptions = {}): HistoryCheck {
  const log = new ViolationLog(options.keepPerRequirement ?? 50);
  const stats = emptyStats(history.operations.length);
  const indeterminatePosts: IndeterminatePost[] = [];
  const crashes = crashesOf(history.events);
  const signups = crashes.length > 0 ? history.operations.filter((op) => op.kind === "signup") : [];
  const context: AccountContext = {
    narrator: new Narrator(earliestInvocation(history.operations)),
    foreign: new ForeignWriters(history.operations),
    conflictsCarryWallet: conflictsCarryWallet(history),
    contentModel: history.contentModel,
    crashes,
  };

  for (const group of groupByAccount(history.operations)) {
    stats.accounts++;
    countOperations(group, stats);
    const accountSignups = signups.filter((op) => op.account === group.account);
    const findings = checkAccount(group, accountSignups, context, log);
    for (const answer of findings.answers.answers) if (answer.via !== "none") stats.returnedWallets++;
    stats.versions += findings.writers.size;
    for (const post of resolveIndeterminatePosts(findings.versions, findings, history.contentModel)) indeterminatePosts.push(post);
  }

  return {
    passed: log.kept.length === 0,
    requirements: historyRequirements,
    violations: log.kept,
    violationCounts: log.counts,
    warnings: countServerErrors(history.operations),
    indeterminatePosts,
    stats,
  };
}

/** What every account's check shares: the wording, the other accounts' writes, the profile and the server's crashes. */
export interface AccountContext {
  narrator: Narrator;
  foreign: WriterIndex;
  conflictsCarryWallet: boolean;
  contentModel: ContentModel;
  /** Crash times, ascending. */
  crashes: readonly ServerEvent[];
}

/** What the passes derived about one account, for the resolution of indeterminate POSTs and for the online checker's cuts. */
export interface AccountFindings extends VersionFindings {
  answers: WalletAnswers;
  versions: AccountVersions;
  passwordChanges: PasswordChanges;
  durability: DurabilityFindings;
}

/** Runs every pass of `historyPasses` on one account, in its order, reporting into `log`. */
export function checkAccount(
  group: AccountOperations,
  signups: readonly Operation[],
  { narrator, foreign, conflictsCarryWallet, contentModel, crashes }: AccountContext,
  log: ViolationLog,
): AccountFindings {
  const answers = examineReturnedWallets(group, foreign, narrator, log, conflictsCarryWallet);
  const versions = collectVersions(group, answers);
  const acceptance = checkSingleAcceptance(versions, narrator, log);
  const predecessors = checkPredecessors(versions, narrator, log);
  const writers = nameWriters(versions, acceptance, predecessors, answers);
  if (contentModel === "append-log") {
    checkContentChain(versions, acceptance, predecessors, writers, narrator, log);
  }
  checkRealTimeOrder(answers, versions, acceptance, narrator, log);
  checkReplacedTokens(group, narrator, log);
  const passwordChanges = collectPasswordChanges(group);
  checkEndedCredentials(group, passwordChanges, narrator, log);
  checkRefusedPasswordChanges(group, crashes, narrator, log);
  checkClosedSockets(group, passwordChanges, narrator, log);
  checkNotifications(group, versions, passwordChanges, narrator, log);
  const durability = checkDurability(crashes, group, signups, answers, narrator, log);
  return { answers, versions, acceptance, predecessors, writers, passwordChanges, durability };
}

/** When the first request of a history was sent: explanations count time from it. */
export function earliestInvocation(operations: readonly Operation[]): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const op of operations) if (op.invokedAt < earliest) earliest = op.invokedAt;
  return Number.isFinite(earliest) ? earliest : 0;
}

function emptyStats(operations: number): HistoryStats {
  return {
    operations,
    accounts: 0,
    posts: { accepted: 0, refused: 0, indeterminate: 0 },
    gets: 0,
    passwordChanges: { accepted: 0, refused: 0, indeterminate: 0 },
    sockets: { opened: 0, frames: 0 },
    returnedWallets: 0,
    versions: 0,
  };
}

function countOperations(group: AccountOperations, stats: HistoryStats): void {
  stats.gets += group.requests.length - group.writes.length;
  for (const write of group.writes) {
    if (write.kind !== "post") continue;
    if (write.outcome.type === "ok") stats.posts.accepted++;
    else if (write.outcome.type === "refused") stats.posts.refused++;
    else stats.posts.indeterminate++;
  }
  for (const change of group.passwords) {
    if (change.outcome.type === "ok") stats.passwordChanges.accepted++;
    else if (change.outcome.type === "refused") stats.passwordChanges.refused++;
    else stats.passwordChanges.indeterminate++;
  }
  for (const socket of group.sockets) {
    if (socket.outcome.type === "ok") stats.sockets.opened++;
    stats.sockets.frames += socket.frames.length;
  }
}
