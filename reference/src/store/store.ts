// The server's state behind an async interface, so that a store backed by a
// database fits the same handlers. MemoryStore is the reference: state lives in
// protected fields and every rule in a small method, so that a subclass can
// change exactly one behaviour.
import { PasswordHasher, type PasswordHash } from "./passwords.js";
import { newToken, tokenDigest, tokenLifetimeMs } from "./tokens.js";
import type { WalletVersion } from "../../../spec/index.js";

/** One wallet version as stored: opaque strings and their sequence (SEQ-8). */
export type { WalletVersion };

export type UserId = number;

export type SignupOutcome = "created" | "duplicate";

export interface IssuedToken {
  token: string;
  /** Milliseconds since the epoch, on the store's clock. */
  expiresAt: number;
}

export interface TokenOwner {
  userId: UserId;
  deviceId: string;
}

export type SetWalletOutcome =
  | { stored: true; wallet: WalletVersion }
  /**
   * `current` is the stored wallet: MemoryStore reads it in the same atomic
   * step as the refusal, PostgresStore right after it (a later version at
   * most, as wallets only move forward).
   */
  | { stored: false; current: WalletVersion | undefined };

/** A password change of the api3 profile: the account's new password and salt seed, and its wallet re-encrypted under them. */
export interface PasswordChange {
  email: string;
  oldPassword: string;
  newPassword: string;
  clientSaltSeed: string;
  /** Required when the account has a wallet (sequence = stored + 1); refused when it has none. */
  wallet?: WalletVersion;
}

export type PasswordChangeRefusal =
  /** No account has this email and password. */
  | "wrong-credentials"
  /** The account has a wallet and the change brought none. */
  | "wallet-required"
  /** The wallet's sequence is not the stored one plus one, or the account has no wallet to replace. */
  | "bad-sequence";

export type PasswordChangeOutcome = { changed: true; userId: UserId } | { changed: false; reason: PasswordChangeRefusal };

/** A login that succeeded: the account and the device's new token. */
export interface LogIn extends IssuedToken {
  userId: UserId;
}

/** A POST /wallet whose token resolved: its owner, and the store's decision. */
export interface TokenWalletWrite {
  owner: TokenOwner;
  outcome: SetWalletOutcome;
}

export interface WalletStore {
  /** Creates the account unless the email has one; of concurrent signups of one email, one is created. */
  createAccount(email: string, password: string): Promise<SignupOutcome>;
  /** The account's id when the email and password match, else undefined. */
  authenticate(email: string, password: string): Promise<UserId | undefined>;
  /** A new token for (userId, deviceId), replacing that pair's previous token. */
  issueToken(userId: UserId, deviceId: string): Promise<IssuedToken>;
  /** The owner of a live token; undefined for unknown, replaced or expired ones. */
  resolveToken(token: string): Promise<TokenOwner | undefined>;
  getWallet(userId: UserId): Promise<WalletVersion | undefined>;
  /** Stores the wallet if, and only if, its sequence is the stored one plus one (1 when there is none). */
  setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome>;
  /**
   * authenticate() then issueToken(), as one step against a password change:
   * a login checked against a password that a change replaced before the
   * token was stored issues no token. Undefined when the password does not match.
   */
  logIn(email: string, password: string, deviceId: string): Promise<LogIn | undefined>;
  /**
   * resolveToken() then setWallet(), as one step against a password change:
   * a token that a change ended before the write stores nothing. Undefined
   * when the token does not resolve.
   */
  setWalletWithToken(token: string, wallet: WalletVersion): Promise<TokenWalletWrite | undefined>;
}

/** What the api3 profile needs beyond the seed profile: a salt seed per account and password changes. */
export interface Api3Store extends WalletStore {
  /** As WalletStore's, storing the account's first salt seed with it. */
  createAccount(email: string, password: string, clientSaltSeed?: string): Promise<SignupOutcome>;
  /** The salt seed the account's signup or latest password change stored; undefined without an account or a seed. */
  clientSaltSeed(email: string): Promise<string | undefined>;
  /**
   * Checks the old password and the sequence rule, then stores the new
   * password, salt seed and wallet and ends every token of the account, as
   * one atomic step: of it and a concurrent setWallet of the same sequence
   * at most one is stored, and no token resolves once it has returned.
   */
  changePassword(change: PasswordChange): Promise<PasswordChangeOutcome>;
}

