// Servers with one defect each: the reference with one store rule overridden,
// its notification hub changed, or its listener wrapped. The suite must fail
// each of them and name the requirement the defect breaks. Adding one is one
// entry in brokenServers (seed profile) or brokenApi3Servers (api3 profile).
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { loadOpenApi, type JsonObject, type ProfileName } from "../../../spec/index.js";
import {
  MemoryStore,
  NotificationHub,
  startReferenceServer,
  type IssuedToken,
  type PasswordChange,
  type PasswordChangeOutcome,
  type ReferenceServer,
  type ReferenceServerOptions,
  type SetWalletOutcome,
  type SignupOutcome,
  type TokenOwner,
  type UserId,
  type WalletVersion,
} from "../../../reference/src/index.js";
import { answer, parseJson, rewriteRequests, rewriteResponses, type Answer, type HandlerWrapper } from "./wrappers.js";

export interface BrokenServerOptions {
  host?: string;
  port?: number;
  /** scrypt N of the store; tests lower it for speed. */
  scryptCost?: number;
  /** Where a server that persists its state keeps it (read at start, written as it goes). */
  stateFile?: string;
}

export interface BrokenServer {
  /** The protocol it serves (and breaks). */
  protocol: ProfileName;
  /** The defect, in one sentence. */
  defect: string;
  /** Requirement IDs the suite must report as failed against this server. */
  breaks: readonly string[];
  /**
   * What the suite must do to see the defect: inject faults (--faults), kill and restart the server (--restarts),
   * go deeper than a default run (--depth), or run long against one server (a soak: --duration).
   */
  needs?: "faults" | "restarts" | "depth" | "soak";
  start(options?: BrokenServerOptions): Promise<ReferenceServer>;
}

/** Reference options (a store, a notification hub, a wrapper) that make the defect. */
type Defect = (options: BrokenServerOptions) => Pick<ReferenceServerOptions, "store" | "wrapHandler" | "notifications">;

function broken(defect: string, breaks: readonly string[], build: Defect, needs?: BrokenServer["needs"], protocol: ProfileName = "seed"): BrokenServer {
  return {
    protocol,
    defect,
    breaks,
    ...(needs ? { needs } : {}),
    start: (options = {}) =>
      startReferenceServer({
        protocol,
        host: options.host,
        port: options.port,
        scryptCost: options.scryptCost,
        // The defects throw on purpose; their stack traces are noise.
        onError: () => undefined,
        ...build(options),
      }),
  };
}

const storeOptions = (options: BrokenServerOptions) => ({ scryptCost: options.scryptCost });

const isPath = (request: IncomingMessage, method: string, path: string) =>
  request.method === method && (request.url ?? "").split("?")[0] === path;

class SkipAheadStore extends MemoryStore {
  protected override followsSequence(current: WalletVersion | undefined, sequence: number): boolean {
    return sequence > (current?.sequence ?? 0);
  }
}

class SameSequenceStore extends MemoryStore {
  protected override followsSequence(current: WalletVersion | undefined, sequence: number): boolean {
    return super.followsSequence(current, sequence) || sequence === current?.sequence;
  }
}

class MadeUpConflictStore extends MemoryStore {
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const outcome = await super.setWallet(userId, wallet);
    if (outcome.stored || !outcome.current) return outcome;
    const madeUp = { encryptedWallet: "bWFkZSB1cA==", sequence: outcome.current.sequence, hmac: "0".repeat(64) };
    return { stored: false, current: madeUp };
  }
}

class DuplicateSignupThrowsStore extends MemoryStore {
  override async createAccount(email: string, password: string): Promise<SignupOutcome> {
    const outcome = await super.createAccount(email, password);
    if (outcome === "duplicate") throw new Error("UNIQUE constraint failed: accounts.email");
    return outcome;
  }
}

/** Every live token opens the account that logged in last, as with a "current user" kept in a global. */
class UnboundTokenStore extends MemoryStore {
  private lastUserId: UserId | undefined;
  override async issueToken(userId: UserId, deviceId: string): Promise<IssuedToken> {
    this.lastUserId = userId;
    return super.issueToken(userId, deviceId);
  }
  override async resolveToken(token: string): Promise<TokenOwner | undefined> {
    const owner = await super.resolveToken(token);
    return owner && this.lastUserId !== undefined ? { ...owner, userId: this.lastUserId } : owner;
  }
}

