// What a history exercised, as numbers a report can show beside the verdict:
// how deep its accounts went, how large a wallet came back whole, how many
// POSTs of one sequence were in flight at once, and so on. A pass of nothing
// much is then told from a pass of a run that reached where servers break.
import { isWrite, sameVersion, type History, type Operation, type WalletVersion, type WriteOperation } from "./history.js";

export interface HistoryCoverage {
  operations: number;
  /** Accounts whose signup was answered 201. */
  accounts: number;
  /** The highest sequence any account stored (an accepted write, or a wallet a server returned). */
  maxSequence: number;
  /** UTF-8 bytes of the largest wallet returned exactly as a write of its account sent it. */
  largestWallet: number;
  /** The most writes of one account and one sequence in flight at the same moment. */
  peakContenders: number;
  /** 409s to honest writes (base + 1): conflicts the client merged from. */
  conflictsRebased: number;
  /** Requests that carried a token a later login of the same device had already replaced. */
  replacedTokenUses: number;
  /** api3: password changes answered 200, and those of them that overlapped another write of the account. */
  passwordChanges: number;
  passwordChangesRaced: number;
  /** api3: password changes without a wallet that got a settling answer (200 or 409), which PASS-4 judges. */
  passwordChangesWithoutWallet: number;
  /** api3: sockets upgraded, and the frames they received. */
  socketsOpened: number;
  notificationsHeard: number;
  /** Requests a fault was injected into (--faults), and restarts of the server (--restarts). */
  faults: number;
  restarts: number;
}

export function emptyCoverage(): HistoryCoverage {
  return {
    operations: 0,
    accounts: 0,
    maxSequence: 0,
    largestWallet: 0,
    peakContenders: 0,
    conflictsRebased: 0,
    replacedTokenUses: 0,
    passwordChanges: 0,
    passwordChangesRaced: 0,
    passwordChangesWithoutWallet: 0,
    socketsOpened: 0,
    notificationsHeard: 0,
    faults: 0,
    restarts: 0,
  };
}

/** Counts add up; the highest and largest take the larger. */
export function addCoverage(total: HistoryCoverage, more: HistoryCoverage): HistoryCoverage {
  const sum = { ...total };
  for (const key of Object.keys(sum) as Array<keyof HistoryCoverage>) {
    sum[key] = maxima.has(key) ? Math.max(total[key], more[key]) : total[key] + more[key];
  }
  return sum;
}

const maxima = new Set<keyof HistoryCoverage>(["maxSequence", "largestWallet", "peakContenders"]);

export function coverageOf(history: History): HistoryCoverage {
  const coverage = emptyCoverage();
  const ops = history.operations;
  coverage.operations = ops.length;
  if (ops.length === 0) return coverage;
  const written = new Map<string, WalletVersion[]>();
  const writes: WriteOperation[] = [];
  for (const op of ops) {
    if (op.fault !== undefined) coverage.faults++;
    if (op.kind === "signup" && op.outcome.type === "ok") coverage.accounts++;
    if (op.kind === "password" && op.request === undefined && op.outcome.type !== "indeterminate") coverage.passwordChangesWithoutWallet++;
    if (op.kind === "socket" && op.outcome.type === "ok") {
      coverage.socketsOpened++;
      coverage.notificationsHeard += op.frames.length;
    }
    if (!isWrite(op)) continue;
    writes.push(op);
    const key = versionKey(op.account, op.request);
    written.set(key, [...(written.get(key) ?? []), op.request]);
    if (op.outcome.type === "ok") coverage.maxSequence = Math.max(coverage.maxSequence, op.request.sequence);
    if (op.outcome.type === "refused" && op.outcome.status === 409 && op.request.sequence === op.request.baseSequence + 1) coverage.conflictsRebased++;
  }
  for (const op of ops) {
    const wallet = op.outcome.type !== "indeterminate" ? op.outcome.wallet : undefined;
    if (!wallet) continue;
    coverage.maxSequence = Math.max(coverage.maxSequence, wallet.sequence);
    // A UTF-16 unit is at most 3 UTF-8 bytes: smaller wallets are not measured.
    if (wallet.encryptedWallet.length * 3 <= coverage.largestWallet) continue;
    if (written.get(versionKey(op.account, wallet))?.some((sent) => sameVersion(sent, wallet))) {
      coverage.largestWallet = Math.max(coverage.largestWallet, utf8Length(wallet.encryptedWallet));
    }
  }
  coverage.peakContenders = peakContenders(writes);
  countPasswordChanges(writes, coverage);
  coverage.replacedTokenUses = replacedTokenUses(ops);
  coverage.restarts = (history.events ?? []).filter((event) => event.kind === "restart").length;
  return coverage;
}

const versionKey = (account: string, version: Pick<WalletVersion, "sequence" | "hmac">) => `${account}\n${version.sequence}\n${version.hmac}`;

/** The most writes of one account and sequence whose requests overlap in time. */
function peakContenders(writes: readonly WriteOperation[]): number {
  const bySequence = new Map<string, WriteOperation[]>();
  for (const write of writes) {
    const key = `${write.account}\n${write.request.sequence}`;
    bySequence.set(key, [...(bySequence.get(key) ?? []), write]);
  }
  let peak = 0;
  for (const group of bySequence.values()) {
    // Starts before ends at the same instant: touching requests do not overlap.
    const edges = group.flatMap((w) => [{ at: w.invokedAt, step: 1 }, { at: w.completedAt, step: -1 }]).sort((a, b) => a.at - b.at || a.step - b.step);
    let inFlight = 0;
    for (const edge of edges) peak = Math.max(peak, (inFlight += edge.step));
  }
  return peak;
}

function countPasswordChanges(writes: readonly WriteOperation[], coverage: HistoryCoverage): void {
  for (const change of writes) {
    if (change.kind !== "password" || change.outcome.type !== "ok") continue;
    coverage.passwordChanges++;
    const raced = writes.some((w) => w !== change && w.account === change.account && w.invokedAt < change.completedAt && change.invokedAt < w.completedAt);
    if (raced) coverage.passwordChangesRaced++;
  }
}

/** Requests sent with a token after a later auth of the same device had been answered 200. */
function replacedTokenUses(ops: readonly Operation[]): number {
  const issued = new Map<string, Array<{ generation: number; at: number }>>();
  for (const op of ops) {
    if (op.kind !== "auth" || op.outcome.type !== "ok") continue;
    const key = `${op.account}\n${op.client}`;
    issued.set(key, [...(issued.get(key) ?? []), { generation: op.tokenGeneration, at: op.completedAt }]);
  }
  let uses = 0;
  for (const op of ops) {
    if (op.kind !== "get" && op.kind !== "post" && op.kind !== "socket") continue;
    const later = issued.get(`${op.account}\n${op.client}`) ?? [];
    if (later.some((auth) => auth.generation > op.tokenGeneration && auth.at < op.invokedAt)) uses++;
  }
  return uses;
}

/** UTF-8 bytes of a string, without a byte buffer (the checker core uses no platform API). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