/** logIn() as authenticate() then issueToken(): atomic only for a store whose two calls no change can come between. */
export async function logInInSteps(store: WalletStore, email: string, password: string, deviceId: string): Promise<LogIn | undefined> {
  const userId = await store.authenticate(email, password);
  return userId === undefined ? undefined : { userId, ...(await store.issueToken(userId, deviceId)) };
}

/** setWalletWithToken() as resolveToken() then setWallet(): atomic only for a store whose two calls no change can come between. */
export async function setWalletWithTokenInSteps(store: WalletStore, token: string, wallet: WalletVersion): Promise<TokenWalletWrite | undefined> {
  const owner = await store.resolveToken(token);
  return owner && { owner, outcome: await store.setWallet(owner.userId, wallet) };
}

/** Whether a store can serve the api3 profile. */
export function isApi3Store(store: WalletStore): store is Api3Store {
  const candidate = store as Partial<Api3Store>;
  return typeof candidate.changePassword === "function" && typeof candidate.clientSaltSeed === "function";
}

/**
 * The store could not do its work (its database is unreachable, a query
 * failed): the request is answered 503, and the server goes on.
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; tests inject one to reach token expiry. */
  clock?: () => number;
  /** scrypt N; defaults to a real cost (16384). */
  scryptCost?: number;
}

/** Replaced as a whole by a password change, so that a check begun before the change can tell. */
export interface Account {
  readonly userId: UserId;
  readonly password: PasswordHash;
  /** The api3 profile's; undefined for accounts made without one. */
  readonly clientSaltSeed?: string;
}

export interface TokenRecord {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly expiresAt: number;
}