class DeviceOnlyTokenStore extends MemoryStore {
  protected override deviceKey(_userId: UserId, deviceId: string): string {
    return deviceId;
  }
}

// Concurrency defects: each passes every request made one at a time and
// shows only when requests overlap, so only the interleavings catch it
// for sure. The awaits stand for a database round trip.

const roundTrip = () => sleep(2);

function frozen(wallet: WalletVersion): WalletVersion {
  return Object.freeze({ encryptedWallet: wallet.encryptedWallet, sequence: wallet.sequence, hmac: wallet.hmac });
}

/** Reads the stored sequence, then writes in a later step: POSTs in between all pass the check. */
class CheckThenActStore extends MemoryStore {
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const current = this.wallets.get(userId);
    if (!this.followsSequence(current, wallet.sequence)) return { stored: false, current };
    await roundTrip();
    const stored = frozen(wallet);
    this.wallets.set(userId, stored);
    return { stored: true, wallet: stored };
  }
}

/** Updates atomically, but inserts the first wallet after a separate existence check (no unique key). */
class FirstInsertRaceStore extends MemoryStore {
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    if (wallet.sequence !== 1 || this.wallets.has(userId)) return super.setWallet(userId, wallet);
    await roundTrip();
    const stored = frozen(wallet);
    this.wallets.set(userId, stored);
    return { stored: true, wallet: stored };
  }
}

const readCacheTtlMs = 100;

/** Serves GET /wallet from a read-through cache that writes do not invalidate. */
class StaleReadCacheStore extends MemoryStore {
  private readonly cache = new Map<UserId, { wallet: WalletVersion | undefined; at: number }>();
  override async getWallet(userId: UserId): Promise<WalletVersion | undefined> {
    const cached = this.cache.get(userId);
    const now = performance.now();
    if (cached && now - cached.at < readCacheTtlMs) return cached.wallet;
    const wallet = await super.getWallet(userId);
    this.cache.set(userId, { wallet, at: now });
    return wallet;
  }
}

/** Decides the 409 on the sequence, but its write was not conditional: the refused wallet is stored anyway. */
class RefusedWriteLandsStore extends MemoryStore {
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const outcome = await super.setWallet(userId, wallet);
    if (!outcome.stored) this.wallets.set(userId, frozen(wallet));
    return outcome;
  }
}

/** Keeps tokens by deviceId alone: a login of that deviceId in any account takes over its tokens. */
class DeviceNameTokenStore extends MemoryStore {
  private readonly accountOfDevice = new Map<string, UserId>();
  override async issueToken(userId: UserId, deviceId: string): Promise<IssuedToken> {
    this.accountOfDevice.set(deviceId, userId);
    return super.issueToken(userId, deviceId);
  }
  override async resolveToken(token: string): Promise<TokenOwner | undefined> {
    const owner = await super.resolveToken(token);
    return owner && { userId: this.accountOfDevice.get(owner.deviceId) ?? owner.userId, deviceId: owner.deviceId };
  }
}

/** Issues a device's new token without revoking the one it replaces. */
class LingeringTokenStore extends MemoryStore {
  override async issueToken(userId: UserId, deviceId: string): Promise<IssuedToken> {
    // Forgetting the device's live token here keeps the reference from deleting it.
    this.deviceTokens.delete(this.deviceKey(userId, deviceId));
    return super.issueToken(userId, deviceId);
  }
}

const rollbackDelayMs = 300;

/**
 * Acknowledges a write, then puts the version before it back once it has
 * stood a little while with no later write, as a failover to a replica that
 * lagged behind does: hardly visible while an account is busy, always at the end.
 */
class RollbackAfterAckStore extends MemoryStore {
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const previous = this.wallets.get(userId);
    const outcome = await super.setWallet(userId, wallet);
    if (!outcome.stored) return outcome;
    const written = outcome.wallet;
    setTimeout(() => {
      if (this.wallets.get(userId) !== written) return;
      if (previous) this.wallets.set(userId, previous);
      else this.wallets.delete(userId);
    }, rollbackDelayMs).unref();
    return outcome;
  }
}

/** Whether the request being handled was cancelled, for a store that notices its client going away. */
const handledRequest = new AsyncLocalStorage<{ cancelled: boolean }>();

