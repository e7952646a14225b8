// LIN-3 and TOKEN-1: every wallet a server returns must be exactly a version
// that a POST of the same account sent (and that may have taken effect), so
// each returned wallet names the POST that wrote it. Returned wallets that
// name no writer are reported here and kept out of every later check, so one
// bad answer is reported once.
import type { AccountOperations } from "./account-operations.js";
import { firstDifference } from "./text-difference.js";
import { capitalize, type Narrator, type ViolationLog } from "./findings.js";
import {
  isWrite,
  sameVersion,
  type GetOperation,
  type Millis,
  type Operation,
  type WalletVersion,
  type WriteOperation,
} from "./history.js";

/**
 * An answer that shows what the account held: a wallet returned by a GET 200,
 * a write's 200 (an acknowledgement) or a 409 body, or "no wallet". One small
 * record per answer, shared by every later check.
 */
export interface WalletAnswer {
  op: GetOperation | WriteOperation;
  /** "get": a GET 200; "echo": a write's 200; "conflict": a 409 body; "none": a GET 404 or a 409 saying there is no wallet. */
  via: "get" | "echo" | "conflict" | "none";
  /** The sequence of the version shown; 0 for "none". */
  sequence: number;
  /**
   * The write that sent the version shown (the write itself for "echo"): it
   * may have taken effect and was sent before the answer came. Of writes that
   * sent the very same version, the first.
   */
  writer: WriteOperation | undefined;
}

export interface WalletAnswers {
  /** Answers that name their writer, and answers saying there is no wallet. */
  answers: WalletAnswer[];
  /** Accepted POSTs whose 200 carried something else than what they sent. */
  badEchoes: Set<WriteOperation>;
}

/**
 * Finds the write of another account that sent a given version (TOKEN-1)
 * before `sentBefore`, when the answer that shows it came: a version no
 * request had sent by then was made up, whatever a later one sends.
 */
export interface WriterIndex {
  find(wallet: WalletVersion, account: string, sentBefore: Millis): WriteOperation | undefined;
}

/**
 * Finds the account whose write sent a given version, for wallets that no
 * write of their own account sent. Built on first use: a conforming history
 * never needs it. Indexed by hmac, which names a version in a few bytes.
 */
export class ForeignWriters implements WriterIndex {
  private byHmac: Map<string, WriteOperation[]> | undefined;

  constructor(private readonly operations: readonly Operation[]) {}

  find(wallet: WalletVersion, account: string, sentBefore: Millis): WriteOperation | undefined {
    this.byHmac ??= this.index();
    return this.byHmac.get(wallet.hmac)?.find((post) => post.account !== account && post.invokedAt < sentBefore && sameVersion(post.request, wallet));
  }

  private index(): Map<string, WriteOperation[]> {
    const byHmac = new Map<string, WriteOperation[]>();
    for (const operation of this.operations) {
      if (!isWrite(operation)) continue;
      const posts = byHmac.get(operation.request.hmac);
      if (posts) posts.push(operation);
      else byHmac.set(operation.request.hmac, [operation]);
    }
    return byHmac;
  }
}

/**
 * `conflictsCarryWallet`: whether a 409 to a POST carries the stored wallet
 * (seed), so that one without a wallet says there is none; in api3 a 409
 * carries an error only and says nothing about what is stored.
 */
export function examineReturnedWallets(
  group: AccountOperations,
  foreign: WriterIndex,
  narrator: Narrator,
  log: ViolationLog,
  conflictsCarryWallet = true,
): WalletAnswers {
  const found: WalletAnswers = { answers: [], badEchoes: new Set() };
  const answers = found.answers;
  // In history order, so that answers come out in completion order for a
  // recorded history.
  for (const op of group.requests) {
    if (op.kind === "get") examineGet(op, group, foreign, narrator, log, answers);
    else examineWrite(op, group, foreign, narrator, log, found, conflictsCarryWallet);
  }
  return found;
}

function examineGet(
  get: GetOperation,
  group: AccountOperations,
  foreign: WriterIndex,
  narrator: Narrator,
  log: ViolationLog,
  answers: WalletAnswer[],
): void {
  const outcome = get.outcome;
  if (outcome.type === "ok" && outcome.wallet) {
    const writer = examineRead(get, outcome.wallet, group, foreign, narrator, log);
    if (writer) answers.push({ op: get, via: "get", sequence: outcome.wallet.sequence, writer });
  } else if (outcome.type === "refused" && outcome.status === 404) {
    answers.push({ op: get, via: "none", sequence: 0, writer: undefined });
  }
}