export class MemoryStore implements Api3Store {
  protected readonly clock: () => number;
  protected readonly passwords: PasswordHasher;
  /** By email, compared exactly as sent. */
  protected readonly accounts = new Map<string, Account>();
  /** By token digest (see tokens.ts). */
  protected readonly tokens = new Map<string, TokenRecord>();
  /** The live token digest of each (account, device), by deviceKey(). */
  protected readonly deviceTokens = new Map<string, string>();
  protected readonly wallets = new Map<UserId, WalletVersion>();
  protected nextUserId: UserId = 1;

  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.passwords = new PasswordHasher(options.scryptCost);
  }

  async createAccount(email: string, password: string, clientSaltSeed?: string): Promise<SignupOutcome> {
    if (this.accounts.has(email)) return "duplicate";
    const hashed = await this.passwords.hash(password);
    // Another signup of this email may have completed while this one hashed:
    // check again, then insert without yielding.
    if (this.accounts.has(email)) return "duplicate";
    this.accounts.set(email, { userId: this.nextUserId++, password: hashed, ...(clientSaltSeed === undefined ? {} : { clientSaltSeed }) });
    return "created";
  }

  async authenticate(email: string, password: string): Promise<UserId | undefined> {
    const account = await this.verifiedAccount(email, password);
    return account?.userId;
  }

  async clientSaltSeed(email: string): Promise<string | undefined> {
    return this.accounts.get(email)?.clientSaltSeed;
  }

  async changePassword(change: PasswordChange): Promise<PasswordChangeOutcome> {
    const account = await this.verifiedAccount(change.email, change.oldPassword);
    if (!account) return { changed: false, reason: "wrong-credentials" };
    // Hashed before the decision, so that the check and the write below have no await between them (PASS-1).
    const password = await this.passwords.hash(change.newPassword);
    // Another change may have replaced the account meanwhile: the old password is no longer its password.
    if (this.accounts.get(change.email) !== account) return { changed: false, reason: "wrong-credentials" };
    const refusal = this.passwordChangeRefusal(account.userId, change.wallet);
    if (refusal) return { changed: false, reason: refusal };
    this.writePasswordChange(change, { userId: account.userId, password, clientSaltSeed: change.clientSaltSeed });
    return { changed: true, userId: account.userId };
  }

  /** A password change completes in a turn of its own (it hashes), so none comes between the check and the issue, which awaits nothing. */
  logIn(email: string, password: string, deviceId: string): Promise<LogIn | undefined> {
    return logInInSteps(this, email, password, deviceId);
  }

  /** The token resolves and the wallet is written in one turn (neither awaits anything), so no change comes between them. */
  setWalletWithToken(token: string, wallet: WalletVersion): Promise<TokenWalletWrite | undefined> {
    return setWalletWithTokenInSteps(this, token, wallet);
  }

  async issueToken(userId: UserId, deviceId: string): Promise<IssuedToken> {
    const token = newToken();
    const expiresAt = this.clock() + tokenLifetimeMs;
    const key = this.deviceKey(userId, deviceId);
    const previous = this.deviceTokens.get(key);
    if (previous !== undefined) this.tokens.delete(previous);
    const digest = tokenDigest(token);
    this.tokens.set(digest, { userId, deviceId, expiresAt });
    this.deviceTokens.set(key, digest);
    return { token, expiresAt };
  }

  async resolveToken(token: string): Promise<TokenOwner | undefined> {
    const digest = tokenDigest(token);
    const record = this.tokens.get(digest);
    if (record === undefined) return undefined;
    if (this.isExpired(record)) {
      this.forgetToken(digest, record);
      return undefined;
    }
    return { userId: record.userId, deviceId: record.deviceId };
  }

  async getWallet(userId: UserId): Promise<WalletVersion | undefined> {
    return this.wallets.get(userId);
  }

  async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    // The check and the write run with no await between them, so in Node's
    // single thread they are one atomic step (SEQ-6).
    const current = this.wallets.get(userId);
    if (!this.followsSequence(current, wallet.sequence)) return { stored: false, current };
    const stored = copyWallet(wallet);
    this.wallets.set(userId, stored);
    return { stored: true, wallet: stored };
  }

  /**
   * The account when the password is its password. A password change that
   * completed while this one hashed replaced the account, and then the
   * password it was checked against no longer logs in.
   */
  protected async verifiedAccount(email: string, password: string): Promise<Account | undefined> {
    const account = this.accounts.get(email);
    const matches = await this.passwords.verify(password, account?.password);
    return matches && this.accounts.get(email) === account ? account : undefined;
  }

  /** Why a password change may not store `wallet` (PASS-4): the sequence rule, where the first version cannot come with a password change. */
  protected passwordChangeRefusal(userId: UserId, wallet: WalletVersion | undefined): PasswordChangeRefusal | undefined {
    return passwordChangeRefusal(this.wallets.get(userId), wallet, (current, sequence) => this.followsSequence(current, sequence));
  }

  /** Stores the changed account and wallet and ends the account's tokens, without yielding. */
  protected writePasswordChange(change: PasswordChange, account: Account): void {
    this.accounts.set(change.email, account);
    if (change.wallet) this.wallets.set(account.userId, copyWallet(change.wallet));
    this.endTokensOf(account.userId);
  }

  /** Every token of the account stops working (PASS-2). */
  protected endTokensOf(userId: UserId): void {
    for (const [digest, record] of this.tokens) if (record.userId === userId) this.forgetToken(digest, record);
  }

  /** The sequence rule: the first version is 1, every later one the stored one plus one. */
  protected followsSequence(current: WalletVersion | undefined, sequence: number): boolean {
    return followsSequence(current, sequence);
  }

  /** Tokens are kept per (account, device), never per device alone (TOKEN-4). */
  protected deviceKey(userId: UserId, deviceId: string): string {
    return `${userId}:${deviceId}`;
  }

  protected isExpired(record: TokenRecord): boolean {
    return this.clock() >= record.expiresAt;
  }

  protected forgetToken(digest: string, record: TokenRecord): void {
    this.tokens.delete(digest);
    const key = this.deviceKey(record.userId, record.deviceId);
    if (this.deviceTokens.get(key) === digest) this.deviceTokens.delete(key);
  }
}

/** The sequence rule: the first version is 1, every later one the stored one plus one. */
export function followsSequence(current: Pick<WalletVersion, "sequence"> | undefined, sequence: number): boolean {
  return sequence === (current?.sequence ?? 0) + 1;
}

/** Why a password change may not store `wallet` while `current` is stored (PASS-4): the sequence rule, where the first version cannot come with a password change. */
export function passwordChangeRefusal<Stored extends Pick<WalletVersion, "sequence">>(
  current: Stored | undefined,
  wallet: WalletVersion | undefined,
  follows: (current: Stored, sequence: number) => boolean = followsSequence,
): PasswordChangeRefusal | undefined {
  if (wallet === undefined) return current ? "wallet-required" : undefined;
  return current && follows(current, wallet.sequence) ? undefined : "bad-sequence";
}

/** A frozen copy holding only the stored fields, so no caller can change the store's state. */
function copyWallet(wallet: WalletVersion): WalletVersion {
  return Object.freeze({ encryptedWallet: wallet.encryptedWallet, sequence: wallet.sequence, hmac: wallet.hmac });
}