function requestCancelled(): boolean {
  return handledRequest.getStore()?.cancelled === true;
}

/** Runs each request knowing whether its client went away (the connection closed) before the answer was sent. */
const noticeCancellation: HandlerWrapper = (listener) => (request, response) => {
  const state = { cancelled: false };
  response.once("close", () => {
    if (!response.writableFinished) state.cancelled = true;
  });
  handledRequest.run(state, () => listener(request, response));
};

/**
 * Writes a new version as two statements in a transaction, under a
 * per-account lock: the sequence first, then the content. When the request
 * is cancelled between them (its client hung up), the second statement is
 * skipped, as a cancelled request context does, and what was done so far is
 * committed: the new sequence with the old content.
 */
class HalfWriteOnCancelStore extends MemoryStore {
  private readonly locks = new Map<UserId, Promise<unknown>>();
  override setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const previous = this.locks.get(userId) ?? Promise.resolve();
    const next = previous.then(() => this.writeInTwoSteps(userId, wallet));
    this.locks.set(userId, next.catch(() => undefined));
    return next;
  }

  private async writeInTwoSteps(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const current = this.wallets.get(userId);
    if (!current || !this.followsSequence(current, wallet.sequence)) return super.setWallet(userId, wallet);
    const firstStatement = frozen({ ...current, sequence: wallet.sequence });
    await roundTrip();
    if (requestCancelled()) {
      this.wallets.set(userId, firstStatement);
      return { stored: true, wallet };
    }
    const stored = frozen(wallet);
    this.wallets.set(userId, stored);
    return { stored: true, wallet: stored };
  }
}

/** How often the state is written out by a server that acknowledges before it persists. */
const persistIntervalMs = 300;

interface SavedState {
  accounts: Array<[string, { userId: UserId; salt: string; hash: string; cost: number }]>;
  tokens: Array<[string, { userId: UserId; deviceId: string; expiresAt: number }]>;
  deviceTokens: Array<[string, string]>;
  wallets: Array<[UserId, WalletVersion]>;
  nextUserId: UserId;
}

/**
 * Keeps its state in memory and writes all of it to a file every few hundred
 * milliseconds, answering before it does: a write acknowledged since the
 * last save is lost when the process is killed. Correct as long as it runs.
 */
class AckBeforePersistStore extends MemoryStore {
  constructor(options: { scryptCost?: number }, private readonly file: string) {
    super(options);
    this.load();
    setInterval(() => this.save(), persistIntervalMs).unref();
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return;
    }
    const state = JSON.parse(text) as SavedState;
    for (const [email, a] of state.accounts) {
      this.accounts.set(email, { userId: a.userId, password: { salt: Buffer.from(a.salt, "hex"), hash: Buffer.from(a.hash, "hex"), cost: a.cost } });
    }
    for (const [digest, record] of state.tokens) this.tokens.set(digest, record);
    for (const [key, digest] of state.deviceTokens) this.deviceTokens.set(key, digest);
    for (const [userId, wallet] of state.wallets) this.wallets.set(userId, frozen(wallet));
    this.nextUserId = state.nextUserId;
  }

  private save(): void {
    const state: SavedState = {
      accounts: [...this.accounts].map(([email, a]) => [
        email,
        { userId: a.userId, salt: a.password.salt.toString("hex"), hash: a.password.hash.toString("hex"), cost: a.password.cost },
      ]),
      tokens: [...this.tokens],
      deviceTokens: [...this.deviceTokens],
      wallets: [...this.wallets],
      nextUserId: this.nextUserId,
    };
    // Written aside and renamed, so that a kill never leaves half a file.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(state));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

// Depth defects: each is correct near the start of an account's history or
// for small ASCII wallets, and shows only deeper in (a sequence column too
// narrow, a 64 KiB text column, a latin1 column), as real storage does.

/** The version from which a second POST of the stored sequence is accepted too. */
export const duplicateFromVersion = 25;
/** The same defect past the one-byte unsigned boundary: the default run's deepest accounts reach it. */
export const byteDuplicateFromVersion = 256;
/** The same defect past the two-byte boundary: only a run with --depth above it (say 70000) reaches it. */
export const deepDuplicateFromVersion = 40_000;

/** Treats a POST of the stored sequence as following it too, once that sequence is `from` or more. */
class DuplicateFromVersionStore extends MemoryStore {
  constructor(
    options: ConstructorParameters<typeof MemoryStore>[0],
    private readonly from: number,
  ) {
    super(options);
  }

  protected override followsSequence(current: WalletVersion | undefined, sequence: number): boolean {
    return super.followsSequence(current, sequence) || (sequence >= this.from && sequence === current?.sequence);
  }
}

/** Account ids a 9-bit id column holds before it wraps: a few default runs, or a soak of a few minutes, sign up more. */
export const accountIdLimit = 400;

/** Numbers accounts from 1 again after accountIdLimit: the next account shares the first one's wallet and tokens. */
class WrappingAccountIdStore extends MemoryStore {
  override async createAccount(...args: Parameters<MemoryStore["createAccount"]>): ReturnType<MemoryStore["createAccount"]> {
    const outcome = await super.createAccount(...args);
    if (this.nextUserId > accountIdLimit) this.nextUserId = 1;
    return outcome;
  }
}

/** The depth past which an account's history table starts to lose versions. */
export const losesVersionsPast = 2_000;
/** How often, past losesVersionsPast, an acknowledged version is lost: every this many sequences. */
const lostVersionEvery = 250;

/**
 * Past losesVersionsPast versions of an account, answers every 250th POST
 * 200 but keeps the version before it, as a history table that evicts its
 * newest row under pressure would.
 */
class LosesDeepVersionsStore extends MemoryStore {
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const before = this.wallets.get(userId);
    const outcome = await super.setWallet(userId, wallet);
    if (outcome.stored && before !== undefined && wallet.sequence > losesVersionsPast && wallet.sequence % lostVersionEvery === 0) this.wallets.set(userId, before);
    return outcome;
  }
}