function examineWrite(
  post: WriteOperation,
  group: AccountOperations,
  foreign: WriterIndex,
  narrator: Narrator,
  log: ViolationLog,
  found: WalletAnswers,
  conflictsCarryWallet: boolean,
): void {
  const answers = found.answers;
  const outcome = post.outcome;
  if (outcome.type === "ok") {
    // An accepted write without a wallet in its 200 is still acknowledged
    // (api3 answers {}; in seed the missing body is a schema matter).
    if (!outcome.wallet || sameVersion(outcome.wallet, post.request)) {
      answers.push({ op: post, via: "echo", sequence: post.request.sequence, writer: post });
    } else {
      found.badEchoes.add(post);
      reportBadEcho(post, outcome.wallet, group, foreign, narrator, log);
    }
  } else if (post.kind === "post" && outcome.type === "refused" && outcome.status === 409 && !outcome.unreadableWallet) {
    if (outcome.wallet) {
      const writer = examineRead(post, outcome.wallet, group, foreign, narrator, log);
      if (writer) answers.push({ op: post, via: "conflict", sequence: outcome.wallet.sequence, writer });
    } else if (conflictsCarryWallet && post.request.sequence !== 1) {
      // A 409 without a wallet says "no wallet" only where 409 bodies carry
      // the stored wallet and the sequence rule gives it that meaning: a
      // POST of a sequence other than 1.
      answers.push({ op: post, via: "none", sequence: 0, writer: undefined });
    }
  }
}

/** The write that wrote a returned wallet, or undefined after reporting why none did. */
function examineRead(
  op: GetOperation | WriteOperation,
  wallet: WalletVersion,
  group: AccountOperations,
  foreign: WriterIndex,
  narrator: Narrator,
  log: ViolationLog,
): WriteOperation | undefined {
  let refusedTwin: WriteOperation | undefined;
  let lateTwin: WriteOperation | undefined;
  const posts = group.writesBySequence.get(wallet.sequence);
  if (posts) {
    for (const post of posts) {
      // The hmac first: contents of one sequence often share a long prefix.
      if (post.request.hmac !== wallet.hmac || post.request.encryptedWallet !== wallet.encryptedWallet) continue;
      if (post.outcome.type === "refused") refusedTwin ??= post;
      else if (post.invokedAt >= op.completedAt) lateTwin ??= post;
      else return post;
    }
  }

  const what =
    op.kind === "get"
      ? `${narrator.op(op)} returned version ${wallet.sequence} at ${narrator.at(op.completedAt)}`
      : `${narrator.post(op)} got version ${wallet.sequence} in its 409 body at ${narrator.at(op.completedAt)}`;
  const stranger = foreign.find(wallet, group.account, op.completedAt);
  if (stranger) {
    log.add({
      requirement: "TOKEN-1",
      account: group.account,
      explanation: `In account ${group.account}, ${what}, which is the version that ${narrator.post(stranger)} of account ${stranger.account} sent: one account saw another's wallet.`,
      operations: [op.id, stranger.id],
    });
  } else if (refusedTwin) {
    log.add({
      requirement: "LIN-3",
      related: ["SEQ-3"],
      account: group.account,
      explanation: `${capitalize(what)}, which only ${narrator.post(refusedTwin)} sent, and that POST was ${narrator.postFate(refusedTwin)}: a refused POST must change nothing.`,
      operations: [op.id, refusedTwin.id],
    });
  } else if (lateTwin) {
    log.add({
      requirement: "LIN-3",
      account: group.account,
      explanation: `${capitalize(what)}, but the only POST that sent it, ${narrator.post(lateTwin)}, was sent later, at ${narrator.at(lateTwin.invokedAt)}.`,
      operations: [op.id, lateTwin.id],
    });
  } else {
    const writes = group.writesBySequence.get(wallet.sequence) ?? [];
    const sameContent = writes.find((post) => post.request.encryptedWallet === wallet.encryptedWallet);
    // Same sequence and hmac, other content: the server altered what it stored (cut it, re-encoded it).
    const altered = sameContent ? undefined : writes.find((post) => post.request.hmac === wallet.hmac);
    const detail = sameContent
      ? `: ${narrator.post(sameContent)} sent that content with another hmac`
      : altered
        ? `: ${narrator.post(altered)} sent that sequence and hmac with other content; the answer differs at ${firstDifference(altered.request.encryptedWallet, wallet.encryptedWallet)}`
        : " (same sequence, content and hmac)";
    const witness = sameContent ?? altered;
    log.add({
      requirement: "LIN-3",
      account: group.account,
      explanation: `${capitalize(what)}, but no POST of account ${group.account} sent that version${detail}.`,
      operations: witness ? [op.id, witness.id] : [op.id],
    });
  }
  return undefined;
}

function reportBadEcho(
  post: WriteOperation,
  wallet: WalletVersion,
  group: AccountOperations,
  foreign: WriterIndex,
  narrator: Narrator,
  log: ViolationLog,
): void {
  const stranger = foreign.find(wallet, group.account, post.completedAt);
  if (stranger) {
    log.add({
      requirement: "TOKEN-1",
      account: group.account,
      explanation: `In account ${group.account}, ${narrator.post(post)} was accepted at ${narrator.at(post.completedAt)} with the version that ${narrator.post(stranger)} of account ${stranger.account} sent in its 200: one account saw another's wallet.`,
      operations: [post.id, stranger.id],
    });
    return;
  }
  log.add({
    requirement: "LIN-3",
    related: ["SEQ-7"],
    account: group.account,
    explanation: `${capitalize(narrator.post(post))} was accepted at ${narrator.at(post.completedAt)}, but its 200 carried version ${wallet.sequence} with ${wallet.encryptedWallet === post.request.encryptedWallet ? "another hmac" : `other content (differing at ${firstDifference(post.request.encryptedWallet, wallet.encryptedWallet)})`}, not the wallet it sent.`,
    operations: [post.id],
  });
}