/** The largest sequence a TINYINT column holds. */
export const tinyintMax = 127;

/**
 * Checks the posted sequence against the stored one, then stores it in a
 * TINYINT column that clamps 128 and above to 127: a POST of 128 always
 * "follows" the stored 127.
 */
class ClampedSequenceStore extends MemoryStore {
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const current = this.wallets.get(userId);
    if (!this.followsSequence(current, wallet.sequence)) return { stored: false, current };
    const stored = frozen({ ...wallet, sequence: Math.min(wallet.sequence, tinyintMax) });
    this.wallets.set(userId, stored);
    return { stored: true, wallet: stored };
  }
}

/** What a MySQL TEXT column holds, in bytes. */
export const textColumnBytes = 64 * 1024;

/** The longest prefix of whole characters of `text` that takes at most `bytes` bytes in UTF-8, as a truncating column keeps. */
export function cutToUtf8Bytes(text: string, bytes: number): string {
  const encoded = Buffer.from(text, "utf8");
  if (encoded.length <= bytes) return text;
  let end = bytes;
  // Back off over continuation bytes (10xxxxxx) so as not to split a character.
  while (end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString("utf8");
}

/** Keeps encryptedWallet in a 64 KiB column that cuts longer values silently; the echo is the row as read back. */
class TruncatingColumnStore extends MemoryStore {
  override setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    return super.setWallet(userId, { ...wallet, encryptedWallet: cutToUtf8Bytes(wallet.encryptedWallet, textColumnBytes) });
  }
}

/** Every character beyond ASCII as "?", as a latin1 or ASCII column over a connection that converts does. */
export function asciiOnly(text: string): string {
  return text.replace(/[^\u0000-\u007f]/gu, "?");
}

class AsciiColumnStore extends MemoryStore {
  override setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    return super.setWallet(userId, { ...wallet, encryptedWallet: asciiOnly(wallet.encryptedWallet), hmac: asciiOnly(wallet.hmac) });
  }
}

/** Stands in for "" past the reference's validation; the store turns it back into "". */
const emptyStandIn = "\u0000empty";

class EmptyWalletStore extends MemoryStore {
  override setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    return super.setWallet(userId, wallet.encryptedWallet === emptyStandIn ? { ...wallet, encryptedWallet: "" } : wallet);
  }
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

export const brokenServers: Record<string, BrokenServer> = {
  "accepts-skipped-sequence": broken("stores any sequence above the stored one, not only stored + 1", ["SEQ-3"], (o) => ({
    store: new SkipAheadStore(storeOptions(o)),
  })),
  "accepts-same-sequence": broken("stores a POST whose sequence equals the stored one", ["SEQ-3"], (o) => ({
    store: new SameSequenceStore(storeOptions(o)),
  })),
  "made-up-conflict-body": broken("answers 409 with a wallet that is not the stored one", ["SEQ-4"], (o) => ({
    store: new MadeUpConflictStore(storeOptions(o)),
  })),
  "404-instead-of-409": broken("answers 404 instead of 409 to a POST /wallet when there is no wallet", ["SEQ-5"], () => ({
    wrapHandler: rewriteResponses((request, answer) =>
      isPath(request, "POST", "/wallet") && answer.status === 409 && !(answer.body as { sequence?: unknown }).sequence
        ? { status: 404, body: { error: "Not Found: No wallet" } }
        : undefined,
    ),
  })),
  "signup-answers-200": broken("answers 200 instead of 201 to a signup that creates an account", ["SIGNUP-1"], () => ({
    wrapHandler: rewriteResponses((request, answer) =>
      isPath(request, "POST", "/signup") && answer.status === 201 ? { status: 200, body: answer.body } : undefined,
    ),
  })),
  "500-on-duplicate-signup": broken("answers 500 to a signup of an existing email", ["SIGNUP-2"], (o) => ({
    store: new DuplicateSignupThrowsStore(storeOptions(o)),
  })),
  "500-on-malformed-json": broken("answers 500 to a body that is not JSON", ["VAL-1", "SIGNUP-3", "AUTH-3", "HTTP-6"], () => ({
    wrapHandler: rewriteRequests((request, body) =>
      request.method !== "POST" || isJson(body)
        ? undefined
        : { status: 500, body: { error: "Internal Server Error: unexpected end of JSON input" } },
    ),
  })),
  "accepts-empty-wallet": broken("stores a POST /wallet whose encryptedWallet is empty", ["VAL-2"], (o) => ({
    store: new EmptyWalletStore(storeOptions(o)),
    wrapHandler: rewriteRequests((request, body) => {
      const value = parseJson(body.toString("utf8")) as { encryptedWallet?: unknown } | undefined;
      if (!isPath(request, "POST", "/wallet") || value?.encryptedWallet !== "") return undefined;
      return Buffer.from(JSON.stringify({ ...value, encryptedWallet: emptyStandIn }));
    }),
  })),
  "tokens-not-bound-to-account": broken("lets every token reach the account that logged in last", ["TOKEN-1"], (o) => ({
    store: new UnboundTokenStore(storeOptions(o)),
  })),
  "tokens-per-device-only": broken(
    "keeps tokens per deviceId alone, so one account's login replaces another's token",
    ["TOKEN-4"],
    (o) => ({ store: new DeviceOnlyTokenStore(storeOptions(o)) }),
  ),
  "check-then-act-sequence": broken(
    "checks the sequence, awaits, then stores: concurrent POSTs of one sequence are all accepted",
    ["LIN-2"],
    (o) => ({ store: new CheckThenActStore(storeOptions(o)) }),
  ),
  "first-wallet-insert-race": broken(
    "checks that no wallet exists, awaits, then inserts: concurrent first POSTs are all accepted",
    ["LIN-2"],
    (o) => ({ store: new FirstInsertRaceStore(storeOptions(o)) }),
  ),
  "stale-read-cache": broken(
    `serves GET /wallet from a ${readCacheTtlMs} ms cache that POSTs do not invalidate`,
    ["LIN-4"],
    (o) => ({ store: new StaleReadCacheStore(storeOptions(o)) }),
  ),
  "refused-write-lands": broken("answers 409 but stores the refused wallet anyway", ["LIN-3"], (o) => ({
    store: new RefusedWriteLandsStore(storeOptions(o)),
  })),
  "tokens-keyed-by-device-name": broken(
    "resolves tokens through the deviceId alone, so a login of that deviceId in another account takes them over",
    ["TOKEN-1"],
    (o) => ({ store: new DeviceNameTokenStore(storeOptions(o)) }),
  ),
  "rolls-back-acknowledged-version": broken(
    `puts the previous version back when an acknowledged one has stood ${rollbackDelayMs} ms without a later write`,
    ["LIN-4"],
    (o) => ({ store: new RollbackAfterAckStore(storeOptions(o)) }),
  ),
  "old-token-still-works": broken("keeps a device's old token working after the device logs in again", ["TOKEN-2"], (o) => ({
    store: new LingeringTokenStore(storeOptions(o)),
  })),
  "half-write-on-cancel": broken(
    "writes the new sequence and the new content as two steps; a request cancelled between them leaves the new sequence with the old content",
    ["LIN-3"],
    (o) => ({
      store: new HalfWriteOnCancelStore(storeOptions(o)),
      wrapHandler: noticeCancellation,
    }),
    "faults",
  ),
  "ack-before-persist": broken(
    `answers a write before it is saved: the state goes to a file every ${persistIntervalMs} ms, so a crash loses acknowledged versions (needs --state FILE)`,
    ["DUR-1"],
    (o) => {
      if (o.stateFile === undefined) throw new Error("ack-before-persist keeps its state in a file: give --state FILE");
      return { store: new AckBeforePersistStore(storeOptions(o), o.stateFile) };
    },
    "restarts",
  ),
  "drops-connection-on-malformed-json": broken(
    "closes the connection instead of answering a body that is not JSON",
    ["HTTP-6", "VAL-1"],
    () => ({ wrapHandler: rewriteRequests((_request, body) => (body.length > 0 && !isJson(body) ? "drop-connection" : undefined)) }),
  ),
  "duplicate-sequence-from-version-25": broken(
    `accepts a second POST of the stored sequence once that sequence is ${duplicateFromVersion} or more`,
    ["LIN-2"],
    (o) => ({ store: new DuplicateFromVersionStore(storeOptions(o), duplicateFromVersion) }),
  ),
  "duplicate-sequence-from-version-256": broken(
    `accepts a second POST of the stored sequence once that sequence is ${byteDuplicateFromVersion} or more`,
    ["LIN-2"],
    (o) => ({ store: new DuplicateFromVersionStore(storeOptions(o), byteDuplicateFromVersion) }),
  ),
  "duplicate-sequence-from-version-40000": broken(
    `accepts a second POST of the stored sequence once that sequence is ${deepDuplicateFromVersion} or more (caught with --depth 70000)`,
    ["LIN-2"],
    (o) => ({ store: new DuplicateFromVersionStore(storeOptions(o), deepDuplicateFromVersion) }),
    "depth",
  ),
  "clamps-sequence-at-127": broken(
    `stores the sequence in a TINYINT column: from ${tinyintMax} on, every POST of ${tinyintMax + 1} is accepted and GET /wallet answers ${tinyintMax}`,
    // Its row holds 127 with the hmac and content of a POST of 128: a version no POST sent.
    ["LIN-3"],
    (o) => ({ store: new ClampedSequenceStore(storeOptions(o)) }),
  ),
  "cuts-wallets-at-64-kib": broken(
    `stores encryptedWallet cut to its first ${textColumnBytes} bytes and answers as if stored whole`,
    // The contract cases see it (SEQ-8); so do histories, where an edit's wallet passes 64 KiB (LIN-3).
    ["SEQ-8", "LIN-3"],
    (o) => ({ store: new TruncatingColumnStore(storeOptions(o)) }),
  ),
  // The contract cases see it (SEQ-8); so do histories, where an edit's wallet holds non-ASCII text (LIN-3).
  "mangles-non-ascii": broken("stores encryptedWallet and hmac with every character beyond ASCII replaced by ?", ["SEQ-8", "LIN-3"], (o) => ({
    store: new AsciiColumnStore(storeOptions(o)),
  })),
  "account-ids-wrap-after-400": broken(
    `numbers accounts in a column that wraps after ${accountIdLimit}: account ${accountIdLimit + 1} shares the wallet and tokens of account 1 (caught once a server has signed up more: a soak)`,
    // The new account reads or overwrites a wallet none of its devices wrote.
    ["LIN-3"],
    (o) => ({ store: new WrappingAccountIdStore(storeOptions(o)) }),
    "soak",
  ),
  "loses-versions-past-2000": broken(
    `past ${losesVersionsPast} versions of an account, acknowledges every ${lostVersionEvery}th POST but keeps the version before it (caught by a soak that goes deep, or --depth 3000)`,
    ["LIN-4"],
    (o) => ({ store: new LosesDeepVersionsStore(storeOptions(o)) }),
    "soak",
  ),
};

/** The defects that only a deep history, a large wallet or unusual characters show. */
export const depthDefects = [
  "duplicate-sequence-from-version-25",
  "duplicate-sequence-from-version-256",
  "clamps-sequence-at-127",
  "cuts-wallets-at-64-kib",
  "mangles-non-ascii",
] as const;


/** The defects that only concurrent clients show: the interleaving cases alone must catch each. */
export const concurrencyDefects = [
  "check-then-act-sequence",
  "first-wallet-insert-race",
  "stale-read-cache",
  "refused-write-lands",
  "tokens-keyed-by-device-name",
  "old-token-still-works",
] as const;

// The api3 profile's defects: password changes, salt seeds, unknown fields
// and notifications. Each changes one behaviour of the api3 reference.

const brokenApi3 = (defect: string, breaks: readonly string[], build: Defect): BrokenServer => broken(defect, breaks, build, undefined, "api3");

/** How long a two-step password change waits between its check and its write (a slow update of the account row). */
export const passwordWriteGapMs = 20;

/**
 * Checks the old password and the sequence, then writes in a later step: a
 * POST /wallet of the same sequence in between is accepted too, and the
 * change's wallet overwrites it.
 */
class TwoStepPasswordChangeStore extends MemoryStore {
  override async changePassword(change: PasswordChange): Promise<PasswordChangeOutcome> {
    const account = await this.verifiedAccount(change.email, change.oldPassword);
    if (!account) return { changed: false, reason: "wrong-credentials" };
    const password = await this.passwords.hash(change.newPassword);
    const refusal = this.passwordChangeRefusal(account.userId, change.wallet);
    if (refusal) return { changed: false, reason: refusal };
    await sleep(passwordWriteGapMs);
    this.writePasswordChange(change, { userId: account.userId, password, clientSaltSeed: change.clientSaltSeed });
    return { changed: true, userId: account.userId };
  }
}

/** Changes the password and forgets to end the account's tokens. */
class TokensKeptStore extends MemoryStore {
  protected override endTokensOf(): void {}
}

/** Takes a password change without wallet fields whatever the account holds: the password and salt seed change, the wallet stays, one the new password cannot decrypt. */
class WalletlessPasswordChangeStore extends MemoryStore {
  protected override passwordChangeRefusal(userId: UserId, wallet: WalletVersion | undefined): ReturnType<MemoryStore["passwordChangeRefusal"]> {
    return wallet === undefined ? undefined : super.passwordChangeRefusal(userId, wallet);
  }
}

/** Announces every POST it is sent, before knowing whether it was stored. */
class AnnouncesEveryPostHub extends NotificationHub {
  override walletPosted(owner: TokenOwner, posted: WalletVersion): void {
    this.announce(owner.userId, posted.sequence);
  }
}

/** Leaves out the posting device's sockets, on the idea that the poster knows what it posted. */
class SkipsPosterHub extends NotificationHub {
  override walletPosted(owner: TokenOwner, _posted: WalletVersion, outcome: SetWalletOutcome): void {
    if (outcome.stored) this.announce(owner.userId, outcome.wallet.sequence, (socketOwner) => socketOwner.deviceId !== owner.deviceId);
  }
}

/** Stops notifying the account's sockets on a password change but does not close them: they stay open, silent. */
class LeavesSocketsOpenHub extends NotificationHub {
  override endAccount(userId: UserId): void {
    this.forget(userId);
  }
}

/** The fields the api3 document defines for the JSON body of each POST path, read from its request schemas. */
function definedBodyFields(): ReadonlyMap<string, ReadonlySet<string>> {
  const document = loadOpenApi("api3");
  const schemas = (document["components"] as JsonObject)["schemas"] as Record<string, JsonObject>;
  const fields = new Map<string, ReadonlySet<string>>();
  for (const [path, item] of Object.entries(document["paths"] as Record<string, JsonObject>)) {
    const body = ((item["post"] as JsonObject | undefined)?.["requestBody"] as JsonObject | undefined)?.["content"] as JsonObject | undefined;
    const reference = ((body?.["application/json"] as JsonObject | undefined)?.["schema"] as JsonObject | undefined)?.["$ref"];
    if (typeof reference !== "string") continue;
    const schema = schemas[reference.split("/").pop() ?? ""];
    fields.set(path, new Set(Object.keys((schema?.["properties"] as JsonObject | undefined) ?? {})));
  }
  return fields;
}

/** Drops the fields a POST's endpoint does not define before the reference reads the body, as a lenient JSON decoder does. */
function ignoreUnknownFields(): HandlerWrapper {
  const defined = definedBodyFields();
  return rewriteRequests((request, body) => {
    const fields = defined.get((request.url ?? "").split("?")[0] ?? "");
    const value = parseJson(body.toString("utf8"));
    if (!fields || typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    return Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(value).filter(([field]) => fields.has(field)))));
  });
}

/** How long a write holds the store's lock beyond its handling, as a SQLite write transaction holds the database. */
export const writeLockMs = 20;

const databaseLocked: Answer = { status: 500, body: "database is locked", text: "database is locked", headers: { "content-type": "text/plain; charset=utf-8" } };

const isPasswordChange = (request: IncomingMessage) => isPath(request, "POST", "/api/3/password");

/**
 * Answers a password change 500 "database is locked" when another write (any
 * POST) is in flight as it arrives or during the lock it then holds, as the
 * original's SQLite store does when writes overlap; alone, it passes.
 */
function lockedWhileOtherWritesRun(): HandlerWrapper {
  let writing = 0;
  let arrivals = 0;
  return (listener) => (request, response) => {
    if (request.method !== "POST") return listener(request, response);
    const arrival = ++arrivals;
    if (isPasswordChange(request) && writing > 0) return answer(response, databaseLocked);
    writing++;
    let released = false;
    const release = () => {
      if (!released) writing--;
      released = true;
    };
    // "finish" comes before the client can read the answer, so the next request of a client alone never finds the lock taken.
    response.once("finish", release);
    response.once("close", release);
    setTimeout(() => {
      if (isPasswordChange(request) && arrivals !== arrival) answer(response, databaseLocked);
      else listener(request, response);
    }, writeLockMs);
  };
}

export const brokenApi3Servers: Record<string, BrokenServer> = {
  "500-on-password-change-during-writes": brokenApi3(
    "answers 500 \"database is locked\" to a password change while another write is in flight, as a SQLite store does; alone it passes",
    ["PASS-1"],
    () => ({ wrapHandler: lockedWhileOtherWritesRun() }),
  ),
  "500-on-every-password-change": brokenApi3("answers 500 \"database is locked\" to every password change", ["PASS-1"], () => ({
    wrapHandler: rewriteRequests((request) => (isPasswordChange(request) ? databaseLocked : undefined)),
  })),
  "password-change-check-then-write": brokenApi3(
    `checks the old password and the sequence of a password change, then writes ${passwordWriteGapMs} ms later: a POST /wallet of the same sequence in between is accepted too`,
    ["PASS-1"],
    (o) => ({ store: new TwoStepPasswordChangeStore(storeOptions(o)) }),
  ),
  "tokens-kept-after-password-change": brokenApi3("keeps every token of the account working after a password change", ["PASS-2"], (o) => ({
    store: new TokensKeptStore(storeOptions(o)),
  })),
  "password-change-without-wallet": brokenApi3(
    "accepts a password change without wallet fields for an account that has a wallet: stores the password and salt seed, keeps the old wallet",
    ["PASS-4"],
    (o) => ({ store: new WalletlessPasswordChangeStore(storeOptions(o)) }),
  ),
  "notifies-refused-post": brokenApi3(
    "announces wallet-update:<sequence> for every POST /wallet, also one answered 409",
    ["NOTIFY-3"],
    () => ({ notifications: new AnnouncesEveryPostHub() }),
  ),
  "skips-posting-device": brokenApi3(
    "announces a stored version to the account's other devices only, not to the sockets of the device that posted it",
    ["NOTIFY-2"],
    () => ({ notifications: new SkipsPosterHub() }),
  ),
  "accepts-unknown-fields": brokenApi3("ignores fields a POST's endpoint does not define instead of answering 400", ["VAL-5"], () => ({
    wrapHandler: ignoreUnknownFields(),
  })),
  "socket-outlives-password-change": brokenApi3(
    "stops notifying the account's sockets on a password change but leaves them open",
    ["NOTIFY-4"],
    () => ({ notifications: new LeavesSocketsOpenHub() }),
  ),
};

/** The broken servers of each profile. */
export const brokenServersByProfile: Readonly<Record<ProfileName, Record<string, BrokenServer>>> = { seed: brokenServers, api3: brokenApi3Servers };
